/**
 * Header metadata of a request: validation against Swift's constraints (check_metadata).
 * Pure functions over lower-cased headers.
 */
import { isUtf8 } from 'node:buffer'
import type { IncomingHttpHeaders } from 'node:http'
import type { SwiftConstraints } from '../../config/index.js'
import { VeloxError } from '../../errors.js'
import type { SwiftTarget } from './swift-path.js'

export type Headers = Record<string, string | string[] | undefined>

const bad = (msg: string) => new VeloxError('bad-request', msg, { explain: true })

/** "long-name" → "Long-Name": how Swift names a header in its messages (WSGI title case). */
function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, d: string, ch: string) => d + ch.toUpperCase())
}

/** True when a header value as Node hands it over (latin-1, one character per byte) holds valid UTF-8. */
const wireIsUtf8 = (v: string | string[] | undefined): boolean => v === undefined || isUtf8(Buffer.from(Array.isArray(v) ? v.join(', ') : v, 'latin1'))

/**
 * Port of swift/common/constraints.py check_metadata. `wire` is the request's headers as
 * they came (before header-bytes.ts decoded them): account and container metadata must be
 * valid UTF-8 there, as Swift checks it; object metadata keeps any bytes, as in Swift.
 */
export function checkMetadata(h: Headers, target: SwiftTarget, c: SwiftConstraints, wire?: IncomingHttpHeaders): void {
  const prefix = `x-${target}-meta-`
  let count = 0
  let size = 0
  for (const [key, raw] of Object.entries(h)) {
    const value = Array.isArray(raw) ? raw.join(', ') : (raw ?? '')
    if (value.length > c.max_header_size) throw bad(`Header value too long: ${key.slice(0, c.max_meta_name_length)}`)
    if (!key.startsWith(prefix)) continue
    const name = key.slice(prefix.length)
    if (!name) throw bad('Metadata name cannot be empty')
    if (target !== 'object' && wire && !wireIsUtf8(wire[key])) throw bad('Metadata must be valid UTF-8')
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
