/**
 * The one place where operating-system errors from a device (errno codes of fs, fs-xattr)
 * become VeloxErrors. Owns the errno → ErrorKind table; it must not decide retries, log,
 * or know about objects or databases (callers handle expected codes such as ENOENT first).
 *
 *   ENOSPC, EDQUOT               → insufficient-storage (507: this device is full)
 *   EIO, EROFS, EUCLEAN, …       → unavailable (the device is bad; try another replica)
 *   EACCES, EPERM                → unavailable, and never insufficient-storage
 *   anything else                → internal
 */
import { constants } from 'node:os'
import { VeloxError, isVeloxError, type ErrorKind } from '../errors.js'

const BY_CODE: Readonly<Record<string, ErrorKind>> = {
  ENOSPC: 'insufficient-storage',
  EDQUOT: 'insufficient-storage',
  EIO: 'unavailable',
  EROFS: 'unavailable',
  // A filesystem that found corruption or was shut down (XFS/ext4 EFSCORRUPTED).
  EUCLEAN: 'unavailable',
  ENODEV: 'unavailable',
  ENXIO: 'unavailable',
  ESTALE: 'unavailable',
  ENOTCONN: 'unavailable',
  // Permissions are an operator or device problem, not a full disk: Swift's
  // test_create_mkstemp_no_space draws the same line.
  EACCES: 'unavailable',
  EPERM: 'unavailable',
}

/** errno number → name, for errors that carry only a number (fs-xattr leaves `code` empty for
 *  errnos it does not know). Node's table lacks Linux's EUCLEAN (117), added by hand. */
const NAME_BY_ERRNO: ReadonlyMap<number, string> = new Map([
  [117, 'EUCLEAN'],
  ...Object.entries(constants.errno).map(([name, n]): [number, string] => [Math.abs(n), name]),
])

/** The errno name of an error from node:fs or fs-xattr, or undefined. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { code, errno } = err as { code?: unknown; errno?: unknown }
  if (typeof code === 'string' && code !== '') return code
  if (typeof errno === 'number') return NAME_BY_ERRNO.get(Math.abs(errno))
  return undefined
}

/** True when `err` is an OS error with one of `codes`. */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  const code = errnoCode(err)
  return code !== undefined && codes.includes(code)
}

/** The kind an OS error maps to (internal when the code is not a device condition). */
export function osErrorKind(err: unknown): ErrorKind {
  const code = errnoCode(err)
  return (code !== undefined && BY_CODE[code]) || 'internal'
}

/**
 * Translates `err` (raised while doing `what` on `device`) into a VeloxError. VeloxErrors pass
 * through untouched so a kind chosen below is never rewritten on the way up.
 */
export function translateOsError(err: unknown, what: string, device?: string): VeloxError {
  if (isVeloxError(err)) return err
  const code = errnoCode(err) ?? 'unknown'
  const kind = osErrorKind(err)
  const where = device ? ` on ${device}` : ''
  return new VeloxError(kind, `${what}${where} failed: ${code}`, { code, ...(device ? { device } : {}) }, { cause: err })
}
