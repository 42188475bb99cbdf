/**
 * "Shared with me" (issue 16): folders other Velox users shared with me, and a small
 * browser for one of them — folders, downloads, and uploads when I may write. It reads
 * through the Swift API on the owner's storage URL, where the container's ACL lets me in,
 * so it shows exactly what my Swift clients would see.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { request } from '../api/http'
import { SwiftClient, type Entry } from '../api/swift'
import { listSharedWithMe, shareStorageUrl, type UserShare } from '../api/user-shares'
import { formatBytes, formatDate } from '../ui/format'
import { mtimeHeader } from '../upload/uploader'
import './user-share.css'

export function SharedWithMePage() {
  const [shares, setShares] = useState<UserShare[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [open, setOpen] = useState<UserShare | null>(null)

  useEffect(() => {
    listSharedWithMe().then(setShares, (e: Error) => setError(e.message))
  }, [])

  if (open) return <SharedFolder share={open} onBack={() => setOpen(null)} />
  return (
    <section className="page">
      <div className="page-head">
        <h1>Shared with me</h1>
        <p className="muted small">Folders other users of this Velox shared with you.</p>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {shares === null && !error && <p className="muted">Loading…</p>}
      {shares?.length === 0 && <p className="empty">Nothing is shared with you yet.</p>}
      {shares && shares.length > 0 && (
        <ul className="shared-list">
          {shares.map((s) => (
            <li key={s.id} data-user-share={s.id}>
              <button className="btn btn-ghost shared-open" onClick={() => setOpen(s)}>{s.container}/{s.prefix}</button>
              <span className="muted small"> from {s.owner} · {s.write ? 'read and write' : 'read only'} · since {formatDate(new Date(s.createdAt * 1000).toISOString())}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function SharedFolder(props: { share: UserShare; onBack: () => void }) {
  const { share } = props
  const swift = useRef(new SwiftClient(shareStorageUrl(share))).current
  const [prefix, setPrefix] = useState(share.prefix)
  const [entries, setEntries] = useState<Entry[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [note, setNote] = useState<string | null>(null)

  const load = useCallback(() => {
    setEntries(null)
    swift.listFolder(share.container, prefix, null, 1000).then((p) => setEntries(p.entries), (e: Error) => setError(e.message))
  }, [swift, share.container, prefix])
  useEffect(load, [load])

  const upload = async (files: FileList | null) => {
    if (!files?.length) return
    setError(null)
    try {
      for (const file of Array.from(files)) {
        await request(swift.objectUrl(share.container, prefix + file.name), { method: 'PUT', body: file, headers: { 'Content-Type': file.type || 'application/octet-stream', ...mtimeHeader(file) } })
      }
      setNote(`Uploaded ${files.length} file${files.length > 1 ? 's' : ''}.`)
      load()
    } catch (err) {
      setError((err as Error).message)
    }
  }

  const up = prefix.length > share.prefix.length ? prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1) : null
  return (
    <section className="page">
      <div className="page-head">
        <h1>{share.container}/{prefix}</h1>
        <p className="muted small">Shared by {share.owner} · {share.write ? 'you can upload here' : 'read only'}</p>
      </div>
      <div className="toolbar">
        <button className="btn" onClick={props.onBack}>All shared folders</button>
        {up !== null && <button className="btn" onClick={() => setPrefix(up)}>Up one folder</button>}
        {share.write && (
          <label className="btn btn-primary">
            Upload <input type="file" multiple className="sr-only" name="shared-upload" onChange={(e) => void upload(e.target.files)} />
          </label>
        )}
      </div>
      {note && <p className="muted" role="status">{note}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {entries === null && !error && <p className="muted">Loading…</p>}
      {entries?.length === 0 && <p className="empty">This folder is empty.</p>}
      {entries && entries.length > 0 && (
        <div className="table-wrap">
          <table className="table shared-table">
            <thead><tr><th>Name</th><th className="num">Size</th><th>Modified</th></tr></thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.path}>
                  <td>
                    {e.type === 'folder' && <button className="btn btn-ghost" onClick={() => setPrefix(e.prefix)}>{e.name}/</button>}
                    {e.type === 'object' && <a href={swift.objectUrl(e.container, e.object)} download={e.name}>{e.name}</a>}
                  </td>
                  <td className="num">{e.type === 'object' ? formatBytes(e.bytes) : ''}</td>
                  <td>{e.type === 'object' ? formatDate(e.modified) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
