/**
 * Range and conditional-request logic as swob implements it: Range parsing and
 * ranges_for_length (syntactically invalid → ignored, unsatisfiable → 416), and the
 * If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since decisions. Pure.
 */
export type ByteRange = { start: number; end: number } // end exclusive

const MAX_RANGES = 50
const MAX_RANGE_OVERLAPS = 2
const MAX_NONASCENDING_RANGES = 8

/** Syntactic ranges [start|null, end|null], or undefined when the header must be ignored. */
export function parseRangeHeader(value: string | undefined): Array<[number | null, number | null]> | undefined {
  if (!value) return undefined
  const v = value.replace(/ /g, '')
  if (!v.toLowerCase().startsWith('bytes=')) return undefined
  const out: Array<[number | null, number | null]> = []
  for (const spec of v.slice(6).split(',')) {
    const dash = spec.indexOf('-')
    if (dash < 0) return undefined
    const a = spec.slice(0, dash)
    const b = spec.slice(dash + 1)
    if (a && !/^\d+$/.test(a)) return undefined
    if (b && !/^\d+$/.test(b)) return undefined
    const start = a ? Number(a) : null
    const end = b ? Number(b) : null
    if (start === null && end === null) return undefined
    if (start !== null && end !== null && end < start) return undefined
    out.push([start, end])
  }
  return out
}

/** swob.Range.ranges_for_length: [] means unsatisfiable (416); undefined means ignore (200). */
export function rangesForLength(specs: Array<[number | null, number | null]> | undefined, length: number): ByteRange[] | undefined {
  if (!specs || specs.length === 0) return undefined
  const all: ByteRange[] = []
  for (const [begin, end] of specs) {
    if (begin === null) {
      if (end === 0) continue
      all.push(end! > length ? { start: 0, end: length } : { start: length - end!, end: length })
      continue
    }
    if (end === null) {
      if (begin < length) all.push({ start: begin, end: length })
    } else if (begin < length) {
      all.push({ start: begin, end: Math.min(end + 1, length) })
    }
  }
  if (all.length > MAX_RANGES) return []
  let overlaps = 0
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [s1, e1, s2, e2] = [all[i].start, all[i].end, all[j].start, all[j].end]
      if ((s1 < s2 && s2 < e1) || (s1 < e2 && e2 < e1) || (s2 < s1 && s1 < e2) || (s2 < e1 && e1 < e2)) {
        if (++overlaps > MAX_RANGE_OVERLAPS) return []
      }
    }
  }
  let ascending = true
  for (let i = 1; i < all.length; i++) {
    if (all[i - 1].start > all[i].start || (all[i - 1].start === all[i].start && all[i - 1].end > all[i].end)) {
      ascending = false
      break
    }
  }
  if (!ascending && all.length >= MAX_NONASCENDING_RANGES) return []
  return all
}

function etagList(value: string): string[] {
  return value.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'))
}

export type Precondition = 'ok' | 'not-modified' | 'failed'

export interface ConditionalHeaders {
  ifMatch?: string
  ifNoneMatch?: string
  ifModifiedSince?: string
  ifUnmodifiedSince?: string
}

/**
 * Evaluates the conditional headers of a GET/HEAD of a resource with `etag` (unquoted) last
 * modified at `lastModifiedSec` (whole seconds), in swob's order
 * (Response._get_conditional_response_status): a matching If-None-Match (304) first, then
 * If-Match (412), If-Modified-Since (304), If-Unmodified-Since (412).
 */
export function evaluatePreconditions(h: ConditionalHeaders, etag: string, lastModifiedSec: number): Precondition {
  if (h.ifNoneMatch !== undefined) {
    const tags = etagList(h.ifNoneMatch)
    if (tags.includes('*') || tags.includes(etag)) return 'not-modified'
  }
  if (h.ifMatch !== undefined) {
    const tags = etagList(h.ifMatch)
    if (!tags.includes('*') && !tags.includes(etag)) return 'failed'
  }
  if (h.ifModifiedSince !== undefined) {
    const since = Date.parse(h.ifModifiedSince)
    if (!Number.isNaN(since) && lastModifiedSec * 1000 <= since) return 'not-modified'
  }
  if (h.ifUnmodifiedSince !== undefined) {
    const since = Date.parse(h.ifUnmodifiedSince)
    if (!Number.isNaN(since) && lastModifiedSec * 1000 > since) return 'failed'
  }
  return 'ok'
}

/** swob: If-Match: * on a resource that does not exist is a 412, not a 404. */
export function failsOnMissing(h: ConditionalHeaders): boolean {
  return h.ifMatch !== undefined && etagList(h.ifMatch).includes('*')
}
