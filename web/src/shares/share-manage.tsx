/**
 * Managing a link after making it: "Link" shows it again (kept for its owner by the
 * server) with a copy button and a QR code (qrcode, drawn in the browser); "Edit" changes
 * its expiry (presets or a date), password (keep, remove, new) and download limit.
 */
import QRCode from 'qrcode'
import { useEffect, useState, type FormEvent } from 'react'
import { request, requestJson } from '../api/http'
import { shareLink, type Share } from '../api/shares'
import { Dialog } from '../ui/dialog'
import { formatDate } from '../ui/format'
import './share-manage.css'

const DAY = 86_400
export const EXPIRY_PRESETS: ReadonlyArray<{ label: string; days: number | null }> = [
  { label: 'Never', days: null },
  { label: '1 day', days: 1 },
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
]

export function ShareLinkDialog(props: { share: Share; onClose: () => void }) {
  const [url, setUrl] = useState<string | null>(null)
  const [qr, setQr] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    requestJson<{ url: string }>(`/api/shares/${encodeURIComponent(props.share.id)}/link`, { cache: 'no-store' }).then(
      async (r) => {
        const full = shareLink(r)
        setUrl(full)
        setQr(await QRCode.toDataURL(full, { margin: 1, width: 220 }))
      },
      (e: Error) => setError(e.message),
    )
  }, [props.share.id])
  const copy = async () => {
    if (!url) return
    await navigator.clipboard?.writeText(url).catch(() => undefined)
    setCopied(true)
  }
  return (
    <Dialog title={`Link to “${props.share.name || props.share.container}”`} onClose={props.onClose}>
      {error && <p className="error" role="alert">{error}</p>}
      {url && (
        <>
          <label htmlFor="share-again-url">Link</label>
          <div className="share-again-row">
            <input id="share-again-url" readOnly value={url} onFocus={(e) => e.target.select()} data-testid="share-again-url" />
            <button type="button" className="btn btn-primary" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
          </div>
          {qr && <img className="share-qr" src={qr} alt="QR code of the link" width={220} height={220} data-testid="share-qr" />}
        </>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={props.onClose}>Close</button>
      </div>
    </Dialog>
  )
}

export function ShareEditDialog(props: { share: Share; onClose: () => void; onSaved: () => void }) {
  const { share } = props
  const [expiry, setExpiry] = useState<string>('keep')
  const [password, setPassword] = useState<'keep' | 'remove' | 'new'>('keep')
  const [newPassword, setNewPassword] = useState('')
  const [limit, setLimit] = useState(share.maxDownloads ? String(share.maxDownloads) : '')
  const [previewLimit, setPreviewLimit] = useState(share.maxPreviews ? String(share.maxPreviews) : '')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const body: Record<string, unknown> = {}
    if (expiry !== 'keep') body.expiresAt = expiry === 'never' ? null : Math.floor(Date.now() / 1000) + Number(expiry) * DAY
    if (password === 'remove') body.password = null
    if (password === 'new') {
      if (!newPassword) return setError('Type the new password.')
      body.password = newPassword
    }
    if (share.kind !== 'drop') {
      const n = limit.trim()
      if (n && !/^[1-9]\d*$/.test(n)) return setError('The download limit is a whole number, or empty for none.')
      body.maxDownloads = n ? Number(n) : null
      const p = previewLimit.trim()
      if (p && !/^[1-9]\d*$/.test(p)) return setError('The preview limit is a whole number, or empty for none.')
      body.maxPreviews = p ? Number(p) : null
    }
    setBusy(true)
    try {
      await request(`/api/shares/${encodeURIComponent(share.id)}`, { method: 'PATCH', json: body })
      props.onSaved()
      props.onClose()
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog title={`Edit link to “${share.name || share.container}”`} onClose={props.onClose}>
      <form className="share-edit" onSubmit={submit}>
        <label htmlFor="share-edit-expiry">Expires</label>
        <select id="share-edit-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          <option value="keep">Keep ({share.expiresAt ? formatDate(share.expiresAt) : 'never'})</option>
          {EXPIRY_PRESETS.map((p) => <option key={p.label} value={p.days === null ? 'never' : String(p.days)}>{p.days === null ? 'Never' : `In ${p.label}`}</option>)}
        </select>
        <label htmlFor="share-edit-password">Password</label>
        <select id="share-edit-password" value={password} onChange={(e) => setPassword(e.target.value as 'keep' | 'remove' | 'new')}>
          <option value="keep">{share.hasPassword ? 'Keep the password' : 'No password'}</option>
          {share.hasPassword && <option value="remove">Remove the password</option>}
          <option value="new">{share.hasPassword ? 'Set a new password' : 'Set a password'}</option>
        </select>
        {password === 'new' && (
          <>
            <label htmlFor="share-edit-new-password">New password</label>
            <input id="share-edit-new-password" type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} />
          </>
        )}
        {share.kind !== 'drop' && (
          <>
            <label htmlFor="share-edit-limit">Download limit (empty: none)</label>
            <input id="share-edit-limit" inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} />
            <label htmlFor="share-edit-preview-limit">Preview limit (empty: none)</label>
            <input id="share-edit-preview-limit" inputMode="numeric" value={previewLimit} onChange={(e) => setPreviewLimit(e.target.value)} />
          </>
        )}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  )
}
