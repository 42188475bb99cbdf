/**
 * The previewer, shared by the file browser and public share pages: images fitted, then
 * 100 % and zoom (click, +/−, 0 fit, 1 100 %; image-preview.tsx) and next/previous (←/→), video and audio in the browser's own
 * players pointed at the object's URL (they fetch with Range requests and the session
 * cookie, so seeking never downloads the whole file), PDF in the browser's viewer, text and
 * code (the first 512 KB, as text: never parsed as HTML). Escape closes.
 *
 * A PDF stored as application/pdf is framed from its URL (the viewer streams it by Range
 * requests; served with that type it can only ever be a PDF). One whose name says .pdf but
 * whose stored type says otherwise is fetched (up to PDF_INLINE_BYTES), checked for the
 * `%PDF-` signature and framed from a blob typed application/pdf: an HTML page under a PDF's
 * name never runs on the app's origin. Where the browser has no PDF viewer
 * (navigator.pdfViewerEnabled false, e.g. phones) the first page's rendition (?thumbnail=1280)
 * stands in, with Open and Download.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react'
import { readTextPrefix } from '../api/http'
import { fileKind, formatBytes } from './format'
import { CloseIcon } from './icons'
import { trapTab } from './focus-trap'
import { TextView } from './text-view'
import { useThumbnail } from './thumbnail'
import { ImagePreview, usePreloadNext, zoomIn, zoomLabel, zoomOut, type Zoom } from './image-preview'

export interface PreviewItem {
  name: string
  contentType: string
  bytes: number
  /** Where the browser reads the bytes (inline). */
  url: string
  downloadUrl: string
  /** The first bytes as text, for text/code. */
  readText?: (bytes: number) => Promise<{ text: string; truncated: boolean }>
  /** A still of the file (first page of a PDF), where the server renders one. */
  stillUrl?: string
  /** Stores edited text as the object's new version (only where the page may write). */
  save?: (text: string) => Promise<void>
}

const TEXT_BYTES = 512 * 1024
/** PDFs stored under another type are checked and shown from a blob up to this size. */
export const PDF_INLINE_BYTES = 64 * 1000 * 1000

/**
 * `mayPreload`: whether the next item may be fetched before it is shown (a share link with a
 * preview limit counts every read of a file: a preload would spend a preview nobody saw).
 */
export function Preview(props: { items: PreviewItem[]; index: number; onIndex: (i: number) => void; onClose: () => void; actions?: ReactNode; mayPreload?: (item: PreviewItem) => boolean }) {
  const item = props.items[props.index]
  const kind = fileKind(item.name, item.contentType)
  const [zoom, setZoom] = useState<Zoom>('fit')
  const overlay = useRef<HTMLDivElement>(null)
  const hasPrev = props.index > 0
  const hasNext = props.index < props.items.length - 1
  const next = hasNext ? props.items[props.index + 1] : undefined
  usePreloadNext(next, next !== undefined && fileKind(next.name, next.contentType) === 'image' && (props.mayPreload?.(next) ?? true))

  useEffect(() => setZoom('fit'), [props.index])

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Tab') return trapTab(e, overlay.current)
      const typing = e.target instanceof HTMLElement && (e.target.tagName === 'INPUT' || e.target.tagName === 'TEXTAREA')
      // (a focused player keeps its own keys: ←/→ seek, Space plays)
      const player = e.target instanceof HTMLMediaElement
      // (Escape in the text editor is the editor's: an edit is not thrown away with the preview)
      if (e.key === 'Escape' && e.target instanceof HTMLTextAreaElement) return
      if (e.key === 'Escape') props.onClose()
      else if (typing || player) return
      else if (e.key === 'ArrowLeft' && hasPrev) props.onIndex(props.index - 1)
      else if (e.key === 'ArrowRight' && hasNext) props.onIndex(props.index + 1)
      else if (kind === 'image' && (e.key === '+' || e.key === '=')) setZoom(zoomIn)
      else if (kind === 'image' && e.key === '-') setZoom(zoomOut)
      else if (kind === 'image' && e.key === '0') setZoom('fit')
      else if (kind === 'image' && e.key === '1') setZoom(1)
      else return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [props, hasPrev, hasNext, kind])

  return (
    <div className="preview" ref={overlay} role="dialog" aria-modal="true" aria-label={`Preview of ${item.name}`}>
      <div className="preview-bar">
        <span className="preview-name" title={item.name}>{item.name}</span>
        <span className="muted small preview-count">{formatBytes(item.bytes)} · {props.index + 1} / {props.items.length}</span>
        <span className="spacer" />
        {kind === 'image' && (
          <span className="zoom">
            <button className="btn btn-ghost" onClick={() => setZoom(zoomOut)} aria-label="Zoom out">−</button>
            <button className="btn btn-ghost small" onClick={() => setZoom((z) => (z === 'fit' ? 1 : 'fit'))} aria-label={zoom === 'fit' ? 'Show at 100%' : 'Fit to window'} data-testid="zoom-level">{zoomLabel(zoom)}</button>
            <button className="btn btn-ghost" onClick={() => setZoom(zoomIn)} aria-label="Zoom in">+</button>
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

export function PreviewBody(props: { item: PreviewItem; kind: ReturnType<typeof fileKind>; zoom: Zoom; onZoom: (z: Zoom) => void }) {
  const { item, kind, zoom } = props
  switch (kind) {
    case 'image':
      return <ImagePreview item={item} zoom={zoom} onZoom={props.onZoom} />
    case 'video':
    case 'audio':
      return <MediaPreview item={item} kind={kind} />
    case 'pdf':
      return <PdfPreview item={item} />
    case 'text':
      return <TextPreview item={item} />
    default:
      return <NoPreview item={item} message="No preview for this kind of file." />
  }
}

function NoPreview(props: { item: PreviewItem; message: ReactNode; open?: boolean; children?: ReactNode }) {
  const { item } = props
  return (
    <div className="preview-none">
      {props.children}
      <p>{props.message}</p>
      <p className="preview-none-actions">
        {props.open && <a className="btn" href={item.url} target="_blank" rel="noopener">Open in a new tab</a>}
        <a className="btn btn-primary" href={item.downloadUrl} download={item.name}>Download ({formatBytes(item.bytes)})</a>
      </p>
    </div>
  )
}

/** The browser's player on the object's URL: it asks for byte ranges as it plays and seeks. */
function MediaPreview(props: { item: PreviewItem; kind: 'video' | 'audio' }) {
  const { item } = props
  const [failed, setFailed] = useState(false)
  if (failed) return <NoPreview item={item} message="This browser cannot play this file." />
  const common = { src: item.url, controls: true, preload: 'metadata', 'aria-label': item.name, onError: () => setFailed(true) } as const
  return props.kind === 'video' ? (
    <video className="preview-media" {...common} playsInline data-preview="video" />
  ) : (
    <div className="preview-audio-box">
      <p className="preview-audio-name">{item.name}</p>
      <audio className="preview-audio" {...common} data-preview="audio" />
    </div>
  )
}

type PdfState = { url: string } | { error: string } | { fallback: string } | null

function isPdfType(contentType: string): boolean {
  return contentType.split(';')[0].trim().toLowerCase() === 'application/pdf'
}

function PdfPreview(props: { item: PreviewItem }) {
  const { item } = props
  const [state, setState] = useState<PdfState>(null)
  useEffect(() => {
    if (navigator.pdfViewerEnabled === false) return setState({ fallback: 'This browser shows no PDFs inline.' })
    if (isPdfType(item.contentType)) return setState({ url: item.url })
    if (item.bytes > PDF_INLINE_BYTES) return setState({ fallback: `This file is stored as ${item.contentType || 'an unknown type'}; download it to open it.` })
    const abort = new AbortController()
    let blobUrl: string | null = null
    setState(null)
    fetch(item.url, { credentials: 'same-origin', signal: abort.signal })
      .then(async (r) => {
        if (!r.ok) throw new Error(`The PDF could not be read (${r.status} ${r.statusText}).`)
        const bytes = await r.arrayBuffer()
        if (new TextDecoder('latin1').decode(bytes.slice(0, 1024)).indexOf('%PDF-') < 0) throw new Error('This file is not a PDF.')
        blobUrl = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }))
        setState({ url: blobUrl })
      })
      .catch((err: Error) => {
        if (!abort.signal.aborted) setState({ error: err.message })
      })
    return () => {
      abort.abort()
      if (blobUrl) URL.revokeObjectURL(blobUrl)
    }
  }, [item.url, item.bytes, item.contentType])
  if (!state) return <p className="muted">Loading…</p>
  if ('url' in state) return <iframe className="preview-pdf" src={state.url} title={`${item.name} (PDF)`} data-preview="pdf" />
  if ('error' in state) return <NoPreview item={item} message={<span className="error">{state.error}</span>} />
  return (
    <NoPreview item={item} message={state.fallback} open={isPdfType(item.contentType)}>
      {item.stillUrl && <PdfStill url={item.stillUrl} name={item.name} />}
    </NoPreview>
  )
}

/** The first page as a picture, once the server has rendered it (asked again while it is not). */
function PdfStill(props: { url: string; name: string }) {
  const { ready } = useThumbnail(props.url, null)
  if (!ready) return <p className="muted small" data-preview="pdf-still-pending">Rendering the first page…</p>
  return <img className="preview-still" src={props.url} alt={`First page of ${props.name}`} data-preview="pdf-still" />
}

function TextPreview(props: { item: PreviewItem }) {
  const [state, setState] = useState<{ text: string; truncated: boolean } | { error: string } | null>(null)
  useEffect(() => {
    const read = props.item.readText ?? ((bytes: number) => readRange(props.item.url, bytes))
    let live = true
    read(TEXT_BYTES).then((v) => live && setState(v), (e: Error) => live && setState({ error: e.message }))
    return () => {
      live = false
    }
    // (the item is rebuilt on every render of some pages: its URL is what matters)
  }, [props.item.url])
  if (!state) return <p className="muted">Loading…</p>
  if ('error' in state) return <p className="error">{state.error}</p>
  return <TextView name={props.item.name} text={state.text} truncated={state.truncated} cap={TEXT_BYTES} save={props.item.save} />
}

async function readRange(url: string, bytes: number): Promise<{ text: string; truncated: boolean }> {
  const r = await fetch(url, { credentials: 'same-origin', headers: { Range: `bytes=0-${bytes - 1}` } })
  if (!r.ok && r.status !== 416) throw new Error(`${r.status} ${r.statusText}`)
  return readTextPrefix(r, bytes)
}
