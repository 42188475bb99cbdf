/** My share links, with their use counts, expiry and a revoke button. */
import { useCallback, useEffect, useState } from 'react'
import { listShares, revokeShare, shareLink, type Share } from '../api/shares'
import { ConfirmDialog } from '../ui/dialog'
import { formatDate } from '../ui/format'
import { filesPath, linkProps } from '../ui/router'
import { ShareEditDialog, ShareLinkDialog } from './share-manage'
import { UserGrants } from './user-grants'

export function SharesPage() {
  const [shares, setShares] = useState<Share[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [revoking, setRevoking] = useState<Share | null>(null)
  const [showing, setShowing] = useState<Share | null>(null)
  const [editing, setEditing] = useState<Share | null>(null)

  const load = useCallback(() => {
    listShares().then(setShares, (e: Error) => setError(e.message))
  }, [])
  useEffect(load, [load])

  return (
    <section className="page">
      <div className="page-head">
        <h1>Shares</h1>
        <p className="muted small">Links you made. Create one from a file or folder with “Share”.</p>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {shares === null && !error && <p className="muted">Loading…</p>}
      {shares?.length === 0 && <p className="empty">No share links yet.</p>}
      {shares && shares.length > 0 && (
        <div className="table-wrap">
          <table className="table shares-table">
            <thead>
              <tr>
                <th>What</th>
                <th>Kind</th>
                <th>State</th>
                <th>Link</th>
                <th>Expires</th>
                <th className="num">Uses</th>
                <th><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {shares.map((s) => {
                const expired = s.state === 'expired'
                const target = s.object ?? s.prefix ?? ''
                const folder = s.object ? s.object.slice(0, s.object.lastIndexOf('/') + 1) : s.prefix ?? ''
                return (
                  <tr key={s.id} data-share-id={s.id}>
                    <td className="share-what">
                      <a {...linkProps(filesPath(s.container, folder))}>{s.container}/{target}</a>
                      {s.hasPassword && <span className="badge">password</span>}
                    </td>
                    <td data-label="Kind">{s.kind}</td>
                    <td data-label="State" className={s.state === 'active' ? '' : 'muted'}>{s.state}</td>
                    <td data-label="Link" className="share-url">{s.token ? <a href={s.url} target="_blank" rel="noreferrer">{shareLink(s)}</a> : <span className="muted small">see “Link”</span>}</td>
                    <td data-label="Expires" className={expired ? 'error' : ''}>{s.expiresAt ? formatDate(s.expiresAt) : 'never'}</td>
                    <td data-label="Uses" className="num">
                      {s.kind === 'drop' ? `${s.uploads} uploads` : `${s.downloads}${s.maxDownloads ? ` / ${s.maxDownloads}` : ''} downloads`}
                      {s.kind !== 'drop' && (s.previews > 0 || s.maxPreviews) ? ` · ${s.previews}${s.maxPreviews ? ` / ${s.maxPreviews}` : ''} previews` : ''}
                    </td>
                    <td className="share-actions">
                      {s.state !== 'revoked' && <button className="btn btn-ghost" onClick={() => setShowing(s)}>Link</button>}
                      {s.state !== 'revoked' && <button className="btn btn-ghost" onClick={() => setEditing(s)}>Edit</button>}
                      {s.state !== 'revoked' && <button className="btn btn-danger-ghost" onClick={() => setRevoking(s)}>Revoke</button>}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      <UserGrants />
      {showing && <ShareLinkDialog share={showing} onClose={() => setShowing(null)} />}
      {editing && <ShareEditDialog share={editing} onClose={() => setEditing(null)} onSaved={load} />}
      {revoking && (
        <ConfirmDialog
          title="Revoke link?"
          message={<p>The link to “{revoking.name || revoking.container}” stops working at once. This cannot be undone.</p>}
          confirm="Revoke"
          danger
          onConfirm={async () => {
            await revokeShare(revoking.id)
            load()
          }}
          onClose={() => setRevoking(null)}
        />
      )}
    </section>
  )
}
