/**
 * The read side of the ring: built once from a .ring.gz (or ring data in memory), then O(1) lookups on the
 * hot path — path → partition → primary devices, and the handoff sequence in exactly Swift 2.30's order
 * (swift/common/ring/ring.py Ring._get_part_nodes, get_more_nodes, _update_bookkeeping).
 * It never changes assignments (that is builder.ts) and never reloads itself: cluster/ swaps Ring objects.
 */
import { createHash } from 'node:crypto'
import { VeloxError } from '../errors.js'
import { hashPathDigest, partitionOfDigest, type HashPathSecrets } from './hash-path.js'
import { readRingFile } from './ring-file.js'
import { replicaCountOf, type PartToDevice, type RingData, type RingDevice } from './types.js'

export { hashPath, hashPathDigest, partitionOfHash, type HashPathSecrets } from './hash-path.js'

/** A primary: the device plus its position in the primary list (Swift's `index`). */
export type PrimaryNode = RingDevice & { index: number }
/** A handoff: the device plus its position in the handoff sequence (Swift's `handoff_index`). */
export type HandoffNode = RingDevice & { handoffIndex: number }

export interface NodesForPath {
  partition: number
  /** hex md5 of the path, the object's directory name on a device */
  hash: string
  nodes: PrimaryNode[]
}

export class Ring {
  readonly partShift: number
  readonly partitionCount: number
  readonly version: number | null
  private readonly rows: PartToDevice[]
  private readonly devs: ReadonlyArray<RingDevice | null>
  /** per device id: small integers standing for Swift's region, (region, zone) and (region, zone, ip) keys */
  private readonly regionKey: Int32Array
  private readonly zoneKey: Int32Array
  private readonly ipKey: Int32Array
  private readonly numRegions: number
  private readonly numZones: number
  private readonly numIps: number
  private readonly numAssignedDevs: number

  static load(path: string, secrets: HashPathSecrets): Ring {
    return new Ring(readRingFile(path), secrets)
  }

  constructor(
    data: RingData,
    private readonly secrets: HashPathSecrets,
  ) {
    if (data.replica2part2dev.length === 0) throw new VeloxError('bad-request', 'ring has no partition assignments')
    this.rows = data.replica2part2dev
    this.devs = data.devs
    this.partShift = data.partShift
    this.partitionCount = this.rows[0].length
    this.version = data.version
    const n = data.devs.length
    this.regionKey = new Int32Array(n).fill(-1)
    this.zoneKey = new Int32Array(n).fill(-1)
    this.ipKey = new Int32Array(n).fill(-1)
    const keys = new Map<string, number>()
    const keyOf = (k: string) => {
      let v = keys.get(k)
      if (v === undefined) keys.set(k, (v = keys.size))
      return v
    }
    for (const d of data.devs) {
      if (!d) continue
      this.regionKey[d.id] = keyOf(JSON.stringify([d.region]))
      this.zoneKey[d.id] = keyOf(JSON.stringify([d.region, d.zone]))
      this.ipKey[d.id] = keyOf(JSON.stringify([d.region, d.zone, d.ip]))
    }
    // As _update_bookkeeping: only devices holding at least one partition count toward the totals,
    // which keeps get_more_nodes' early exits working.
    const assigned = new Uint8Array(Math.max(n, 0xffff + 1))
    for (const row of this.rows) for (let p = 0; p < row.length; p++) assigned[row[p]] = 1
    const regions = new Set<number>()
    const zones = new Set<number>()
    const ips = new Set<number>()
    let numAssigned = 0
    for (const d of data.devs) {
      if (!d || !assigned[d.id]) continue
      regions.add(this.regionKey[d.id])
      zones.add(this.zoneKey[d.id])
      ips.add(this.ipKey[d.id])
      numAssigned++
    }
    this.numRegions = regions.size
    this.numZones = zones.size
    this.numIps = ips.size
    this.numAssignedDevs = numAssigned
  }

  get partPower(): number {
    return 32 - this.partShift
  }

  get replicaCount(): number {
    return replicaCountOf(this.rows)
  }

  get devices(): ReadonlyArray<RingDevice | null> {
    return this.devs
  }

  getPart(account: string, container?: string, object?: string): number {
    const digest = hashPathDigest(this.secrets.hashPathPrefix, this.secrets.hashPathSuffix, account, container, object)
    return partitionOfDigest(digest, this.partShift)
  }

  getNodes(account: string, container?: string, object?: string): NodesForPath {
    const digest = hashPathDigest(this.secrets.hashPathPrefix, this.secrets.hashPathSuffix, account, container, object)
    const partition = partitionOfDigest(digest, this.partShift)
    return { partition, hash: digest.toString('hex'), nodes: this.getPartNodes(partition) }
  }

  /** The primaries of a partition; a device holding two replicas appears once (Swift's _get_part_nodes). */
  getPartNodes(part: number): PrimaryNode[] {
    const out: PrimaryNode[] = []
    for (const row of this.rows) {
      if (part >= row.length) continue
      const id = row[part]
      if (out.some((d) => d.id === id)) continue
      out.push({ ...this.device(id), index: out.length })
    }
    return out
  }

  /** Primary device ids of a partition, deduplicated, without building node objects. */
  getPartDeviceIds(part: number): number[] {
    const out: number[] = []
    for (const row of this.rows) {
      if (part < row.length && !out.includes(row[part])) out.push(row[part])
    }
    return out
  }

  /**
   * Handoffs for a partition, in Swift 2.30's order: first devices in unused regions, then unused zones,
   * then unused ips, then any unused device, each pass walking partitions from a start derived from
   * md5(str(part)) with a stride of parts/65536.
   */
  *getMoreNodes(part: number): Generator<HandoffNode, void, undefined> {
    for (const id of this.handoffDeviceIds(part)) {
      yield { ...this.device(id.id), handoffIndex: id.handoffIndex }
    }
  }

  /** The same sequence as getMoreNodes, as device ids only (cheaper for bulk use). */
  *handoffDeviceIds(part: number): Generator<{ id: number; handoffIndex: number }, void, undefined> {
    const primaries = this.getPartDeviceIds(part)
    const used = new Set<number>(primaries)
    const sameRegions = new Set<number>(primaries.map((id) => this.regionKey[id]))
    const sameZones = new Set<number>(primaries.map((id) => this.zoneKey[id]))
    const sameIps = new Set<number>(primaries.map((id) => this.ipKey[id]))
    const parts = this.partitionCount
    const partHash = createHash('md5').update(String(part), 'ascii').digest()
    const start = partitionOfDigest(partHash, this.partShift)
    const inc = Math.floor(parts / 65536) || 1
    const order = handoffPartOrder(start, parts, inc)
    let index = 0

    // Pass 1: unused regions.
    if (sameRegions.size !== this.numRegions) {
      outer: for (const hp of order()) {
        for (const row of this.rows) {
          if (hp >= row.length) continue
          const id = row[hp]
          if (used.has(id) || sameRegions.has(this.regionKey[id])) continue
          yield { id, handoffIndex: index++ }
          used.add(id)
          sameRegions.add(this.regionKey[id])
          sameZones.add(this.zoneKey[id])
          sameIps.add(this.ipKey[id])
          if (sameRegions.size === this.numRegions) break outer
        }
      }
    }
    // Pass 2: unused zones.
    if (sameZones.size !== this.numZones) {
      outer: for (const hp of order()) {
        for (const row of this.rows) {
          if (hp >= row.length) continue
          const id = row[hp]
          if (used.has(id) || sameZones.has(this.zoneKey[id])) continue
          yield { id, handoffIndex: index++ }
          used.add(id)
          sameZones.add(this.zoneKey[id])
          sameIps.add(this.ipKey[id])
          if (sameZones.size === this.numZones) break outer
        }
      }
    }
    // Pass 3: unused ips.
    if (sameIps.size !== this.numIps) {
      outer: for (const hp of order()) {
        for (const row of this.rows) {
          if (hp >= row.length) continue
          const id = row[hp]
          if (used.has(id) || sameIps.has(this.ipKey[id])) continue
          yield { id, handoffIndex: index++ }
          used.add(id)
          sameIps.add(this.ipKey[id])
          if (sameIps.size === this.numIps) break outer
        }
      }
    }
    // Pass 4: any unused device.
    if (used.size !== this.numAssignedDevs) {
      outer: for (const hp of order()) {
        for (const row of this.rows) {
          if (hp >= row.length) continue
          const id = row[hp]
          if (used.has(id)) continue
          yield { id, handoffIndex: index++ }
          used.add(id)
          if (used.size === this.numAssignedDevs) break outer
        }
      }
    }
  }

  private device(id: number): RingDevice {
    const d = this.devs[id]
    if (!d) throw new VeloxError('internal', `ring assigns a partition to missing device ${id}`)
    return d
  }
}

/** chain(range(start, parts, inc), range(inc - ((parts - start) % inc), start, inc)) from get_more_nodes. */
function handoffPartOrder(start: number, parts: number, inc: number): () => Generator<number, void, undefined> {
  return function* () {
    for (let p = start; p < parts; p += inc) yield p
    for (let p = inc - ((parts - start) % inc); p < start; p += inc) yield p
  }
}
