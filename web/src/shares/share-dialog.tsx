/**
 * Create a share link for a file, a folder or a container: kind (file, folder, upload-only
 * drop), optional password, expiry and download limit; then the link, ready to copy.
 */
import { useState, type FormEvent } from 'react'
import { createShare, shareLink, type Share, type ShareKind } from '../api/shares'
import type { Entry } from '../api/swift'
import { Dialog } from '../ui/dialog'
import { UserShareForm } from './user-share-form'

export function ShareDialog(props: { entry: Entry; onClose: () => void }) {
  const { entry } = props
  const isFile = entry.type === 'object'
  const [kind, setKind] = useState<ShareKind>(isFile ? 'file' : 'folder')
  const [password, setPassword] = useState('')
  const [expires, setExpires] = useState('')
  const [maxDownloads, setMaxDownloads] = useState('')
  const [maxPreviews, setMaxPreviews] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [share, setShare] = useState<Share | null>(null)
  const [copied, setCopied] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const target =
        entry.type === 'object'
          ? { container: entry.container, object: entry.object }
          : entry.type === 'folder'
            ? { container: entry.container, prefix: entry.prefix }
            : { container: entry.name, prefix: '' }
      const expiresAt = expires ? Math.floor(new Date(expires).getTime() / 1000) : undefined
      if (expiresAt !== undefined && expiresAt * 1000 <= Date.now()) throw new Error('The expiry must be in the future.')
      const limit = maxDownloads ? Number(maxDownloads) : undefined
      setShare(await createShare({ ...target, kind, password: password || undefined, expiresAt, maxDownloads: kind === 'drop' ? undefined : limit, maxPreviews: kind === 'drop' || !maxPreviews ? undefined : Number(maxPreviews) }))
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }

  const copy = async () => {
    if (!share) return
    try {
      await navigator.clipboard.writeText(shareLink(share))
      setCopied(true)
    } catch {
      // No clipboard (plain http on another host): the field is selected for a manual copy.
      ;(document.getElementById('share-link') as HTMLInputElement | null)?.select()
    }
  }

  return (
    <Dialog title={`Share “${entry.name}”`} onClose={props.onClose}>
      {share ? (
        <div className="share-result">
          <label>
            Link
            <input id="share-link" readOnly value={shareLink(share)} onFocus={(e) => e.target.select()} autoFocus />
          </label>
          <p className="muted small">
            {share.kind === 'drop' ? 'People with this link can upload into the folder, not see it.' : 'Anyone with this link can open it'}
            {password ? ', with the password' : ''}
            {share.expiresAt ? `, until ${new Date(share.expiresAt).toLocaleString()}` : ''}.
          </p>
          <div className="dialog-actions">
            <a className="btn" href={share.url} target="_blank" rel="noreferrer">Open</a>
            <button className="btn" onClick={copy}>{copied ? 'Copied' : 'Copy link'}</button>
            <button className="btn btn-primary" onClick={props.onClose}>Done</button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit} className="share-form">
          {!isFile && (
            <fieldset className="segmented">
              <legend>Kind</legend>
              <label><input type="radio" name="kind" value="folder" checked={kind === 'folder'} onChange={() => setKind('folder')} /> View and download</label>
              <label><input type="radio" name="kind" value="drop" checked={kind === 'drop'} onChange={() => setKind('drop')} /> Upload only (drop box)</label>
            </fieldset>
          )}
          <label>
            Password <span className="muted small">(optional)</span>
            <input name="share-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <label>
            Expires <span className="muted small">(optional)</span>
            <input name="share-expires" type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
          {kind !== 'drop' && (
            <label>
              Download limit <span className="muted small">(optional)</span>
              <input name="share-max-downloads" type="number" min="1" step="1" value={maxDownloads} onChange={(e) => setMaxDownloads(e.target.value)} />
            </label>
          )}
          {kind !== 'drop' && (
            <label>
              Preview limit <span className="muted small">(optional: pictures, PDF, video, text shown on the page)</span>
              <input name="share-max-previews" type="number" min="1" step="1" value={maxPreviews} onChange={(e) => setMaxPreviews(e.target.value)} />
            </label>
          )}
          {error && <p className="error" role="alert">{error}</p>}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={props.onClose}>Cancel</button>
            <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Creating…' : 'Create link'}</button>
          </div>
        </form>
      )}
      {!share && entry.type === 'folder' && <UserShareForm container={entry.container} prefix={entry.prefix} />}
      {!share && entry.type === 'container' && <UserShareForm container={entry.name} prefix="" />}
    </Dialog>
  )
}
