/**
 * The previewer, shared by the file browser and public share pages: images at full size
 * with zoom (click, +/−, 0) and next/previous (←/→), video and audio in the browser's
 * players (which fetch with Range requests), PDF in the browser's viewer, text and code
 * (the first 512 KB). Escape closes.
 */
import { useEffect, useState, type ReactNode } from 'react'
import { fileKind, formatBytes } from './format'
import { CloseIcon } from './icons'

export interface PreviewItem {
  name: string
  contentType: string
  bytes: number
  /** Where the browser reads the bytes (inline). */
  url: string
  downloadUrl: string
  /** The first bytes as text, for text/code. */
  readText?: (bytes: number) => Promise<{ text: string; truncated: boolean }>
}

const TEXT_BYTES = 512 * 1024

export function Preview(props: { items: PreviewItem[]; index: number; onIndex: (i: number) => void; onClose: () => void; actions?: ReactNode }) {
  const item = props.items[props.index]
  const kind = fileKind(item.name, item.contentType)
  const [zoom, setZoom] = useState(1)
  const hasPrev = props.index > 0
  const hasNext = props.index < props.items.length - 1

  useEffect(() => setZoom(1), [props.index])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && (e.target.tagName === 'INPUT' || e.target.tagName === 'TEXTAREA')
      if (e.key === 'Escape') props.onClose()
      else if (typing) return
      else if (e.key === 'ArrowLeft' && hasPrev) props.onIndex(props.index - 1)
      else if (e.key === 'ArrowRight' && hasNext) props.onIndex(props.index + 1)
      else if (kind === 'image' && (e.key === '+' || e.key === '=')) setZoom((z) => Math.min(z * 1.5, 8))
      else if (kind === 'image' && e.key === '-') setZoom((z) => Math.max(z / 1.5, 0.25))
      else if (kind === 'image' && e.key === '0') setZoom(1)
      else return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [props, hasPrev, hasNext, kind])

  return (
    <div className="preview" role="dialog" aria-modal="true" aria-label={`Preview of ${item.name}`}>
      <div className="preview-bar">
        <span className="preview-name" title={item.name}>{item.name}</span>
        <span className="muted small">{formatBytes(item.bytes)} · {props.index + 1} / {props.items.length}</span>
        <span className="spacer" />
        {kind === 'image' && (
          <span className="zoom">
            <button className="btn btn-ghost" onClick={() => setZoom((z) => Math.max(z / 1.5, 0.25))} aria-label="Zoom out">−</button>
            <span className="small">{Math.round(zoom * 100)}%</span>
            <button className="btn btn-ghost" onClick={() => setZoom((z) => Math.min(z * 1.5, 8))} aria-label="Zoom in">+</button>
          </span>
        )}
        {props.actions}
        <a className="btn btn-ghost" href={item.downloadUrl} download={item.name}>Download</a>
        <button className="btn btn-ghost" onClick={props.onClose} aria-label="Close preview" autoFocus><CloseIcon /></button>
      </div>
      <div className="preview-stage">
        {hasPrev && <button className="preview-nav prev" onClick={() => props.onIndex(props.index - 1)} aria-label="Previous">‹</button>}
        <PreviewBody key={item.url} item={item} kind={kind} zoom={zoom} onZoom={setZoom} />
        {hasNext && <button className="preview-nav next" onClick={() => props.onIndex(props.index + 1)} aria-label="Next">›</button>}
      </div>
    </div>
  )
}

export function PreviewBody(props: { item: PreviewItem; kind: ReturnType<typeof fileKind>; zoom: number; onZoom: (z: number) => void }) {
  const { item, kind, zoom } = props
  switch (kind) {
    case 'image':
      return (
        <div className={`preview-image ${zoom > 1 ? 'zoomed' : ''}`}>
          <img
            src={item.url}
            alt={item.name}
            style={zoom === 1 ? undefined : { width: `${zoom * 100}%`, maxWidth: 'none', maxHeight: 'none' }}
            onClick={() => props.onZoom(zoom === 1 ? 2 : 1)}
          />
        </div>
      )
    case 'video':
      return <video className="preview-media" src={item.url} controls autoPlay={false} preload="metadata" />
    case 'audio':
      return <audio className="preview-audio" src={item.url} controls preload="metadata" />
    case 'pdf':
      return <iframe className="preview-pdf" src={item.url} title={item.name} />
    case 'text':
      return <TextPreview item={item} />
    default:
      return (
        <div className="preview-none">
          <p>No preview for this kind of file.</p>
          <a className="btn btn-primary" href={item.downloadUrl} download={item.name}>Download ({formatBytes(item.bytes)})</a>
        </div>
      )
  }
}

function TextPreview(props: { item: PreviewItem }) {
  const [state, setState] = useState<{ text: string; truncated: boolean } | { error: string } | null>(null)
  useEffect(() => {
    const read = props.item.readText ?? ((bytes: number) => readRange(props.item.url, bytes))
    read(TEXT_BYTES).then(setState, (e: Error) => setState({ error: e.message }))
  }, [props.item])
  if (!state) return <p className="muted">Loading…</p>
  if ('error' in state) return <p className="error">{state.error}</p>
  return (
    <div className="preview-text">
      <pre><code>{state.text}</code></pre>
      {state.truncated && <p className="muted small">Showing the first {formatBytes(TEXT_BYTES)}; download for the rest.</p>}
    </div>
  )
}

async function readRange(url: string, bytes: number): Promise<{ text: string; truncated: boolean }> {
  const r = await fetch(url, { credentials: 'same-origin', headers: { Range: `bytes=0-${bytes - 1}` } })
  if (!r.ok) throw new Error(`${r.status} ${r.statusText}`)
  const total = Number(/\/(\d+)$/.exec(r.headers.get('Content-Range') ?? '')?.[1] ?? NaN)
  return { text: await r.text(), truncated: Number.isFinite(total) && total > bytes }
}
