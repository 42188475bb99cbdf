/**
 * The details of one file or folder, for people and for power users: size, type, dates, a
 * picture's EXIF (camera, taken at, dimensions; its GPS position only when asked for, since
 * where a photo was taken is often private), the share links that point at it, and the
 * object's ETag and Swift URL (what `swift` or `rclone` would use).
 *
 * EXIF is read with exifr from the first EXIF_BYTES of the object (a Range request): the
 * tags sit at the start of a JPEG, HEIC or TIFF, so a 10 MB photo costs 256 KB.
 */
import { useEffect, useState } from 'react'
import { listShares, type Share } from '../api/shares'
import type { Entry, SwiftClient } from '../api/swift'
import { Dialog } from '../ui/dialog'
import { fileKind, formatBytes, formatDate } from '../ui/format'

const EXIF_BYTES = 256 * 1024

interface Exif {
  camera?: string
  takenAt?: string
  width?: number
  height?: number
}

type Gps = { latitude: number; longitude: number } | 'none' | null

async function readHead(url: string): Promise<ArrayBuffer> {
  const r = await fetch(url, { credentials: 'same-origin', headers: { Range: `bytes=0-${EXIF_BYTES - 1}` } })
  if (!r.ok) throw new Error(`${r.status} ${r.statusText}`)
  return r.arrayBuffer()
}

async function readExif(url: string): Promise<Exif | null> {
  const { default: exifr } = await import('exifr')
  const tags = (await exifr.parse(await readHead(url), { gps: false, ifd1: false })) as Record<string, unknown> | undefined
  if (!tags) return null
  const camera = [tags.Make, tags.Model].filter((v): v is string => typeof v === 'string' && v.trim() !== '').join(' ')
  const taken = tags.DateTimeOriginal ?? tags.CreateDate
  return {
    camera: camera || undefined,
    takenAt: taken instanceof Date ? taken.toLocaleString() : typeof taken === 'string' ? taken : undefined,
    width: Number(tags.ExifImageWidth ?? tags.ImageWidth) || undefined,
    height: Number(tags.ExifImageHeight ?? tags.ImageHeight) || undefined,
  }
}

async function readGps(url: string): Promise<Gps> {
  const { default: exifr } = await import('exifr')
  const gps = await exifr.gps(await readHead(url))
  return gps && Number.isFinite(gps.latitude) && Number.isFinite(gps.longitude) ? { latitude: gps.latitude, longitude: gps.longitude } : 'none'
}

function sharesOf(shares: Share[], e: Entry): Share[] {
  if (e.type === 'object') return shares.filter((s) => s.container === e.container && s.object === e.object)
  if (e.type === 'folder') return shares.filter((s) => s.container === e.container && s.prefix === e.prefix)
  return shares.filter((s) => s.container === e.name && !s.object && !s.prefix)
}

export function DetailsPanel(props: { swift: SwiftClient; entry: Entry; onClose: () => void }) {
  const { swift, entry: e } = props
  const url = e.type === 'object' ? swift.objectUrl(e.container, e.object) : e.type === 'folder' ? `${swift.containerUrl(e.container)}?prefix=${encodeURIComponent(e.prefix)}` : swift.containerUrl(e.name)
  const image = e.type === 'object' && fileKind(e.name, e.contentType) === 'image'
  const [exif, setExif] = useState<Exif | null | 'loading' | { error: string }>(image ? 'loading' : null)
  const [gps, setGps] = useState<Gps | 'loading'>(null)
  const [shares, setShares] = useState<Share[] | null>(null)

  useEffect(() => {
    let live = true
    listShares().then((all) => live && setShares(sharesOf(all, e)), () => live && setShares([]))
    if (image) readExif(url).then((x) => live && setExif(x), (err: Error) => live && setExif({ error: err.message }))
    return () => {
      live = false
    }
  }, [url]) // eslint-disable-line react-hooks/exhaustive-deps

  const row = (label: string, value: React.ReactNode, testId?: string) => (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </>
  )
  const active = shares?.filter((s) => s.state === 'active') ?? []

  return (
    <Dialog title={`Details of “${e.name}”`} onClose={props.onClose} wide className="details-dialog">
      <dl className="details">
        {e.type === 'object' && row('Size', `${formatBytes(e.bytes)} (${e.bytes.toLocaleString()} bytes)`, 'details-size')}
        {e.type === 'container' && row('Holds', `${e.count.toLocaleString()} file${e.count === 1 ? '' : 's'}, ${formatBytes(e.bytes)}`)}
        {row('Type', e.type === 'object' ? e.contentType || 'unknown' : e.type === 'folder' ? 'folder' : 'container (a top-level folder)', 'details-type')}
        {e.type !== 'folder' && e.modified && row('Modified', formatDate(e.modified), 'details-modified')}
        {image && row('Picture', exif === 'loading' ? 'reading…' : exif === null ? 'no EXIF tags' : 'error' in exif ? <span className="error">{exif.error}</span> : (
          <span data-testid="details-exif">
            {[exif.camera && `Camera: ${exif.camera}`, exif.takenAt && `Taken: ${exif.takenAt}`, exif.width && exif.height && `${exif.width} × ${exif.height} px`].filter(Boolean).join(' · ') || 'no camera tags'}
          </span>
        ))}
        {image && row('Location', gps === null ? (
          <button type="button" className="btn btn-ghost small" onClick={() => { setGps('loading'); readGps(url).then(setGps, () => setGps('none')) }}>Show where it was taken</button>
        ) : gps === 'loading' ? 'reading…' : gps === 'none' ? 'no position in this picture' : (
          <span data-testid="details-gps">{gps.latitude.toFixed(5)}, {gps.longitude.toFixed(5)}</span>
        ))}
        {row('Shared', shares === null ? '…' : active.length === 0 ? 'not shared' : `${active.length} active link${active.length === 1 ? '' : 's'}${active.some((s) => s.hasPassword) ? ' (with password)' : ''}`, 'details-shared')}
        {e.type === 'object' && row('ETag', <code>{e.etag}</code>, 'details-etag')}
        {row('Swift URL', <code className="details-url">{location.origin + url}</code>, 'details-url')}
      </dl>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={props.onClose} autoFocus>Close</button>
      </div>
    </Dialog>
  )
}
