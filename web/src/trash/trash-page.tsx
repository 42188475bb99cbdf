/**
 * The Trash: files deleted from containers that keep versions, across all of the user's
 * containers, newest deletion first, each restorable (its last version becomes current
 * again) or deletable for good. Says how many days the server keeps them; an administrator
 * sets that here and can empty what is due at once. Containers that keep no versions are
 * listed with a button to start keeping them (deletes there are final until then).
 */
import { useCallback, useEffect, useState } from 'react'
import type { Session } from '../api/session'
import type { SwiftClient } from '../api/swift'
import { ConfirmDialog } from '../ui/dialog'
import { formatBytes, formatDate } from '../ui/format'
import { filesPath, linkProps } from '../ui/router'
import './trash.css'
import { containerTrash, deleteVersion, emptyDueNow, enableVersions, restoreVersion, setTrashDays, trashSettings, versionsEnabled, type TrashItem } from './trash-api'

interface Loaded {
  items: TrashItem[]
  /** Containers that keep no versions (no trash). */
  off: string[]
  days: number
}

async function loadTrash(swift: SwiftClient): Promise<Loaded> {
  const items: TrashItem[] = []
  const off: string[] = []
  let marker: string | null = null
  do {
    const page = await swift.listContainers(marker, 1000)
    for (const c of page.entries) {
      if (c.type !== 'container') continue
      if ((await versionsEnabled(swift, c.name)) === undefined) off.push(c.name)
      else items.push(...(await containerTrash(swift, c.name)))
    }
    marker = page.next
  } while (marker)
  items.sort((a, b) => (a.deletedAt < b.deletedAt ? 1 : a.deletedAt > b.deletedAt ? -1 : 0))
  return { items, off, days: (await trashSettings()).days }
}

export function TrashPage(props: { swift: SwiftClient; session: Session }) {
  const { swift } = props
  const [data, setData] = useState<Loaded | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [forever, setForever] = useState<TrashItem | null>(null)
  const [days, setDays] = useState('')

  const load = useCallback(() => {
    loadTrash(swift).then((d) => {
      setData(d)
      setDays(String(d.days))
    }, (e: Error) => setError(e.message))
  }, [swift])
  useEffect(load, [load])

  /** Runs a change, then says `done` (or what the change answered) and reloads. */
  const act = (what: () => Promise<string | void>, done: string) => {
    setError(null)
    what().then((said) => {
      setNotice(said || done)
      load()
    }, (e: Error) => setError(e.message))
  }

  return (
    <section className="page trash-page">
      <div className="page-head">
        <h1>Trash</h1>
        <p className="muted small" data-testid="trash-retention">
          {data ? (data.days === 0 ? 'Deleted files are removed at the next clean-up.' : `Deleted files are kept ${data.days} day${data.days === 1 ? '' : 's'}, then removed for good.`) : ' '}
        </p>
      </div>
      {notice && <p className="notice" role="status">{notice}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {data === null && !error && <p className="muted">Loading…</p>}
      {data?.items.length === 0 && <p className="empty">The trash is empty.</p>}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table trash-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Deleted</th>
                <th className="num">Size</th>
                <th><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((t) => {
                const folder = t.object.slice(0, t.object.lastIndexOf('/') + 1)
                return (
                  <tr key={`${t.container}/${t.object}`} data-testid="trash-row">
                    <td className="trash-name">
                      <span className="trash-file">{t.object.slice(folder.length)}</span>
                      <a className="muted small" {...linkProps(filesPath(t.container, folder))}>{t.container}/{folder}</a>
                    </td>
                    <td data-testid={t.movedTo ? 'trash-moved' : undefined}>
                      {t.movedTo ? <>Moved to <a {...linkProps(filesPath(t.container, t.movedTo.slice(0, t.movedTo.lastIndexOf('/') + 1)))}>{t.movedTo}</a> · {formatDate(t.deletedAt)}<br /><span className="muted small">earlier versions, kept under the old name</span></> : formatDate(t.deletedAt)}
                    </td>
                    <td className="num">{formatBytes(t.bytes)}</td>
                    <td className="row-actions">
                      <button className="btn btn-ghost" onClick={() => act(() => restoreVersion(swift, t.container, t.object, t.restoreId), `Restored “${t.object}”.`)}>{t.movedTo ? 'Restore under old name' : 'Restore'}</button>
                      <button className="btn btn-danger-ghost" onClick={() => setForever(t)}>Delete forever</button>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {data && data.off.length > 0 && (
        <div className="card trash-off">
          <h2>Containers without a trash</h2>
          <p className="muted small">Files deleted here are gone at once. Keeping versions gives them a trash and a history of each file.</p>
          <ul>
            {data.off.map((c) => (
              <li key={c}>
                {c} <button className="btn btn-ghost small" onClick={() => act(() => enableVersions(swift, c), `“${c}” now keeps versions.`)}>Keep versions</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {props.session.user.admin && data && (
        <form
          className="card trash-admin"
          onSubmit={(e) => {
            e.preventDefault()
            act(async () => { await setTrashDays(Number(days)) }, 'Saved.')
          }}
        >
          <h2>Trash settings</h2>
          <label htmlFor="trash-days">Keep deleted files for (days, for every user)</label>
          <div className="row">
            <input id="trash-days" type="number" min={0} max={3650} step={1} value={days} onChange={(e) => setDays(e.target.value)} />
            <button className="btn btn-primary" type="submit">Save</button>
            <button className="btn" type="button" onClick={() => act(async () => { const r = await emptyDueNow(); return `Removed ${r.purged} file${r.purged === 1 ? '' : 's'} for good.` }, '')}>Empty what is due now</button>
          </div>
        </form>
      )}
      {forever && (
        <ConfirmDialog
          title={`Delete “${forever.object}” for good?`}
          message={<p>Every version of it goes. This cannot be undone.</p>}
          confirm="Delete forever"
          danger
          onConfirm={async () => {
            for (const id of forever.versionIds) await deleteVersion(swift, forever.container, forever.object, id)
            load()
          }}
          onClose={() => setForever(null)}
        />
      )}
    </section>
  )
}
