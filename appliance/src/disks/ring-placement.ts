/**
 * A disk's place in the appliance's rings (account, container, and the object ring of every
 * storage policy: object, object-1, …): add with a
 * weight from its size, reweight (ramp, drain), remove; each change rebalanced and written as
 * new .ring.gz files in one step, which the running appliance then loads (cluster/ring-reload)
 * and the replicator acts on. Also counts the partitions a device is still assigned.
 *
 * Owns builder-file edits for disks; the rebalance itself is ring/'s.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { VeloxError } from '../errors.js'
import { RingBuilder, ringPathForBuilder } from '../ring/builder.js'
import { withRingLock } from './ring-lock.js'

/** A ring's file name without .builder/.ring.gz: "account", "container", "object", "object-1"… */
export type RingName = string
/** The disk's device id in each ring. */
export type RingIds = Record<RingName, number>

export interface RingSettings {
  /** Rings and builders live here (Swift's swift_dir). */
  swiftDir: string
  /** Where this appliance's devices sit in the hierarchy (from the appliance's settings). */
  region: number
  zone: number
  /** The address ring devices of this box carry. */
  ip: string
  port: number
  /** For builders created by the first disk. */
  partPower: number
  replicas: number
  minPartHours: number
  /**
   * Rings that take only some disks, by name: whether a disk of this media (discovery's hdd,
   * ssd, nvme, virtual) joins, for a storage policy of a device class (cluster/policies.ts
   * policyTakesDisk). The device's media is kept in its ring entry's meta.
   */
  takes?: Record<RingName, (media: string | undefined) => boolean>
  /** The rings a disk joins, with the replica count each is created with (default: account,
   *  container and object at `replicas`). */
  rings?: Array<{ name: RingName; replicas: number }>
  /** Who edits, as the ring lock names it to a waiting editor (default "disks"; the pid is
   *  always named too). */
  lockName?: string
  /** The TiB weight of a device of this box that is not a disk (an embedded directory device),
   *  undefined for disks (directory-weights.ts). Applied when a disk joins, so both weigh the
   *  same unit. */
  directoryWeight?: (device: string) => number | undefined
  /** How long an edit waits for another editor's lock before failing (default 10 s). */
  lockWaitMs?: number
}

const TIB = 2 ** 40

/** Swift weights are relative; Velox uses the size in TiB (6 decimals, so small test disks still count). */
export function weightForSize(sizeBytes: number): number {
  return Math.max(1e-6, Math.round((sizeBytes / TIB) * 1e6) / 1e6)
}

export class RingPlacement {
  constructor(private readonly s: RingSettings) {}

  builderPath(kind: RingName): string {
    return join(this.s.swiftDir, `${kind}.builder`)
  }

  /** The rings every disk joins; the object ring (policy 0) is the one that reports weights. */
  get names(): RingName[] {
    return this.s.rings ? this.s.rings.map((r) => r.name) : ['account', 'container', 'object']
  }

  private replicasOf(kind: RingName): number {
    return this.s.rings?.find((r) => r.name === kind)?.replicas ?? this.s.replicas
  }

  /** Runs a ring edit holding the lock the CLI and the appliance share (ring-lock.ts). */
  private locked<T>(what: string, edit: () => T): T {
    return withRingLock(this.s.swiftDir, `${this.s.lockName ?? 'disks'}: ${what}`, edit, this.s.lockWaitMs)
  }

  /** Adds a device to the three rings at `weight` and rebalances; returns its ids. */
  add(deviceName: string, weight: number, media?: string): RingIds {
    return this.locked(`add ${deviceName}`, () => this.addLocked(deviceName, weight, media))
  }

  private addLocked(deviceName: string, weight: number, media?: string): RingIds {
    const ids = {} as RingIds
    for (const kind of this.names) {
      if (this.s.takes?.[kind] && !this.s.takes[kind](media)) continue // a class policy's ring, another class
      const b = this.load(kind, true)
      const existing = b.liveDevices().find((d) => d.device === deviceName && d.ip === this.s.ip && d.port === this.s.port)
      if (existing) throw new VeloxError('conflict', `${deviceName} is already in the ${kind} ring`)
      this.directoryWeightsToTiB(b, deviceName)
      ids[kind] = b.addDevice({ region: this.s.region, zone: this.s.zone, ip: this.s.ip, port: this.s.port, device: deviceName, weight, ...(media ? { meta: `media=${media}` } : {}) })
      this.commit(kind, b)
    }
    return ids
  }

  /** This box's directory devices (weight 100 from the embedded default) reweighted in TiB from
   *  their filesystem, so that a disk joining beside them gets its fair share. Drained (weight 0)
   *  devices stay drained. */
  private directoryWeightsToTiB(b: RingBuilder, joining: string): void {
    if (!this.s.directoryWeight) return
    for (const d of b.liveDevices()) {
      if (d.device === joining || d.ip !== this.s.ip || d.port !== this.s.port || d.weight === 0) continue
      const w = this.s.directoryWeight(d.device)
      if (w !== undefined && Math.abs(w - d.weight) > 1e-6) b.setDeviceWeight(d.id, w)
    }
  }

  setWeight(ids: RingIds, weight: number): void {
    this.locked(`set weight ${weight}`, () => this.setWeightLocked(ids, weight))
  }

  private setWeightLocked(ids: RingIds, weight: number): void {
    for (const kind of this.names) {
      if (ids[kind] === undefined) continue // a ring added after the disk (a new policy)
      const b = this.load(kind, false)
      const others = b.liveDevices().filter((d) => d.weight > 0 && d.id !== ids[kind]).length
      if (weight === 0 && this.canBalance(b) && others < b.state.replicas) {
        throw new VeloxError('conflict', `the ${kind} ring would keep ${others} devices for ${b.state.replicas} replicas: add a disk first`)
      }
      b.setDeviceWeight(ids[kind], weight)
      this.commit(kind, b)
    }
  }

  /**
   * Takes the device out of the rings (its remaining partitions go elsewhere at once). Refused
   * (conflict) when fewer weighted devices than replicas would be left: the rings keep it until
   * a replacement has been added.
   */
  remove(ids: RingIds): void {
    this.locked('remove', () => this.removeLocked(ids))
  }

  private removeLocked(ids: RingIds): void {
    const builders = this.names.map((kind) => [kind, this.load(kind, false)] as const)
    for (const [kind, b] of builders) {
      const others = b.liveDevices().filter((d) => d.weight > 0 && d.id !== ids[kind]).length
      if (this.canBalance(b) && others < b.state.replicas) {
        throw new VeloxError('conflict', `the ${kind} ring would keep ${others} devices for ${b.state.replicas} replicas: add a disk first`)
      }
    }
    for (const [kind, b] of builders) {
      if (ids[kind] !== undefined && b.devices[ids[kind]]) b.removeDevice(ids[kind])
      this.commit(kind, b)
    }
  }

  /** Whether the device is still in the object ring. */
  contains(ids: RingIds): boolean {
    return existsSync(this.builderPath('object')) && this.load('object', false).devices[ids.object] != null
  }

  /** Rebalances again where min_part_hours now allows more moves; true when a ring changed. */
  settle(): boolean {
    return this.locked('settle', () => this.settleLocked())
  }

  private settleLocked(): boolean {
    let changed = false
    for (const kind of this.names) {
      if (!existsSync(this.builderPath(kind))) continue
      const b = this.load(kind, false)
      if (b.minPartSecondsLeft() > 0 || !this.canBalance(b)) continue
      const r = b.rebalance()
      if (r.changedParts > 0) {
        this.save(kind, b)
        changed = true
      }
    }
    return changed
  }

  /** Partition-replicas each ring still assigns to the device, and its current weight. */
  assigned(ids: RingIds): { partitions: Record<RingName, number>; weight: number } {
    const partitions: Record<RingName, number> = {}
    let weight = 0
    for (const kind of this.names) {
      const b = this.load(kind, false)
      const id = ids[kind]
      partitions[kind] = id !== undefined && b.devices[id] ? (b.partsPerDevice()[id] ?? 0) : 0
      if (kind === 'object' && id !== undefined) weight = b.devices[id]?.weight ?? 0
    }
    return { partitions, weight }
  }

  /** Seconds until min_part_hours lets the object ring move partitions again. */
  secondsUntilSettled(): number {
    return existsSync(this.builderPath('object')) ? this.load('object', false).minPartSecondsLeft() : 0
  }

  private load(kind: RingName, create: boolean): RingBuilder {
    const path = this.builderPath(kind)
    if (existsSync(path)) return RingBuilder.load(path)
    if (!create) throw new VeloxError('not-found', `no ${kind} ring yet (${path})`)
    return RingBuilder.create(this.s.partPower, this.replicasOf(kind), this.s.minPartHours)
  }

  /** Rebalances once there are enough weighted devices for the replica count (Swift's rule);
   *  before that (the first disks of a new box) only the builder is saved. */
  private commit(kind: RingName, b: RingBuilder): void {
    if (this.canBalance(b)) b.rebalance()
    this.save(kind, b)
  }

  private canBalance(b: RingBuilder): boolean {
    return b.liveDevices().filter((d) => d.weight > 0).length >= b.state.replicas
  }

  /** Builder first, then the ring: a crash between them leaves a builder ahead of its ring,
   *  which the next change or `velox ring … write_ring` repairs; never a ring without a builder. */
  private save(kind: RingName, b: RingBuilder): void {
    const path = this.builderPath(kind)
    b.save(path)
    if (this.canBalance(b) && b.state.replica2part2dev) b.writeRing(ringPathForBuilder(path))
  }
}
