/**
 * Static Large Object manifests as Swift's slo.py defines them, as pure functions: parsing
 * and validating the client's `?multipart-manifest=put` body, the stored (listing) form of a
 * segment, the SLO ETag, the `format=raw` conversion, and the walk that turns byte ranges of
 * the assembled object into reads of segments (descending into sub-SLOs). No I/O, no HTTP.
 */
import { createHash } from 'node:crypto'
import { VeloxError } from '../errors.js'
import { pyJsonDumps } from '../lib/py-json.js'

/** Swift 2.30's slo defaults (published in /info). */
export const SLO_LIMITS = Object.freeze({
  maxManifestSegments: 1000,
  maxManifestSize: 8 * 1024 * 1024,
  yieldFrequencySec: 10,
  minSegmentSize: 1,
  /** Nested manifests deeper than this fail (max_slo_recursion_depth). */
  maxRecursionDepth: 10,
})

/** One client segment after parse_and_validate_input. */
export type InputSegment =
  | { kind: 'path'; path: string; etag?: string | null; sizeBytes?: number; range?: [number | null, number | null] }
  | { kind: 'data'; data: string }

/** A segment as stored in the manifest object (Swift's listing form). */
export interface StoredObjectSegment {
  name: string
  bytes: number
  hash: string
  content_type: string
  last_modified: string
  range?: string
  sub_slo?: boolean
}
export type StoredSegment = StoredObjectSegment | { data: string }

export const isDataSegment = (s: StoredSegment): s is { data: string } => typeof (s as { data?: unknown }).data === 'string'

const badManifest = (msg: string) => new VeloxError('bad-request', msg, { explain: true, headers: { 'Content-Type': 'text/plain' } })

/** swob.Range for one "M-N" / "M-" / "-N" spec list; undefined when invalid. */
function parseRangeSpecs(text: string): Array<[number | null, number | null]> | undefined {
  const out: Array<[number | null, number | null]> = []
  for (const raw of text.split(',')) {
    const spec = raw.trim()
    const dash = spec.indexOf('-')
    if (dash < 0) return undefined
    const a = spec.slice(0, dash).trim()
    const b = spec.slice(dash + 1).trim()
    if ((a && !/^\d+$/.test(a)) || (b && !/^\d+$/.test(b))) return undefined
    const start = a ? Number(a) : null
    const end = b ? Number(b) : null
    if (start === null && end === null) return undefined
    if (start !== null && end !== null && end < start) return undefined
    out.push([start, end])
  }
  return out.length ? out : undefined
}

/** swob's ranges_for_length for one spec: [start, endExclusive] or undefined when unsatisfiable. */
export function rangeForLength([start, end]: [number | null, number | null], length: number): [number, number] | undefined {
  if (start === null) {
    if (end === 0 || length === 0) return undefined
    return [Math.max(0, length - (end as number)), length]
  }
  if (start >= length) return undefined
  return [start, end === null ? length : Math.min(end + 1, length)]
}

function strictBase64(text: string): Buffer | undefined {
  const t = text.replace(/=+$/, '')
  if (!/^[A-Za-z0-9+/]*$/.test(t) || t.length % 4 === 1) return undefined
  return Buffer.from(t, 'base64')
}

/** Python's int() on a size_bytes value; undefined when it would raise. */
function pyInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim())
  return undefined
}

/**
 * parse_and_validate_input: the client's manifest → segments, or `bad-request` whose text
 * lists every bad index ("Index N: …"), one per line, as Swift does.
 */
export function parseManifestInput(body: string, self: { container: string; object: string }): InputSegment[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new VeloxError('bad-request', 'Manifest must be valid JSON.\n', { explain: 'html' })
  }
  if (!Array.isArray(parsed)) throw new VeloxError('bad-request', 'Manifest must be a list.\n', { explain: 'html' })
  const errors: string[] = []
  const out: InputSegment[] = []
  parsed.forEach((seg: unknown, i: number) => {
    const r = parseOne(seg, i, parsed.length, self)
    if (typeof r === 'string') errors.push(r)
    else out.push(r)
  })
  if (parsed.length && out.length === parsed.length && out.every((s) => s.kind === 'data')) {
    errors.push('Inline data segments require at least one object-backed segment.')
  }
  if (errors.length) throw badManifest(errors.map((e) => `${e}\n`).join(''))
  return out
}

function parseOne(seg: unknown, i: number, count: number, self: { container: string; object: string }): InputSegment | string {
  if (typeof seg !== 'object' || seg === null || Array.isArray(seg)) return `Index ${i}: not a JSON object`
  const d = seg as Record<string, unknown>
  const type = 'data' in d ? 'data' : 'path' in d ? 'path' : undefined
  if (!type) return `Index ${i}: expected keys to include one of 'data' or 'path'`
  const allowed = type === 'data' ? ['data'] : ['path', 'range', 'etag', 'size_bytes']
  const extra = Object.keys(d).filter((k) => !allowed.includes(k)).sort()
  if (extra.length) return `Index ${i}: extraneous keys ${extra.map((k) => JSON.stringify(k)).join(', ')}`
  if (type === 'data') {
    const data = typeof d.data === 'string' ? strictBase64(d.data) : undefined
    if (!data) return `Index ${i}: data must be valid base64`
    if (data.length < 1) return `Index ${i}: too small; each segment must be at least 1 byte.`
    return { kind: 'data', data: data.toString('base64') }
  }
  if (typeof d.path !== 'string') return `Index ${i}: "path" must be a string`
  if (!(d.etag === undefined || d.etag === null || typeof d.etag === 'string')) return `Index ${i}: "etag" must be a string or null (if provided)`
  const trimmed = d.path.replace(/^\/+|\/+$/g, '')
  if (!trimmed.includes('/')) return `Index ${i}: path does not refer to an object. Path must be of the form /container/object.`
  let sizeBytes: number | undefined
  if (d.size_bytes !== undefined && d.size_bytes !== null) {
    sizeBytes = pyInt(d.size_bytes)
    if (sizeBytes === undefined) return `Index ${i}: invalid size_bytes`
    if (sizeBytes < 1 && i !== count - 1) return `Index ${i}: too small; each segment must be at least 1 byte.`
  }
  const noLead = d.path.replace(/^\/+/, '')
  const slash = noLead.indexOf('/')
  if (noLead.slice(0, slash) === self.container && noLead.slice(slash + 1) === self.object) return `Index ${i}: manifest must not include itself as a segment`
  let range: [number | null, number | null] | undefined
  if (d.range) {
    const specs = typeof d.range === 'string' ? parseRangeSpecs(d.range) : undefined
    if (!specs) return `Index ${i}: invalid range`
    if (specs.length > 1) return `Index ${i}: multiple ranges (only one allowed)`
    if (sizeBytes !== undefined && !rangeForLength(specs[0], sizeBytes)) return `Index ${i}: unsatisfiable range`
    range = specs[0]
  }
  return { kind: 'path', path: d.path, etag: d.etag as string | null | undefined, sizeBytes, range }
}

/** The bytes a plain GET of the SLO reads from a stored segment. */
export function segmentLength(s: StoredSegment): number {
  if (isDataSegment(s)) return Buffer.from(s.data, 'base64').length
  if (s.range !== undefined) {
    const [a, b] = s.range.split('-').map(Number)
    return b - a + 1
  }
  return Number(s.bytes)
}

/** The SLO's ETag (unquoted): md5 of each segment's etag (with ":range;" when ranged). */
export function sloEtag(segments: readonly StoredSegment[]): string {
  const h = createHash('md5')
  for (const s of segments) {
    if (isDataSegment(s)) h.update(createHash('md5').update(Buffer.from(s.data, 'base64')).digest('hex'))
    else if (s.range !== undefined) h.update(`${s.hash}:${s.range};`)
    else h.update(s.hash)
  }
  return h.digest('hex')
}

export function sloSize(segments: readonly StoredSegment[]): number {
  return segments.reduce((n, s) => n + segmentLength(s), 0)
}

/** The manifest object's body: Python's json.dumps of the stored segments. */
export function manifestBody(segments: readonly StoredSegment[]): Buffer {
  return Buffer.from(pyJsonDumps(segments))
}

export function parseStoredManifest(body: Buffer | string): StoredSegment[] {
  try {
    const v = JSON.parse(body.toString()) as unknown
    return Array.isArray(v) ? (v as StoredSegment[]) : []
  } catch {
    return []
  }
}

/** `?multipart-manifest=get&format=raw`: back to the form a client PUTs (path, etag, size_bytes, range). */
export function rawManifest(segments: readonly StoredSegment[]): Buffer {
  const raw = segments.map((s) => {
    if (isDataSegment(s)) return s
    const out: Record<string, unknown> = { etag: s.hash, path: s.name, size_bytes: s.bytes }
    if (s.range !== undefined) out.range = s.range
    return out
  })
  return Buffer.from(pyJsonDumps(raw, { sortKeys: true }))
}

/** One read the assembled object needs: bytes [first, last] (inclusive) of an object segment, or inline data. */
export type SegmentRead =
  | { kind: 'object'; container: string; object: string; first: number; last: number; etag: string; size: number }
  | { kind: 'data'; bytes: Buffer }

export type FetchSubManifest = (container: string, object: string) => Promise<StoredSegment[]>

function splitName(name: string): [string, string] {
  const n = name.replace(/^\/+/, '')
  const slash = n.indexOf('/')
  return [n.slice(0, slash), n.slice(slash + 1)]
}

/**
 * _byterange_listing_iterator: the segment reads for bytes [first, last] of the assembled
 * object, in order, fetching sub-SLO manifests only when the range reaches into them.
 */
export async function* byteRangeReads(segments: readonly StoredSegment[], first: number, last: number, fetchSub: FetchSubManifest, depth = 1): AsyncGenerator<SegmentRead> {
  for (const seg of segments) {
    const len = segmentLength(seg)
    if (first >= len) {
      first -= len
      last -= len
      continue
    }
    if (last < 0) return
    if (isDataSegment(seg)) {
      const bytes = Buffer.from(seg.data, 'base64')
      yield { kind: 'data', bytes: bytes.subarray(Math.max(0, first), Math.min(len - 1, last) + 1) }
    } else {
      const [rangeStart, rangeEnd] = seg.range !== undefined ? seg.range.split('-').map(Number) : [0, len - 1]
      const [container, object] = splitName(seg.name)
      if (seg.sub_slo) {
        if (depth >= SLO_LIMITS.maxRecursionDepth) throw new VeloxError('conflict', 'max recursion depth exceeded')
        const sub = await fetchSub(container, object)
        yield* byteRangeReads(sub, rangeStart + Math.max(0, first), Math.min(rangeEnd, rangeStart + last), fetchSub, depth + 1)
      } else {
        yield { kind: 'object', container, object, first: Math.max(0, first) + rangeStart, last: Math.min(rangeEnd, rangeStart + last), etag: seg.hash, size: Number(seg.bytes) }
      }
    }
    first -= len
    last -= len
  }
}
