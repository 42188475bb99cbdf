/**
 * The page behind a share link (`/s/<token>`), for people without an account: a password
 * prompt when the link has one; then a file with its preview and download, a folder's
 * listing with thumbnails and a zip of it, or, for a drop link, an upload form.
 */
import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react'
import { ApiError } from '../api/http'
import { PublicShareClient, type PublicEntry, type PublicShare } from '../api/shares'
import { fileKind, formatBytes, formatDate, hasThumbnail } from '../ui/format'
import { FileIcon, FolderIcon } from '../ui/icons'
import { Preview, PreviewBody, type PreviewItem } from '../ui/preview'
import { Thumbnail } from '../ui/thumbnail'
import { DropUpload } from './drop-upload'
import { PreviewLimitNotice, readsFile, usePreviewsLeft } from './preview-limit'

export function PublicSharePage(props: { token: string }) {
  const client = useMemo(() => new PublicShareClient(props.token), [props.token])
  const [share, setShare] = useState<PublicShare | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [locked, setLocked] = useState(false)

  const load = useCallback(async () => {
    try {
      const s = await client.get()
      setShare(s)
      setLocked(s.needsPassword)
      setProblem(null)
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0
      if (status === 401 || status === 403) setLocked(true)
      else setProblem(status === 404 || status === 410 ? whyUnavailable((err as Error).message) : (err as Error).message)
    }
  }, [client])

  useEffect(() => {
    void load()
  }, [load])

  return (
    <div className="public">
      <header className="topbar">
        <span className="brand"><span className="brand-mark" aria-hidden="true">V</span> Velox</span>
        <span className="muted small">Shared with you</span>
      </header>
      <main className="content">
        {problem && <div className="center-block"><h1>Link unavailable</h1><p className="muted" data-testid="share-problem">{problem}</p></div>}
        {!problem && locked && <Unlock client={client} name={share?.name} onUnlocked={load} />}
        {!problem && !locked && !share && <p className="muted">Loading…</p>}
        {!problem && !locked && share && <ShareBody client={client} share={share} />}
      </main>
    </div>
  )
}

/** The server says why a link it knows ended (revoked, expired, download limit reached); anything else is "no such link". */
function whyUnavailable(message: string): string {
  if (/^this link( was revoked| has expired|'s download limit was reached)$/.test(message)) return `${message[0].toUpperCase()}${message.slice(1)}.`
  return 'This link does not exist, has expired or was revoked.'
}

/** The URL of the page's own preview: a view, which the server does not count as a download. */
function viewUrl(url: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}inline=1`
}

function Unlock(props: { client: PublicShareClient; name?: string; onUnlocked: () => Promise<void> }) {
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await props.client.unlock(password)
      await props.onUnlocked()
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0
      setError(status === 429 ? 'Too many attempts; wait a little and try again.' : status === 401 || status === 403 ? 'That password is not right.' : (err as Error).message)
      setBusy(false)
    }
  }
  return (
    <form className="card unlock" onSubmit={submit}>
      <h1>{props.name ? `“${props.name}” is protected` : 'This link is protected'}</h1>
      <label>
        Password
        <input name="share-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus required autoComplete="off" />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button className="btn btn-primary" type="submit" disabled={busy}>{busy ? 'Checking…' : 'Open'}</button>
    </form>
  )
}

function ShareBody(props: { client: PublicShareClient; share: PublicShare }) {
  const { client, share } = props
  const expiry = share.expiresAt ? <p className="muted small">Available until {formatDate(share.expiresAt)}.</p> : null
  if (share.kind === 'drop') {
    return (
      <section className="page narrow">
        <h1>Send files to “{share.name}”</h1>
        <p className="muted">Files you upload here go to the owner of this link. You cannot see what others sent.</p>
        {expiry}
        <DropUpload client={client} />
      </section>
    )
  }
  if (share.kind === 'file' || share.file) {
    const f = share.file ?? { type: 'file' as const, path: '', name: share.name, bytes: 0, contentType: '' }
    return <SharedFile client={client} file={f} expiry={expiry} previewsLeft={share.previewsLeft} />
  }
  return <SharedFolder client={client} share={share} expiry={expiry} />
}

function SharedFile(props: { client: PublicShareClient; file: PublicEntry; expiry: ReactNode; previewsLeft?: number }) {
  const { client, file } = props
  const kind = fileKind(file.name, file.contentType)
  const item: PreviewItem = { name: file.name, contentType: file.contentType, bytes: file.bytes, url: viewUrl(client.fileUrl()), downloadUrl: client.fileUrl(undefined, true), stillUrl: hasThumbnail(file.name, file.contentType) ? client.thumbUrl(file.path, 1280) : undefined }
  return (
    <section className="page shared-file">
      <div className="page-head">
        <h1 className="file-title"><FileIcon kind={kind} /> {file.name}</h1>
        <div className="toolbar">
          <span className="muted">{formatBytes(file.bytes)}</span>
          <a className="btn btn-primary" href={item.downloadUrl} download={file.name} data-testid="share-download">Download</a>
        </div>
      </div>
      {props.expiry}
      {props.previewsLeft === 0 ? (
        <p className="muted" data-testid="share-no-preview">This link's preview limit was reached. The download still works.</p>
      ) : (
        <div className="inline-preview">
          <PreviewBody item={item} kind={kind} zoom="fit" onZoom={() => undefined} />
        </div>
      )}
    </section>
  )
}

function SharedFolder(props: { client: PublicShareClient; share: PublicShare; expiry: ReactNode }) {
  const { client, share } = props
  // The folder on screen inside the link, and its pages (the first came with the share).
  const [path, setPath] = useState(share.path)
  const [entries, setEntries] = useState<PublicEntry[]>(share.entries ?? [])
  const [next, setNext] = useState<string | undefined>(share.nextMarker)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [preview, setPreview] = useState<number | null>(null)
  // Past the link's preview limit a file shows a notice instead (preview-limit.tsx).
  const previews = usePreviewsLeft(share.previewsLeft)
  const [limited, setLimited] = useState<number | null>(null)

  const load = async (folder: string, marker?: string) => {
    setLoading(true)
    setError(null)
    try {
      const page = await client.get(folder, marker)
      setPath(folder)
      setEntries((old) => (marker ? old.concat(page.entries ?? []) : page.entries ?? []))
      setNext(page.nextMarker)
      previews.update(page.previewsLeft)
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setLoading(false)
    }
  }

  const files = entries.filter((e) => e.type === 'file')
  const items: PreviewItem[] = files.map((e) => ({ name: e.name, contentType: e.contentType, bytes: e.bytes, url: viewUrl(client.fileUrl(e.path)), downloadUrl: client.fileUrl(e.path, true), stillUrl: hasThumbnail(e.name, e.contentType) ? client.thumbUrl(e.path, 1280) : undefined }))
  const show = (i: number) => {
    const ok = previews.take(items[i])
    setPreview(ok ? i : null)
    setLimited(ok ? null : i)
  }
  const open = (e: PublicEntry) => (e.type === 'folder' ? void load(e.path) : show(files.indexOf(e)))
  const crumbs = path.split('/').filter(Boolean)
  return (
    <section className="page">
      <div className="page-head">
        <nav className="breadcrumbs" aria-label="Folder">
          <ol>
            <li>{path ? <a href="#" onClick={(ev) => { ev.preventDefault(); void load('') }}>{share.name}</a> : <span aria-current="page">{share.name}</span>}</li>
            {crumbs.map((c, i) => (
              <li key={i}>
                {i === crumbs.length - 1 ? <span aria-current="page">{c}</span> : <a href="#" onClick={(ev) => { ev.preventDefault(); void load(`${crumbs.slice(0, i + 1).join('/')}/`) }}>{c}</a>}
              </li>
            ))}
          </ol>
        </nav>
        <div className="toolbar">
          <a className="btn btn-primary" href={client.zipUrl()} download={`${share.name || 'share'}.zip`}>Download all (zip)</a>
        </div>
      </div>
      {props.expiry}
      {error && <p className="error" role="alert">{error}</p>}
      {entries.length === 0 && !loading && <p className="empty">This folder is empty.</p>}
      <ul className="grid" role="list">
        {entries.map((e) => {
          const kind = fileKind(e.name, e.contentType)
          return (
            <li key={e.path} className="tile" tabIndex={0} data-name={e.name} onClick={() => open(e)} onKeyDown={(ev) => { if (ev.key === 'Enter') open(e) }}>
              {e.type === 'folder' ? (
                <div className="thumb thumb-plain"><FolderIcon size={40} /></div>
              ) : hasThumbnail(e.name, e.contentType) ? (
                <Thumbnail url={client.thumbUrl(e.path)} name={e.name} icon={<FileIcon kind={kind} size={40} />} />
              ) : (
                <div className="thumb thumb-plain"><FileIcon kind={kind} size={40} /></div>
              )}
              <div className="tile-caption">
                <span className="entry-name" title={e.path}>{e.name}</span>
                {e.type === 'file' ? (
                  <span className="muted small">{formatBytes(e.bytes)} · <a href={client.fileUrl(e.path, true)} download={e.name} onClick={(ev) => ev.stopPropagation()}>Download</a></span>
                ) : (
                  <span className="muted small">folder</span>
                )}
              </div>
            </li>
          )
        })}
      </ul>
      <div className="list-end">
        {loading && <span className="muted">Loading…</span>}
        {next && !loading && <button className="btn" onClick={() => void load(path, next)}>Load more</button>}
      </div>
      {preview !== null && items[preview] && <Preview items={items} index={preview} onIndex={show} onClose={() => setPreview(null)} mayPreload={(it) => previews.left === undefined || !readsFile(it)} />}
      {limited !== null && items[limited] && <PreviewLimitNotice item={items[limited]} onClose={() => setLimited(null)} />}
    </section>
  )
}
