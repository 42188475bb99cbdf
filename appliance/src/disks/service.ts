/**
 * The appliance's disks as the admin sees them: discovered disks merged with Velox's records
 * (state, ring weight, partitions, burn-in, failure reason) and SMART, and the operations on
 * them: burn-in, format + mount, add to the rings, drain, remove, replace, fail. The CLI and
 * /api/admin/disks both call this; it calls system/ for commands and ring-placement for rings.
 *
 * Safety rules live here, before any command runs: a disk that holds the OS or any data is
 * formatted (or burnt in) only with its serial typed back; a mounted disk never; a disk in the
 * ring only after it was drained and removed. Lifecycle steps are in lifecycle.ts.
 */
import { join } from 'node:path'
import { VeloxError } from '../errors.js'
import type { Log } from '../lib/log.js'
import type { SystemCommands } from '../system/commands.js'
import { startBurnIn, type BurnInOptions } from './burn-in.js'
import { parseLsblk, withProbe, type DiscoveredDisk, type DiscoveryOptions } from './discovery.js'
import { JobTable, type Job } from './jobs.js'
import { mountPointOf } from './mounts.js'
import { DiskRegistry, type DiskRecord } from './registry.js'
import { RingPlacement, type RingName, type RingSettings } from './ring-placement.js'
import { parseSmartctl, type SmartSummary } from './smart.js'

export interface DiskServiceOptions {
  system: SystemCommands
  /** disks.json lives here (the appliance's etc/, Swift's swift_dir). */
  etcDir: string
  ring: RingSettings
  log: Log
  discovery?: DiscoveryOptions
  /** Which discovered disks this appliance manages (tests: only the loop devices they made). */
  include?: (d: DiscoveredDisk) => boolean
  burnIn?: Partial<BurnInOptions>
  /** After every ring change: the running appliance loads the new rings now. */
  onRingChange?: () => void | Promise<void>
  /** A device is about to be unmounted (failed, removed): the appliance stops using it and
   *  closes its files (resolves when they are closed, else the unmount finds it busy). */
  onDeviceGone?: (deviceName: string) => void | Promise<void>
  /** How long a SMART reading is reused, ms. */
  smartCacheMs?: number
}

/** Velox's side of a disk, when it has a record. */
export interface VeloxDiskInfo {
  deviceName: string
  state: DiskRecord['state']
  mountPoint: string
  uuid: string
  weight: number
  targetWeight: number | null
  rampPercent: number | null
  /** Partition-replicas the rings still assign to it. */
  partitions: Record<RingName, number> | null
  failedReason: string | null
}

export type DiskView = DiscoveredDisk & {
  /** Seen by this discovery (false: a recorded disk that is gone). */
  present: boolean
  /** Formatting or burning it in needs `confirmSerial` (it holds the OS or data). */
  needsConfirmation: boolean
  /** What to type to confirm: the serial, or the id for disks without one. */
  confirmWith: string
  velox: VeloxDiskInfo | null
  burnIn: DiskRecord['burnIn'] | null
  smart: SmartSummary | null
}

export class DiskService {
  readonly registry: DiskRegistry
  readonly ring: RingPlacement
  readonly jobs: JobTable
  private readonly smartCache = new Map<string, { at: number; value: SmartSummary }>()
  private hooks: Pick<DiskServiceOptions, 'onRingChange' | 'onDeviceGone'>
  private readonly busy = new Set<string>()

  constructor(readonly opts: DiskServiceOptions) {
    this.hooks = { onRingChange: opts.onRingChange, onDeviceGone: opts.onDeviceGone }
    this.registry = new DiskRegistry(opts.etcDir)
    // Beside the mount table: a burn-in running when the process stops comes back interrupted.
    this.jobs = new JobTable(join(opts.etcDir, 'disk-jobs.json'))
    this.ring = new RingPlacement(opts.ring)
  }

  get system(): SystemCommands {
    return this.opts.system
  }

  /** Every managed disk now present, plus recorded disks that are missing. */
  async list(opts: { smart?: boolean } = {}): Promise<DiskView[]> {
    const found = await this.discover()
    const records = this.registry.all().filter((r) => r.state !== 'removed')
    const views = await Promise.all(found.map((d) => this.view(d, records.find((r) => r.id === d.id), opts.smart !== false)))
    for (const r of records) if (!found.some((d) => d.id === r.id)) views.push(this.missingView(r))
    return views
  }

  async get(id: string): Promise<DiskView> {
    const found = (await this.discover(id)).find((d) => d.id === id)
    const rec = this.registry.get(id)
    if (found) return this.view(found, rec?.state === 'removed' ? undefined : rec, true)
    if (rec && rec.state !== 'removed') return this.missingView(rec)
    throw new VeloxError('not-found', `no disk ${id}`)
  }

  /** The discovered disk (present now) with this id. */
  async disk(id: string): Promise<DiscoveredDisk> {
    const d = (await this.discover(id)).find((x) => x.id === id)
    if (!d) throw new VeloxError('not-found', `no disk ${id} is present`)
    return d
  }

  /** The managed disks now present (only the one with `onlyId`, when given: fewer probes). */
  async discover(onlyId?: string): Promise<DiscoveredDisk[]> {
    const all = parseLsblk(await this.system.lsblk(), this.opts.discovery)
    const mine = all.filter((d) => (!this.opts.include || this.opts.include(d)) && (!onlyId || d.id === onlyId))
    // A disk with nothing lsblk could see is probed: without udev lsblk sees no filesystems.
    return Promise.all(mine.map(async (d) => (d.filesystem || d.partitions.length > 0 ? d : withProbe(d, await this.system.blkidProbe(d.path).catch(() => ({}))))))
  }

  /** SMART for a disk (cached); `available: false` where the disk does not answer. */
  async smart(d: DiscoveredDisk, fresh = false): Promise<SmartSummary> {
    const hit = this.smartCache.get(d.id)
    if (!fresh && hit && Date.now() - hit.at < (this.opts.smartCacheMs ?? 300_000)) return hit.value
    let value: SmartSummary
    try {
      value = parseSmartctl((await this.system.smartctl(d.path, 'info')).stdout)
    } catch (err) {
      value = parseSmartctl(JSON.stringify({ smartctl: { exit_status: 2, messages: [{ string: (err as Error).message }] } }))
    }
    this.smartCache.set(d.id, { at: Date.now(), value })
    return value
  }

  /**
   * Starts a burn-in (SMART short self-test, then a write-read-verify sample). It overwrites the
   * sampled regions, so it follows the same confirmation rule as format.
   */
  async burnIn(id: string, opts: { confirmSerial?: string } = {}): Promise<Job> {
    const d = await this.disk(id)
    const rec = this.registry.get(id)
    if (rec && rec.state !== 'removed') throw new VeloxError('conflict', `${id} is ${rec.deviceName} (${rec.state}): remove it before burning it in again`)
    this.checkDestructive(d, opts.confirmSerial, 'burn in')
    const running = this.jobs.runningFor(id)
    if (running) return running
    return startBurnIn(this, d, { ...this.opts.burnIn })
  }

  /** Refuses what must never be overwritten, and what needs the serial typed back. */
  checkDestructive(d: DiscoveredDisk, confirmSerial: string | undefined, what: string): void {
    const rec = this.registry.get(d.id)
    if (rec && (rec.state === 'in-ring' || rec.state === 'draining')) {
      throw new VeloxError('conflict', `${d.id} is ${rec.deviceName} in the ring: drain and remove it first`)
    }
    const ownMount = rec ? mountPointOf(this.system.devicesRoot, rec.deviceName) : undefined
    const foreign = d.mountpoints.filter((m) => m !== ownMount)
    if (foreign.length > 0) throw new VeloxError('conflict', `${d.path} is in use (mounted on ${foreign.join(', ')}); refusing to ${what} it`)
    const velox = rec !== undefined && rec.state !== 'removed'
    if ((d.holdsOs || d.hasData || velox) && confirmSerial !== confirmationOf(d)) {
      const why = d.holdsOs ? 'holds the operating system' : 'has data on it'
      throw new VeloxError('precondition-failed', `${d.path} ${why}: to ${what} it, type its ${d.serial ? 'serial' : 'id'} (${confirmationOf(d)}) as confirmSerial`, {
        needsConfirmation: true,
      })
    }
  }

  private async view(d: DiscoveredDisk, rec: DiskRecord | undefined, withSmart: boolean): Promise<DiskView> {
    return {
      ...d,
      present: true,
      needsConfirmation: d.holdsOs || d.hasData,
      confirmWith: confirmationOf(d),
      velox: rec ? this.veloxInfo(rec) : null,
      burnIn: rec?.burnIn ?? this.registry.burnIn(d.id) ?? null,
      smart: withSmart ? await this.smart(d) : (this.smartCache.get(d.id)?.value ?? null),
    }
  }

  private missingView(r: DiskRecord): DiskView {
    return {
      id: r.id,
      stable: true,
      path: '',
      kind: 'disk',
      model: r.model,
      vendor: null,
      serial: r.serial,
      wwn: null,
      byId: [],
      backingFile: null,
      sizeBytes: r.sizeBytes,
      rotational: false,
      media: 'hdd',
      transport: null,
      hctl: null,
      removable: false,
      readOnly: false,
      filesystem: null,
      partitions: [],
      mountpoints: [],
      holdsOs: false,
      hasData: true,
      veloxDevice: r.deviceName,
      present: false,
      needsConfirmation: true,
      confirmWith: r.serial ?? r.id,
      velox: this.veloxInfo(r),
      burnIn: r.burnIn ?? null,
      smart: null,
    }
  }

  veloxInfo(r: DiskRecord): VeloxDiskInfo {
    let assigned: ReturnType<RingPlacement['assigned']> | undefined
    if (r.ringIds && r.state !== 'removed') {
      try {
        assigned = this.ring.assigned(r.ringIds)
      } catch {
        assigned = undefined // the builders went away (a new data dir): show the record as it is
      }
    }
    return {
      deviceName: r.deviceName,
      state: r.state,
      mountPoint: mountPointOf(this.system.devicesRoot, r.deviceName),
      uuid: r.uuid,
      weight: assigned?.weight ?? 0,
      targetWeight: r.targetWeight ?? null,
      rampPercent: r.rampPercent ?? null,
      partitions: assigned?.partitions ?? null,
      failedReason: r.failedReason ?? null,
    }
  }

  /**
   * Runs one operation on these disks at a time (two admins pressing "format" at once must not
   * both pass the checks and both run mkfs); a disk already busy answers conflict.
   */
  async exclusive<T>(ids: string[], fn: () => Promise<T>): Promise<T> {
    const taken = ids.find((i) => this.busy.has(i))
    if (taken) throw new VeloxError('conflict', `${taken} is busy with another operation`)
    for (const i of ids) this.busy.add(i)
    try {
      return await fn()
    } finally {
      for (const i of ids) this.busy.delete(i)
    }
  }

  /** Wires the running appliance in (main.ts builds the ring reloader after the mounts). */
  connect(hooks: Pick<DiskServiceOptions, 'onRingChange' | 'onDeviceGone'>): void {
    this.hooks = { ...this.hooks, ...hooks }
  }

  async ringChanged(): Promise<void> {
    await this.hooks.onRingChange?.()
  }

  async deviceGone(deviceName: string): Promise<void> {
    await this.hooks.onDeviceGone?.(deviceName)
  }
}

/** What the admin types to confirm a destructive step: the serial, or the id without one. */
export function confirmationOf(d: Pick<DiscoveredDisk, 'serial' | 'id'>): string {
  return d.serial ?? d.id
}
