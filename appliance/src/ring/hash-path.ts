/**
 * Swift's hash_path and the partition it implies: md5(prefix + "/" + account[/container[/object]] + suffix)
 * over UTF-8 bytes; partition = first 4 bytes big-endian >>> (32 − part_power). The hex hash is also
 * the object's directory name on a device, so store/ imports `hashPath` from here. No ring data here.
 */
import { createHash } from 'node:crypto'

export interface HashPathSecrets {
  hashPathPrefix: string
  hashPathSuffix: string
}

/** The raw 16-byte digest. As in Swift, an empty container or object counts as absent. */
export function hashPathDigest(prefix: string, suffix: string, account: string, container?: string, object?: string): Buffer {
  if (object && !container) throw new TypeError('hashPath: an object needs a container')
  let path = `${prefix}/${account}`
  if (container) path += `/${container}`
  if (object) path += `/${object}`
  return createHash('md5').update(path + suffix, 'utf8').digest()
}

/** The hex hash of an account, container or object path (Swift's hash_path). */
export function hashPath(prefix: string, suffix: string, account: string, container?: string, object?: string): string {
  return hashPathDigest(prefix, suffix, account, container, object).toString('hex')
}

/** The partition a digest falls in for a ring of 2**partPower partitions. */
export function partitionOfDigest(digest: Uint8Array, partShift: number): number {
  const top = ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0
  return partShift >= 32 ? 0 : top >>> partShift
}

/** The partition of a hex hash (as stored in directory names). */
export function partitionOfHash(hexHash: string, partPower: number): number {
  return partitionOfDigest(Buffer.from(hexHash.slice(0, 8), 'hex'), 32 - partPower)
}
