/**
 * The ring's shared vocabulary: a device as Swift's ring files describe it, and the ring data
 * (replica → partition → device table) that the builder produces and the read side consumes.
 * Pure types and constants; no I/O here.
 */

/** One device of the ring, Swift's dev dict with camelCase names (translated only in ring-file.ts). */
export interface RingDevice {
  id: number
  region: number
  zone: number
  ip: string
  port: number
  replicationIp: string
  replicationPort: number
  /** the device's name on its node, e.g. "sdb1" */
  device: string
  weight: number
  meta: string
}

/** A device table with holes (removed ids stay null so ids never shift), as in Swift. */
export type DeviceTable = ReadonlyArray<RingDevice | null>

/** A device-id row: Uint16Array in Swift 2.30's format; Uint32Array when a file declares dev_id_bytes = 4. */
export type PartToDevice = Uint16Array | Uint32Array

/** What a .ring.gz holds. The last row is shorter when the replica count is fractional. */
export interface RingData {
  devs: DeviceTable
  replica2part2dev: PartToDevice[]
  partShift: number
  version: number | null
  nextPartPower: number | null
}

/** Swift's marker for "no device" in the builder's table (2**16 - 1). */
export const NONE_DEV = 0xffff

/** Swift's replica count for a table: whole rows plus the fraction the last row covers. */
export function replicaCountOf(replica2part2dev: readonly PartToDevice[]): number {
  if (replica2part2dev.length === 0) return 0
  return replica2part2dev.length - 1 + replica2part2dev[replica2part2dev.length - 1].length / replica2part2dev[0].length
}
