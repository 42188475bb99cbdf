/**
 * The ring builder: devices (add, reweight, remove), the partition table and the min_part_hours clock,
 * the balance and dispersion figures swift-ring-builder reports, and the builder file (our own JSON, the
 * counterpart of Swift's pickled .builder). The rebalance itself lives in rebalance.ts and the .ring.gz
 * format in ring-file.ts; this module wires them to a device list and a file.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { VeloxError } from '../errors.js'
import { matchesSearch, type DeviceSearch } from './dev-search.js'
import { computeDispersion, rebalance, type BuilderState, type RebalanceOptions } from './rebalance.js'
import { writeRingFile } from './ring-file.js'
import { NONE_DEV, type RingData, type RingDevice } from './types.js'

/** Swift shows a device that has partitions but no weight with this balance. */
export const MAX_BALANCE = 999.99

export interface NewDevice {
  id?: number
  region: number
  zone: number
  ip: string
  port: number
  replicationIp?: string | null
  replicationPort?: number | null
  device: string
  weight: number
  meta?: string
}

export interface RebalanceReport {
  /** partition-replicas assigned to a different device than before */
  changedParts: number
  balance: number
  dispersion: number
  removedDevs: number
  finished: boolean
}

const FILE_FORMAT = 'velox-ring-builder/1'

export class RingBuilder {
  version = 0
  devsChanged = false
  /** % of partition-replicas not dispersed as widely as they could be; null before the first rebalance */
  dispersion: number | null = null
  id: string | null = null

  private constructor(readonly state: BuilderState) {}

  static create(partPower: number, replicas: number, minPartHours: number): RingBuilder {
    if (!Number.isInteger(partPower) || partPower < 0 || partPower > 32) throw new VeloxError('bad-request', `part_power must be 0..32 (was ${partPower})`)
    if (partPower > 24) throw new VeloxError('bad-request', `part_power above 24 needs more memory than an appliance has (was ${partPower})`)
    if (!(replicas >= 1)) throw new VeloxError('bad-request', `replicas must be at least 1 (was ${replicas})`)
    if (!(minPartHours >= 0) || !Number.isInteger(minPartHours)) throw new VeloxError('bad-request', `min_part_hours must be a non-negative integer (was ${minPartHours})`)
    return new RingBuilder({
      partPower,
      replicas,
      minPartHours,
      overload: 0,
      devs: [],
      replica2part2dev: null,
      lastPartMoves: new Uint8Array(2 ** partPower),
      lastPartMovesEpoch: 0,
      lastPartGatherStart: 0,
      removeDevs: [],
    })
  }

  get parts(): number {
    return 2 ** this.state.partPower
  }

  get devices(): ReadonlyArray<RingDevice | null> {
    return this.state.devs
  }

  liveDevices(): RingDevice[] {
    return this.state.devs.filter((d): d is RingDevice => d !== null)
  }

  isMarkedForRemoval(id: number): boolean {
    return this.state.removeDevs.includes(id)
  }

  /** add_dev: the lowest free id unless one is given. */
  addDevice(input: NewDevice): number {
    const devs = this.state.devs
    let id = input.id
    if (id === undefined) {
      id = devs.indexOf(null)
      if (id < 0) id = devs.length
    }
    if (!Number.isInteger(id) || id < 0 || id >= NONE_DEV) throw new VeloxError('bad-request', `invalid device id ${id}`)
    if (devs[id]) throw new VeloxError('conflict', `duplicate device id: ${id}`)
    if (!(input.weight >= 0)) throw new VeloxError('bad-request', `invalid weight ${input.weight}`)
    while (devs.length <= id) devs.push(null)
    devs[id] = {
      id,
      region: input.region,
      zone: input.zone,
      ip: input.ip,
      port: input.port,
      replicationIp: input.replicationIp ?? input.ip,
      replicationPort: input.replicationPort ?? input.port,
      device: input.device,
      weight: input.weight,
      meta: input.meta ?? '',
    }
    this.changed()
    return id
  }

  setDeviceWeight(id: number, weight: number): void {
    if (this.isMarkedForRemoval(id)) throw new VeloxError('conflict', `cannot set weight of device ${id}: it is marked for removal`)
    if (!(weight >= 0)) throw new VeloxError('bad-request', `invalid weight ${weight}`)
    this.device(id).weight = weight
    this.changed()
  }

  /** remove_dev: drains at the next rebalance, ignoring min_part_hours (a removed device is assumed failed). */
  removeDevice(id: number): void {
    const dev = this.device(id)
    dev.weight = 0
    if (!this.isMarkedForRemoval(id)) this.state.removeDevs.push(id)
    this.changed()
  }

  searchDevices(q: DeviceSearch): RingDevice[] {
    return this.liveDevices().filter((d) => matchesSearch(d, q))
  }

  /**
   * set_replicas: the next rebalance adds rows (the new replicas placed like any moved one)
   * or cuts them (the dropped replicas simply go); fractional counts give a partial last row.
   * As in Swift, the builder is marked changed only when the number of slots changes, and
   * the version moves at the rebalance.
   */
  setReplicas(replicas: number): void {
    if (!(replicas >= 1)) throw new VeloxError('bad-request', `replicas must be at least 1 (was ${replicas})`)
    if (Math.floor(this.parts * replicas) !== Math.floor(this.parts * this.state.replicas)) this.devsChanged = true
    this.state.replicas = replicas
  }

  setOverload(overload: number): void {
    if (!(overload >= 0)) throw new VeloxError('bad-request', `invalid overload ${overload}`)
    this.state.overload = overload
    this.changed()
  }

  rebalance(opts: RebalanceOptions = {}): RebalanceReport {
    const result = rebalance(this.state, opts)
    this.devsChanged = false
    this.dispersion = computeDispersion(this.state.devs, this.state.replica2part2dev!, this.state.replicas)
    this.version++
    return { ...result, balance: this.getBalance(), dispersion: this.dispersion }
  }

  /** Partition-replicas per device id. */
  partsPerDevice(): Int32Array {
    const out = new Int32Array(this.state.devs.length)
    for (const row of this.state.replica2part2dev ?? []) for (let p = 0; p < row.length; p++) if (row[p] !== NONE_DEV) out[row[p]]++
    return out
  }

  /** _build_balance_per_dev: % above (+) or below (−) the share its weight asks for. */
  balancePerDevice(): Map<number, number> {
    const parts = this.partsPerDevice()
    const live = this.liveDevices()
    const totalWeight = live.reduce((s, d) => s + d.weight, 0)
    if (!(totalWeight > 0)) throw new VeloxError('bad-request', 'there are no devices in this ring, or all devices have been deleted')
    const weightOfOnePart = (this.parts * this.state.replicas) / totalWeight
    const out = new Map<number, number>()
    for (const d of live) {
      if (!d.weight) out.set(d.id, parts[d.id] ? MAX_BALANCE : 0)
      else out.set(d.id, (100 * parts[d.id]) / (d.weight * weightOfOnePart) - 100)
    }
    return out
  }

  /** get_balance: the worst absolute deviation of any device, in %. */
  getBalance(): number {
    let worst = 0
    for (const b of this.balancePerDevice().values()) worst = Math.max(worst, Math.abs(b))
    return worst
  }

  minPartSecondsLeft(nowSec = Date.now() / 1000): number {
    return Math.max(this.state.minPartHours * 3600 - Math.floor(nowSec - this.state.lastPartMovesEpoch), 0)
  }

  /** pretend_min_part_hours_passed: the next rebalance may move any partition. */
  pretendMinPartHoursPassed(): void {
    this.state.lastPartMovesEpoch = 0
    this.state.lastPartMoves.fill(0xff)
  }

  /** get_ring: what a .ring.gz holds. */
  getRingData(): RingData {
    if (!this.state.replica2part2dev) throw new VeloxError('bad-request', 'the ring has never been rebalanced')
    return {
      devs: this.state.devs.map((d) => (d ? { ...d } : null)),
      replica2part2dev: this.state.replica2part2dev.map((r) => r.slice()),
      partShift: 32 - this.state.partPower,
      version: this.version,
      nextPartPower: null,
    }
  }

  writeRing(path: string): void {
    writeRingFile(path, this.getRingData())
  }

  toJSON(): object {
    const s = this.state
    return {
      format: FILE_FORMAT,
      id: this.id,
      version: this.version,
      devsChanged: this.devsChanged,
      dispersion: this.dispersion,
      partPower: s.partPower,
      replicas: s.replicas,
      minPartHours: s.minPartHours,
      overload: s.overload,
      devs: s.devs,
      removeDevs: s.removeDevs,
      lastPartMovesEpoch: s.lastPartMovesEpoch,
      lastPartGatherStart: s.lastPartGatherStart,
      lastPartMoves: Buffer.from(s.lastPartMoves).toString('base64'),
      // little-endian rows, base64: compact and exact
      replica2part2dev: s.replica2part2dev?.map((r) => base64OfU16(r)) ?? null,
    }
  }

  static fromJSON(json: unknown): RingBuilder {
    const j = json as BuilderFile
    if (!j || j.format !== FILE_FORMAT) throw new VeloxError('bad-request', 'not a Velox ring builder file')
    const b = new RingBuilder({
      partPower: j.partPower,
      replicas: j.replicas,
      minPartHours: j.minPartHours,
      overload: j.overload,
      devs: j.devs,
      removeDevs: j.removeDevs,
      lastPartMovesEpoch: j.lastPartMovesEpoch,
      lastPartGatherStart: j.lastPartGatherStart,
      lastPartMoves: new Uint8Array(Buffer.from(j.lastPartMoves, 'base64')),
      replica2part2dev: j.replica2part2dev?.map(u16OfBase64) ?? null,
    })
    b.id = j.id
    b.version = j.version
    b.devsChanged = j.devsChanged
    b.dispersion = j.dispersion
    return b
  }

  /** Save the builder file atomically; the first save assigns the builder's id, as Swift's does. */
  save(path: string): void {
    this.id ??= randomUUID().replace(/-/g, '')
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(this.toJSON()))
    renameSync(tmp, path)
  }

  static load(path: string): RingBuilder {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new VeloxError('not-found', `ring builder file does not exist: ${path}`)
      throw err
    }
    try {
      return RingBuilder.fromJSON(JSON.parse(text))
    } catch (err) {
      if (err instanceof SyntaxError) throw new VeloxError('bad-request', `ring builder file is invalid: ${path}`)
      throw err
    }
  }

  private device(id: number): RingDevice {
    const d = this.state.devs[id]
    if (!d) throw new VeloxError('not-found', `no device ${id}`)
    return d
  }

  private changed(): void {
    this.devsChanged = true
    this.version++
  }
}

/** object.builder → object.ring.gz; object.builder.json → object.ring.gz (as swift-ring-builder names them). */
export function ringPathForBuilder(builderPath: string): string {
  const base = builderPath.replace(/\.builder\.json$|\.builder$|\.json$/, '')
  return `${base}.ring.gz`
}

interface BuilderFile {
  format: string
  id: string | null
  version: number
  devsChanged: boolean
  dispersion: number | null
  partPower: number
  replicas: number
  minPartHours: number
  overload: number
  devs: (RingDevice | null)[]
  removeDevs: number[]
  lastPartMovesEpoch: number
  lastPartGatherStart: number
  lastPartMoves: string
  replica2part2dev: string[] | null
}

function base64OfU16(row: Uint16Array): string {
  const le = new Uint8Array(row.length * 2)
  const view = new DataView(le.buffer)
  for (let i = 0; i < row.length; i++) view.setUint16(i * 2, row[i], true)
  return Buffer.from(le).toString('base64')
}

function u16OfBase64(text: string): Uint16Array {
  const bytes = Buffer.from(text, 'base64')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Uint16Array(bytes.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true)
  return out
}
