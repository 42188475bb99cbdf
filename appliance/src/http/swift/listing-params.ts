/** Listing query parameters (prefix, delimiter, marker, end_marker, limit, reverse, path) → ListingParams. */
import { VeloxError } from '../../errors.js'
import type { ListingParams } from '../../store/types.js'

const LISTING_KEYS = new Set(['format', 'path', 'prefix', 'delimiter', 'marker', 'end_marker', 'limit', 'reverse'])

/**
 * Swift's get_param: a listing parameter whose percent-decoded value is not UTF-8 is a 400
 * (URLSearchParams would silently turn it into U+FFFD). Takes the raw request URL. The
 * container server sends that 400 as text/plain, the account server with swob's HTML type.
 */
export function checkListingQuery(url: string | undefined, target: 'account' | 'container'): void {
  const q = url?.indexOf('?') ?? -1
  if (!url || q < 0) return
  for (const pair of url.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=')
    const name = eq < 0 ? pair : pair.slice(0, eq)
    if (!LISTING_KEYS.has(name) || eq < 0) continue
    try {
      decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '))
    } catch {
      throw new VeloxError('bad-request', `"${name}" parameter not valid UTF-8`, { explain: target === 'account' ? 'html' : true })
    }
  }
}

export function listingParams(q: URLSearchParams, max: number): ListingParams {
  const limitText = q.get('limit')
  let limit = max
  if (limitText && /^\d+$/.test(limitText)) limit = Number(limitText)
  if (limit > max) throw new VeloxError('precondition-failed', `Maximum limit is ${max}`, { explain: 'html' })
  for (const key of ['prefix', 'delimiter', 'marker', 'end_marker', 'path']) {
    const v = q.get(key)
    if (v !== null && v.includes('\0')) throw new VeloxError('bad-request', `Invalid ${key}`, { explain: true })
  }
  const p: ListingParams = { limit }
  const opt = (k: string) => q.get(k) ?? undefined
  p.prefix = opt('prefix')
  p.delimiter = opt('delimiter') || undefined
  p.marker = opt('marker') || undefined
  p.endMarker = opt('end_marker') || undefined
  p.reverse = /^(1|true|yes|on|t|y)$/i.test(q.get('reverse') ?? '')
  if (q.has('path')) p.path = q.get('path') ?? ''
  return p
}
