/** A drop link's upload form: pick or drop files, each PUT with its own progress bar. */
import { useRef, useState, type DragEvent } from 'react'
import type { PublicShareClient } from '../api/shares'
import { filesFromDrop, filesFromInput, type PickedFile } from '../upload/drop'
import { AbortedError, xhrPut } from '../upload/xhr'
import { formatBytes } from '../ui/format'
import { UploadIcon } from '../ui/icons'

interface Sent {
  id: number
  name: string
  size: number
  loaded: number
  status: 'uploading' | 'done' | 'failed' | 'cancelled'
  error?: string
  abort: AbortController
}

let nextId = 1

export function DropUpload(props: { client: PublicShareClient }) {
  const [sent, setSent] = useState<Sent[]>([])
  const [dragging, setDragging] = useState(false)
  const input = useRef<HTMLInputElement>(null)

  const update = (id: number, patch: Partial<Sent>) => setSent((all) => all.map((s) => (s.id === id ? { ...s, ...patch } : s)))

  const send = (files: PickedFile[]) => {
    for (const f of files) {
      // A drop link takes plain names: folders of a dropped folder are flattened.
      const s: Sent = { id: nextId++, name: f.file.name, size: f.file.size, loaded: 0, status: 'uploading', abort: new AbortController() }
      setSent((all) => [...all, s])
      xhrPut(props.client.uploadUrl(f.file.name), f.file, f.file.type ? { 'Content-Type': f.file.type } : {}, (loaded) => update(s.id, { loaded }), s.abort.signal).then(
        (r) => update(s.id, r.status >= 200 && r.status < 300 ? { status: 'done', loaded: s.size, name: storedName(r.body, s.name) } : { status: 'failed', error: r.status === 413 ? 'too large' : r.status === 404 ? 'the link is no longer valid' : `HTTP ${r.status}` }),
        (err) => update(s.id, err instanceof AbortedError ? { status: 'cancelled' } : { status: 'failed', error: (err as Error).message }),
      )
    }
  }

  const onDrop = async (e: DragEvent) => {
    e.preventDefault()
    setDragging(false)
    send(await filesFromDrop(e.dataTransfer))
  }

  return (
    <div>
      <div
        className={`dropzone ${dragging ? 'dragging' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setDragging(true) }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <UploadIcon />
        <p>Drop files here, or</p>
        <button className="btn btn-primary" onClick={() => input.current?.click()}>Choose files</button>
        <input ref={input} type="file" multiple hidden data-testid="drop-input" onChange={(e) => { send(filesFromInput(e.target.files)); e.target.value = '' }} />
      </div>
      {sent.length > 0 && (
        <ul className="upload-list drop-list">
          {sent.map((s) => (
            <li key={s.id} className={`upload-row status-${s.status}`} data-upload-name={s.name} data-status={s.status}>
              <div className="upload-row-text">
                <span className="upload-name">{s.name}</span>
                <span className={`small ${s.status === 'failed' ? 'error' : 'muted'}`}>
                  {s.status === 'done' ? `Sent · ${formatBytes(s.size)}` : s.status === 'failed' ? s.error : s.status === 'cancelled' ? 'Cancelled' : `${formatBytes(s.loaded)} of ${formatBytes(s.size)}`}
                </span>
              </div>
              {s.status === 'uploading' && <button className="btn btn-ghost small" onClick={() => s.abort.abort()}>Cancel</button>}
              <div className="progress" role="progressbar" aria-valuenow={Math.round(s.size ? (s.loaded / s.size) * 100 : 0)} aria-valuemin={0} aria-valuemax={100} aria-label={`Progress of ${s.name}`}>
                <div className="progress-bar" style={{ width: `${s.size ? (s.loaded / s.size) * 100 : s.status === 'done' ? 100 : 0}%` }} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** The server may store a drop under a new name when the name is taken ("a (1).jpg"). */
function storedName(body: string, fallback: string): string {
  try {
    const j = JSON.parse(body) as { name?: unknown }
    return typeof j.name === 'string' ? j.name : fallback
  } catch {
    return fallback
  }
}
