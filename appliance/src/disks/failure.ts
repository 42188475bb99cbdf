/**
 * Failure detection for Velox disks: a disk is marked failed (out of the rings, unmounted,
 * the reason kept for the admin) when its I/O errors cross a threshold within a window, when
 * its filesystem no longer takes a small synced write (XFS shut down, remounted read-only), or
 * when SMART says it is failing. Errors arrive from cluster/ (the node directory's error hook);
 * the probe and SMART run on a timer. Placement already routes around a device that errors;
 * this is what makes the state permanent and visible, and starts the re-creation of replicas.
 */
import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { isVeloxError } from '../errors.js'
import { errnoCode } from '../store/os-errors.js'
import { failDisk } from './lifecycle.js'
import { mountPointOf } from './mounts.js'
import type { DiskRecord } from './registry.js'
import type { DiskService } from './service.js'

export interface FailureOptions {
  /** Device errors within `windowMs` that fail a disk. */
  ioErrorThreshold: number
  windowMs: number
  /** How often mounted disks are probed and SMART is read. */
  intervalMs: number
}

const DEFAULTS: FailureOptions = { ioErrorThreshold: 20, windowMs: 60_000, intervalMs: 30_000 }
/** errno codes that say the device or its filesystem is broken (ENOSPC is not one). */
const DEAD = new Set(['EIO', 'EROFS', 'EUCLEAN', 'ENODEV', 'ENXIO', 'ESTALE'])
const PROBE_FILE = '.velox-probe'

export class FailureMonitor {
  private readonly o: FailureOptions
  private readonly errors = new Map<string, number[]>()
  private timer: NodeJS.Timeout | undefined
  private checking: Promise<void> | undefined

  constructor(
    private readonly svc: DiskService,
    opts: Partial<FailureOptions> = {},
  ) {
    this.o = { ...DEFAULTS, ...opts }
  }

  start(): void {
    this.timer = setInterval(() => void this.checkAll(), this.o.intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.checking
  }

  /** A device error seen by cluster/; counts only errors that say the device is bad. */
  ioError(deviceName: string, err: unknown): void {
    const code = errnoCode(isVeloxError(err) ? err.cause : err)
    if (code ? !DEAD.has(code) : !isVeloxError(err, 'unavailable')) return
    const now = Date.now()
    const recent = (this.errors.get(deviceName) ?? []).filter((t) => now - t < this.o.windowMs)
    recent.push(now)
    this.errors.set(deviceName, recent)
    if (recent.length < this.o.ioErrorThreshold) return
    this.errors.delete(deviceName)
    const rec = this.svc.registry.byDeviceName(deviceName)
    if (rec) void failDisk(this.svc, rec.id, `${recent.length} I/O errors within ${this.o.windowMs / 1000} s (last: ${code ?? (err as Error).message})`)
  }

  /** Probes every mounted Velox disk and reads SMART; fails the ones that are dead. */
  checkAll(): Promise<void> {
    this.checking ??= this.checkNow().finally(() => {
      this.checking = undefined
    })
    return this.checking
  }

  private async checkNow(): Promise<void> {
    const live = this.svc.registry.all().filter((r) => r.state === 'in-ring' || r.state === 'draining' || r.state === 'drained' || r.state === 'formatted')
    if (live.length === 0) return
    // Without a discovery (lsblk failed) only the probe decides: "not found" must mean gone.
    const found = await this.svc.discover().catch(() => undefined)
    for (const rec of live) {
      const why = this.probe(rec) ?? (found ? await this.smartVerdict(rec, found) : undefined)
      if (why) await failDisk(this.svc, rec.id, why)
    }
  }

  /** A small synced write on the filesystem: the cheapest proof that it still takes writes. */
  private probe(rec: DiskRecord): string | undefined {
    const path = join(mountPointOf(this.svc.system.devicesRoot, rec.deviceName), PROBE_FILE)
    try {
      const fd = openSync(path, 'w')
      try {
        writeSync(fd, 'velox')
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
      unlinkSync(path)
      return undefined
    } catch (err) {
      const code = errnoCode(err)
      if (code && DEAD.has(code)) return `the filesystem no longer takes writes (${code}): shut down or read-only`
      return undefined // ENOSPC and the like are not a dead disk
    }
  }

  private async smartVerdict(rec: DiskRecord, found: Awaited<ReturnType<DiskService['discover']>>): Promise<string | undefined> {
    const d = found.find((x) => x.id === rec.id)
    if (!d) return `the disk is gone (no block device with id ${rec.id})`
    const s = await this.svc.smart(d)
    return s.available && s.failing.length > 0 ? `SMART: ${s.failing.join('; ')}` : undefined
  }
}
