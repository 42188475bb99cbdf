/**
 * The picture in the previewer. It opens fitted: the whole picture inside the stage, however
 * tall (a portrait phone photo, or a 4:3 landscape in a short window), labelled "Fit". Then
 * 100 % (one picture pixel per CSS pixel of the original) and zoom steps of ×1.5 from there.
 *
 * What is fetched: fitted, the server's 1280 px rendition (`stillUrl`), a few hundred KB
 * instead of the 5–10 MB original of a phone photo; the original only once someone zooms in.
 * A rendition that is not there (not rendered yet, or a type without one) falls back to the
 * original. While the original loads the rendition stays on screen with a note.
 */
import { useEffect, useState } from 'react'
import type { PreviewItem } from './preview'

/** "fit", or a scale of the original (1 = 100 %). */
export type Zoom = 'fit' | number

const MAX_ZOOM = 8
const MIN_ZOOM = 0.1

export function zoomIn(z: Zoom): Zoom {
  return z === 'fit' ? 1 : Math.min(z * 1.5, MAX_ZOOM)
}

export function zoomOut(z: Zoom): Zoom {
  if (z === 'fit') return 'fit'
  const next = z / 1.5
  return next < MIN_ZOOM ? 'fit' : next
}

export function zoomLabel(z: Zoom): string {
  return z === 'fit' ? 'Fit' : `${Math.round(z * 100)}%`
}

/** The URL the fitted picture is read from: the rendition when there is one. */
export function fittedUrl(item: PreviewItem): string {
  return item.stillUrl ?? item.url
}

export function ImagePreview(props: { item: PreviewItem; zoom: Zoom; onZoom: (z: Zoom) => void }) {
  const { item, zoom } = props
  const [stillFailed, setStillFailed] = useState(false)
  const [original, setOriginal] = useState<{ w: number; h: number } | null>(null)
  const fitted = stillFailed ? item.url : fittedUrl(item)

  useEffect(() => {
    setStillFailed(false)
    setOriginal(null)
  }, [item.url])

  const zoomed = zoom !== 'fit'
  const showOriginal = zoomed && original !== null
  return (
    <div className={`preview-image ${showOriginal ? 'zoomed' : 'fitted'}`} data-zoom={zoomLabel(zoom)}>
      {!showOriginal && (
        <img
          className="preview-fit"
          src={fitted}
          alt={item.name}
          data-preview="image"
          onError={() => !stillFailed && fitted !== item.url && setStillFailed(true)}
          onClick={() => props.onZoom(zoomed ? 'fit' : 1)}
        />
      )}
      {zoomed && (
        <img
          className="preview-original"
          src={item.url}
          alt={showOriginal ? item.name : ''}
          data-preview="image-original"
          hidden={!showOriginal}
          onLoad={(e) => setOriginal({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
          style={original ? { width: `${original.w * zoom}px`, height: `${original.h * zoom}px` } : undefined}
          onClick={() => props.onZoom('fit')}
        />
      )}
      {zoomed && !original && <p className="preview-loading small">Loading the original…</p>}
    </div>
  )
}

/** Starts fetching the fitted picture of the item shown next, so that → shows it at once. */
export function usePreloadNext(next: PreviewItem | undefined, isImage: boolean): void {
  const url = next && isImage ? fittedUrl(next) : null
  useEffect(() => {
    if (!url) return
    const img = new Image()
    img.decoding = 'async'
    img.src = url
  }, [url])
}
