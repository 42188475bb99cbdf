/**
 * Header values at the Swift edge, the one place they change form. Node hands a header value
 * over as latin-1 (one character per byte) and writes a string as latin-1; Swift reads header
 * bytes as UTF-8 and writes UTF-8 back. So every request header is decoded here (request.ts)
 * and every response header encoded here (respond.ts), and the layers below see names and
 * values as the Unicode strings they are: X-Object-Manifest, X-Copy-From, Destination,
 * X-Symlink-Target, X-Versions-Location, static web metas, user metadata.
 */
import { isUtf8 } from 'node:buffer'

const NON_ASCII = /[^\x00-\x7f]/
const BEYOND_LATIN1 = /[^\x00-\xff]/
/** Python's surrogateescape: a byte 0x80–0xff that is not part of valid UTF-8 as U+DC80–U+DCFF. */
const ESCAPED = /[\udc80-\udcff]/

/**
 * A metadata value as Unicode, keeping bytes that are not UTF-8 as Python's surrogateescape
 * does: Swift stores object metadata as the bytes it came as and sends those bytes back, so
 * they must survive the store (JSON keeps a lone surrogate as `\udcXX`) and headerToWire.
 */
export function metaFromWire(value: string): string {
  if (!NON_ASCII.test(value)) return value
  const bytes = Buffer.from(value, 'latin1')
  if (isUtf8(bytes)) return bytes.toString('utf8')
  let out = ''
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (n > 0 && i + n <= bytes.length && isUtf8(bytes.subarray(i, i + n))) {
      out += bytes.toString('utf8', i, i + n)
      i += n
    } else {
      out += String.fromCharCode(0xdc00 + b)
      i++
    }
  }
  return out
}

/** A value holding escaped bytes (metaFromWire) as the latin-1 string of its original bytes. */
function escapedToWire(value: string): string {
  let out = ''
  for (const ch of value) {
    const c = ch.charCodeAt(0)
    out += ch.length === 1 && c >= 0xdc80 && c <= 0xdcff ? String.fromCharCode(c - 0xdc00) : Buffer.from(ch, 'utf8').toString('latin1')
  }
  return out
}

const USER_META = /^x-(object|container|account)-meta-/i

/**
 * A request header value as Unicode. Bytes that are not valid UTF-8 stay as they came
 * (latin-1 characters): Swift keeps such bytes too, and refusing them is not this layer's call.
 * User metadata (by the header's `name`) keeps them escaped instead (metaFromWire).
 */
export function headerFromWire(value: string, name?: string): string {
  if (!NON_ASCII.test(value)) return value
  if (name !== undefined && USER_META.test(name)) return metaFromWire(value)
  const bytes = Buffer.from(value, 'latin1')
  return isUtf8(bytes) ? bytes.toString('utf8') : value
}

/**
 * A response header value as the latin-1 string whose bytes are its UTF-8, which Node writes
 * as is. A value already in that form is sent unchanged: metadata stored before header values
 * were decoded here holds the client's UTF-8 bytes as latin-1 characters, and must come back
 * as the bytes the client sent (a decoded value whose characters are all latin-1 and whose
 * bytes happen to be valid UTF-8, such as "Ã©", is the price, and as unlikely as it looks).
 */
export function headerToWire(value: string): string {
  if (!NON_ASCII.test(value)) return value
  if (ESCAPED.test(value)) return escapedToWire(value)
  if (!BEYOND_LATIN1.test(value) && isUtf8(Buffer.from(value, 'latin1'))) return value
  return Buffer.from(value, 'utf8').toString('latin1')
}
