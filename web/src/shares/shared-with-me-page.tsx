/**
 * "Shared with me" (issue 16): folders and containers other Velox users shared with me, each
 * opening in the file browser's list at `/shared/<grant id>/…` (shared-folder.tsx), rooted at
 * what was shared. A grant that is gone (revoked, container deleted) says so.
 */
import { useEffect, useState } from 'react'
import { listSharedWithMe, sharedPath, type UserShare } from '../api/user-shares'
import { formatDate } from '../ui/format'
import { linkProps } from '../ui/router'
import { SharedFolder } from './shared-folder'
import './user-share.css'

export function SharedWithMePage(props: { id?: string; path?: string }) {
  const [shares, setShares] = useState<UserShare[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    listSharedWithMe().then(setShares, (e: Error) => setError(e.message))
  }, [props.id])

  const open = props.id === undefined ? undefined : shares?.find((s) => s.id === props.id)
  if (open) return <SharedFolder share={open} path={props.path ?? ''} />
  return (
    <section className="page">
      <div className="page-head">
        <h1>Shared with me</h1>
        <p className="muted small">Folders other users of this Velox shared with you.</p>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {shares === null && !error && <p className="muted">Loading…</p>}
      {props.id !== undefined && shares !== null && <p className="error" role="alert">This folder is not shared with you any more.</p>}
      {shares?.length === 0 && <p className="empty">Nothing is shared with you yet.</p>}
      {shares && shares.length > 0 && (
        <ul className="shared-list">
          {shares.map((s) => (
            <li key={s.id} data-user-share={s.id}>
              <a className="btn btn-ghost shared-open" {...linkProps(sharedPath(s.id))}>{s.container}/{s.prefix}</a>
              <span className="muted small"> from {s.owner} · {s.write ? 'read and write' : 'read only'} · since {formatDate(new Date(s.createdAt * 1000).toISOString())}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
