/** Listing query parameters (prefix, delimiter, marker, end_marker, limit, reverse, path) → ListingParams. */
import { VeloxError } from '../../errors.js'
import type { ListingParams } from '../../store/types.js'

export function listingParams(q: URLSearchParams, max: number): ListingParams {
  const limitText = q.get('limit')
  let limit = max
  if (limitText && /^\d+$/.test(limitText)) limit = Number(limitText)
  if (limit > max) throw new VeloxError('precondition-failed', `Maximum limit is ${max}`, { explain: true })
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
