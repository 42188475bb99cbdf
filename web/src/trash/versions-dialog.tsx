/**
 * A file's earlier versions (Swift object versioning), newest first: when each was written,
 * its size, a download link, and "Restore" that copies it back as the newest version (the
 * one it replaces stays in the list, so a restore can itself be undone).
 */
import { useCallback, useEffect, useState } from 'react'
import type { SwiftClient } from '../api/swift'
import { Dialog } from '../ui/dialog'
import { formatBytes, formatDate } from '../ui/format'
import './trash.css'
import { copyVersionToCurrent, listVersions, versionUrl, type Version } from './trash-api'

export function VersionsDialog(props: { swift: SwiftClient; container: string; object: string; onClose: () => void; onRestored: () => void }) {
  const { swift, container, object } = props
  const [versions, setVersions] = useState<Version[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const name = object.slice(object.lastIndexOf('/') + 1)

  const load = useCallback(() => {
    listVersions(swift, container, object).then(setVersions, (e: Error) => setError(e.message))
  }, [swift, container, object])
  useEffect(load, [load])

  const restore = async (v: Version) => {
    setBusy(true)
    setError(null)
    try {
      await copyVersionToCurrent(swift, container, object, v.id)
      props.onRestored()
      load()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  const shown = versions?.filter((v) => !v.deleted) ?? []
  return (
    <Dialog title={`Versions of “${name}”`} onClose={props.onClose} wide>
      {error && <p className="error" role="alert">{error}</p>}
      {versions === null && !error && <p className="muted">Loading…</p>}
      {versions && shown.length === 0 && <p className="muted">This file has no earlier versions: its container keeps none (turn it on in Trash).</p>}
      {shown.length > 0 && (
        <ul className="versions-list" aria-label="Versions">
          {shown.map((v) => (
            <li key={v.id} data-testid="version-row">
              <span className="version-date">{formatDate(v.modified)}</span>
              <span className="muted small">{formatBytes(v.bytes)}</span>
              {v.latest ? <span className="badge">current</span> : <button className="btn btn-ghost small" disabled={busy} onClick={() => restore(v)}>Restore</button>}
              <a className="btn btn-ghost small" href={versionUrl(swift, container, object, v.id)} download={name}>Download</a>
            </li>
          ))}
        </ul>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={props.onClose}>Close</button>
      </div>
    </Dialog>
  )
}
