/** Human units for sizes, speeds, durations and dates. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—'
  let i = 0
  let v = n
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000
    i++
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[i]}`
}

export function formatSpeed(bytesPerSec: number): string {
  return bytesPerSec > 0 ? `${formatBytes(bytesPerSec)}/s` : '—'
}

export function formatDuration(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '—'
  if (sec < 60) return `${Math.ceil(sec)} s`
  if (sec < 3600) return `${Math.floor(sec / 60)} min ${Math.ceil(sec % 60)} s`
  return `${Math.floor(sec / 3600)} h ${Math.floor((sec % 3600) / 60)} min`
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—'
  // Swift's listings omit the zone: their times are UTC.
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`)
  return Number.isNaN(d.getTime()) ? '—' : dateFormat.format(d)
}

export type FileKind = 'image' | 'video' | 'audio' | 'pdf' | 'text' | 'other'

const TEXT_EXT = /\.(txt|md|markdown|json|ya?ml|toml|ini|cfg|conf|log|csv|tsv|xml|html?|css|s?css|less|js|mjs|cjs|jsx|ts|tsx|mts|cts|py|rb|go|rs|c|h|cc|cpp|hpp|java|kt|swift|sh|bash|zsh|sql|env|gitignore|dockerfile|makefile)$/i
const IMAGE_EXT = /\.(jpe?g|png|gif|webp|avif|bmp|svg|tiff?|heic)$/i
const VIDEO_EXT = /\.(mp4|m4v|webm|mov|mkv|ogv)$/i
const AUDIO_EXT = /\.(mp3|m4a|aac|wav|flac|ogg|oga|opus)$/i

export function fileKind(name: string, contentType = ''): FileKind {
  const ct = contentType.split(';')[0].trim().toLowerCase()
  // Browsers type a TypeScript file by its extension as an MPEG transport stream (.mts and
  // .m2ts are camera video more often than code).
  if (ct === 'video/mp2t' && /\.(ts|tsx|cts)$/i.test(name)) return 'text'
  if (ct.startsWith('image/') || IMAGE_EXT.test(name)) return 'image'
  if (ct.startsWith('video/') || VIDEO_EXT.test(name)) return 'video'
  if (ct.startsWith('audio/') || AUDIO_EXT.test(name)) return 'audio'
  if (ct === 'application/pdf' || /\.pdf$/i.test(name)) return 'pdf'
  if (ct.startsWith('text/') || ct === 'application/json' || ct === 'application/xml' || ct === 'application/javascript' || TEXT_EXT.test(name)) return 'text'
  return 'other'
}

/** Formats that have thumbnails (the server renders stills of images, videos and PDFs). */
export function hasThumbnail(name: string, contentType = ''): boolean {
  const k = fileKind(name, contentType)
  return (k === 'image' && !/\.svg$/i.test(name)) || k === 'video' || k === 'pdf'
}

/** A calm tile colour from a name, stable across renders (the placeholder's tint). */
export function tintOf(name: string): string {
  let h = 0
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0
  return `hsl(${h % 360} 30% 82%)`
}
