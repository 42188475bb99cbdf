/**
 * Checks for every value that ends up in a privileged command's argv: device paths, mount
 * points, filesystem labels and UUIDs. Each returns the value (normalised) or throws
 * `bad-request`; none of them touches the system.
 */
import { dirname, resolve } from 'node:path'
import { VeloxError } from '../errors.js'

const DEVICE_PATH = /^\/dev\/[A-Za-z0-9][A-Za-z0-9._:+-]*(\/[A-Za-z0-9][A-Za-z0-9._:+-]*)*$/
/** A mount point's last component: also a ring device name. */
export const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
/** XFS labels are at most 12 bytes. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]{0,11}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function bad(message: string): never {
  throw new VeloxError('bad-request', message)
}

export function checkDevicePath(path: string): string {
  if (typeof path !== 'string' || !DEVICE_PATH.test(path) || path.split('/').includes('..')) bad(`not a device path: ${JSON.stringify(path)}`)
  return path
}

/** A mount point must be exactly `<root>/<name>` with a plain name (no nesting, no ..). */
export function checkMountPoint(root: string, path: string): string {
  const mp = resolve(path)
  const name = mp.slice(mp.lastIndexOf('/') + 1)
  if (dirname(mp) !== resolve(root) || !DEVICE_NAME.test(name)) bad(`mount point ${JSON.stringify(path)} is not directly under ${root}`)
  return mp
}

export function checkLabel(label: string): string {
  if (typeof label !== 'string' || !LABEL.test(label)) bad(`filesystem label ${JSON.stringify(label)}: 1-12 of A-Z a-z 0-9 _ -, not starting with -`)
  return label
}

export function checkUuid(uuid: string): string {
  const u = typeof uuid === 'string' ? uuid.toLowerCase() : ''
  if (!UUID.test(u)) bad(`not a filesystem UUID: ${JSON.stringify(uuid)}`)
  return u
}

export function checkDeviceName(name: string): string {
  if (typeof name !== 'string' || !DEVICE_NAME.test(name)) bad(`device name ${JSON.stringify(name)}: letters, digits, . _ - (≤ 64)`)
  return name
}

/** A value the OS settings pass on (host name, time zone), already validated by setup/; checked again at the door. */
export function checkPattern(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new VeloxError('bad-request', `refusing to pass ${what} ${JSON.stringify(value)} to the system`)
  return value
}
