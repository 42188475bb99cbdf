/**
 * Header metadata of a request: validation against Swift's constraints (check_metadata) and
 * extraction of the headers each target persists. Pure functions over lower-cased headers.
 */
import type { SwiftConstraints } from '../../config/index.js'
import { VeloxError } from '../../errors.js'
import type { SwiftTarget } from './swift-path.js'

export type Headers = Record<string, string | string[] | undefined>

const bad = (msg: string) => new VeloxError('bad-request', msg, { explain: true })

export function header(h: Headers, name: string): string | undefined {
  const v = h[name]
  return Array.isArray(v) ? v.join(', ') : v
}

/** Port of swift/common/constraints.py check_metadata. */
/** "long-name" → "Long-Name": how Swift names a header in its messages (WSGI title case). */
function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, d: string, ch: string) => d + ch.toUpperCase())
}

export function checkMetadata(h: Headers, target: SwiftTarget, c: SwiftConstraints): void {
  const prefix = `x-${target}-meta-`
  let count = 0
  let size = 0
  for (const [key, raw] of Object.entries(h)) {
    const value = Array.isArray(raw) ? raw.join(', ') : (raw ?? '')
    if (value.length > c.max_header_size) throw bad(`Header value too long: ${key.slice(0, c.max_meta_name_length)}`)
    if (!key.startsWith(prefix)) continue
    const name = key.slice(prefix.length)
    if (!name) throw bad('Metadata name cannot be empty')
    count++
    size += Buffer.byteLength(name) + Buffer.byteLength(value)
    if (Buffer.byteLength(name) > c.max_meta_name_length) throw bad(`Metadata name too long: ${prefix}${titleCase(name)}`)
    if (Buffer.byteLength(value) > c.max_meta_value_length) {
      throw bad(`Metadata value longer than ${c.max_meta_value_length}: ${prefix}${titleCase(name)}`)
    }
    if (count > c.max_meta_count) throw bad(`Too many metadata items; max ${c.max_meta_count}`)
    if (size > c.max_meta_overall_size) throw bad(`Total metadata too large; max ${c.max_meta_overall_size}`)
  }
}

/** Headers an object keeps besides its content type (Swift's object server allowed headers). */
const OBJECT_KEPT = new Set(['content-disposition', 'content-encoding', 'x-delete-at', 'x-object-manifest', 'x-static-large-object', 'cache-control', 'content-language', 'expires', 'x-robots-tag'])

/** The persisted headers of an object PUT or POST: user metadata, sysmeta and the allowed extras. */
export function objectHeadersToKeep(h: Headers): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, raw] of Object.entries(h)) {
    const value = Array.isArray(raw) ? raw.join(', ') : raw
    if (value === undefined) continue
    if (key.startsWith('x-object-meta-') || key.startsWith('x-object-transient-sysmeta-') || OBJECT_KEPT.has(key)) {
      if (key.startsWith('x-object-meta-') && value === '') continue
      out[key] = value
    }
  }
  return out
}

/**
 * Account/container metadata updates from request headers: `x-<t>-meta-k: v` sets,
 * `x-remove-<t>-meta-k` or an empty value removes (stored as ''), plus the listed extra keys.
 */
export function dbMetadataUpdates(h: Headers, target: 'account' | 'container', extras: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {}
  const meta = `x-${target}-meta-`
  const remove = `x-remove-${target}-meta-`
  for (const [key, raw] of Object.entries(h)) {
    const value = Array.isArray(raw) ? raw.join(', ') : (raw ?? '')
    if (key.startsWith(meta)) out[key] = value
    else if (key.startsWith(remove)) out[meta + key.slice(remove.length)] = ''
    else if (extras.includes(key)) out[key] = value
    else if (extras.some((e) => key === `x-remove-${e.slice(2)}`)) out[`x-${key.slice('x-remove-'.length)}`] = ''
  }
  return out
}
