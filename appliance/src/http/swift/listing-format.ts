/**
 * Account and container listings in Swift's three formats, byte-compatible with Swift's
 * listing_formats middleware: JSON as Python's json.dumps writes it (", " and ": "
 * separators, non-ASCII escaped), XML as ElementTree, plain text one name per line.
 */
import type { ContainerRow, ListingEntry, ObjectRow } from '../../store/types.js'
import { Timestamp } from '../../lib/timestamp.js'

export type ListingFormat = 'text/plain' | 'application/json' | 'application/xml' | 'text/xml'

/** JSON.stringify with Python's default json.dumps output (ensure_ascii, spaced separators). */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
  }
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pyJson(k)}: ${pyJson(v)}`)
    .join(', ')}}`
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function xmlAttr(s: string): string {
  return xmlEscape(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#09;')
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'

function isSubdir<R>(e: ListingEntry<R>): e is { subdir: string } {
  return typeof (e as { subdir?: unknown }).subdir === 'string'
}

export function objectRecord(r: ObjectRow): Record<string, unknown> {
  return {
    bytes: r.size,
    hash: r.etag,
    name: r.name,
    content_type: r.contentType,
    last_modified: Timestamp.parse(r.timestamp).isoListing,
  }
}

export function containerRecord(r: ContainerRow): Record<string, unknown> {
  return { name: r.name, count: r.objectCount, bytes: r.bytesUsed, last_modified: Timestamp.parse(r.putTimestamp).isoListing }
}

/**
 * `withMtime`: a Velox listing extension the web app asks for with `?velox_mtime=1` — each JSON
 * row carries "mtime", the file's own modification time (X-Object-Meta-Mtime) when it has one.
 * Off by default, so Swift clients and the SAIO parity tests see Swift's rows exactly.
 */
export function renderContainerListing(entries: ListingEntry<ObjectRow>[], format: ListingFormat, container: string, withMtime = false): string {
  const record = (r: ObjectRow) => {
    const o = objectRecord(r)
    if (withMtime && r.mtime !== undefined) o.mtime = r.mtime
    return o
  }
  return renderObjectRecords(entries.map((e) => (isSubdir(e) ? { subdir: e.subdir } : record(e))), format, container)
}

/** A container listing from JSON records (as a feature that rewrote them holds them); XML keeps Swift's five fields. */
export function renderObjectRecords(records: Record<string, unknown>[], format: ListingFormat, container: string): string {
  if (format === 'application/json') return pyJson(records)
  if (format === 'text/plain') return records.map((r) => `${String(r.subdir ?? r.name)}\n`).join('')
  const body = records
    .map((r) => {
      if (typeof r.subdir === 'string') return `<subdir name="${xmlAttr(r.subdir)}"><name>${xmlEscape(r.subdir)}</name></subdir>`
      // Swift renders XML from the JSON listing that slo has already cleaned, so the
      // container-update parameter "; slo_etag=…" never shows in the hash.
      const clean = { ...r, hash: String(r.hash).replace(/;\s*slo_etag=[^;]*/, '') }
      return `<object>${['name', 'hash', 'bytes', 'content_type', 'last_modified'].map((f) => `<${f}>${xmlEscape(String(clean[f as keyof typeof clean]))}</${f}>`).join('')}</object>`
    })
    .join('')
  return `${XML_DECL}${body ? `<container name="${xmlAttr(container)}">${body}</container>` : `<container name="${xmlAttr(container)}" />`}`
}

export function renderAccountListing(entries: ListingEntry<ContainerRow>[], format: ListingFormat, account: string): string {
  if (format === 'application/json') return pyJson(entries.map((e) => (isSubdir(e) ? { subdir: e.subdir } : containerRecord(e))))
  if (format === 'text/plain') return entries.map((e) => `${isSubdir(e) ? e.subdir : e.name}\n`).join('')
  const body = entries
    .map((e) => {
      if (isSubdir(e)) return `<subdir name="${xmlAttr(e.subdir)}" />\n`
      const r = containerRecord(e)
      return `<container>${['name', 'count', 'bytes', 'last_modified'].map((f) => `<${f}>${xmlEscape(String(r[f]))}</${f}>`).join('')}</container>\n`
    })
    .join('')
  return `${XML_DECL}<account name="${xmlAttr(account)}">\n${body}</account>`
}

/** get_listing_content_type: `format=` wins over Accept; undefined = 406. */
export function listingFormat(formatParam: string | undefined, accept: string | undefined): ListingFormat | undefined {
  if (formatParam) {
    const f = formatParam.toLowerCase()
    return f === 'json' ? 'application/json' : f === 'xml' ? 'application/xml' : 'text/plain'
  }
  if (!accept) return 'text/plain'
  return bestMatch(accept, ['text/plain', 'application/json', 'application/xml', 'text/xml'])
}

function bestMatch(accept: string, offers: ListingFormat[]): ListingFormat | undefined {
  let best: ListingFormat | undefined
  let bestQ = 0
  const parts = accept.split(',').map((p) => {
    const [type, ...params] = p.trim().split(';')
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='))
    return { type: type.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1 }
  })
  for (const offer of offers) {
    for (const { type, q } of parts) {
      const [t, s] = type.split('/')
      const [ot, os] = offer.split('/')
      if ((t === '*' || t === ot) && (s === '*' || s === os) && q > bestQ) {
        best = offer
        bestQ = q
      }
    }
  }
  return best
}
