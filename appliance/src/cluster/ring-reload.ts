/**
 * Loading new rings into the running appliance: when a ring file changes (a disk added,
 * drained or removed by disks/ in this process, or by `velox disk`/`velox ring` from a shell)
 * the three rings are read again, devices the rings now name under this box's devicesDir are
 * opened, and placement switches to the new rings (Swift's proxies check ring mtimes the same
 * way, every reload_time seconds). The replicator then moves data to where the rings say.
 * Devices dropped from the rings stay open (they still hold data to hand off) until
 * `dropDevice` says they are gone (failed, unmounted). Listeners hear of each device opened or
 * dropped, so a new one gets what start gives the others (deviceJoined: auditor, journal replay).
 */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { VeloxConfig } from '../config/index.js'
import type { Log } from '../lib/log.js'
import { loadRings, openLocalDevice, ringDeviceNames, type LocalDevice } from './bootstrap.js'
import type { Placement } from './placement.js'
import type { PendingJournal } from '../store/pending/pending-journal.js'

export class RingReloader {
  private stamps: string
  private timer: NodeJS.Timeout | undefined
  private running: Promise<boolean> | undefined
  private readonly listeners: Array<() => void> = []
  private readonly deviceListeners: Array<{ opened(dev: LocalDevice): void; dropped(dev: LocalDevice): void }> = []

  constructor(
    private readonly config: Readonly<VeloxConfig>,
    private readonly placement: Placement,
    private readonly devices: Map<string, LocalDevice>,
    private readonly log: Log,
  ) {
    this.stamps = this.ringStamps()
  }

  /** Told after every load of new rings (the replicator starts a pass at once). */
  onReload(listener: () => void): void {
    this.listeners.push(listener)
  }

  /** Told about each device a reload opens (it gets what start gave the others: an auditor, its
   *  listing journal replayed) and each device dropped (its auditor stopped). */
  onDevice(listener: { opened(dev: LocalDevice): void; dropped(dev: LocalDevice): void }): void {
    this.deviceListeners.push(listener)
  }

  /** Checks the ring files every `intervalMs` (Swift's reload_time is 15 s). */
  start(intervalMs = 15_000): void {
    this.timer = setInterval(() => void this.reload().catch(() => false), intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /** Loads the rings if a ring file changed since the last load; true when it did. One at a time. */
  reload(force = false): Promise<boolean> {
    const next = (this.running ?? Promise.resolve(false)).then(() => this.reloadNow(force))
    this.running = next.catch(() => false)
    return next
  }

  /** Stops using a device (its disk failed or was taken out): closed and forgotten. */
  async dropDevice(device: string): Promise<void> {
    const dev = this.devices.get(device)
    if (!dev) return
    this.devices.delete(device)
    for (const l of this.deviceListeners) l.dropped(dev)
    await dev.dbs.close().catch((err: Error) => this.log.warn('closing a dropped device', { device, error: err.message }))
    await dev.pending.close().catch((err: Error) => this.log.warn('closing a dropped device', { device, error: err.message }))
  }

  private async reloadNow(force: boolean): Promise<boolean> {
    const stamps = this.ringStamps()
    if (!force && stamps === this.stamps) return false
    let rings
    try {
      rings = loadRings(this.config)
    } catch (err) {
      this.log.warn('new rings not loaded', { error: (err as Error).message })
      return false
    }
    for (const name of ringDeviceNames(rings)) {
      if (this.devices.has(name)) continue
      const dev = await openLocalDevice(this.config, name, this.log)
      if (!dev) continue
      this.devices.set(name, dev)
      for (const l of this.deviceListeners) l.opened(dev)
    }
    this.placement.setRings(rings)
    this.stamps = stamps
    this.log.info('loaded new rings', { devices: [...ringDeviceNames(rings)].length })
    for (const listener of this.listeners) listener()
    return true
  }

  /** mtime, size and inode of every ring file (each storage policy's object ring included). */
  private ringStamps(): string {
    let names: string[]
    try {
      names = readdirSync(this.config.swiftDir).filter((n) => n.endsWith('.ring.gz')).sort()
    } catch {
      return '-'
    }
    return names
      .map((n) => {
        try {
          const s = statSync(join(this.config.swiftDir, n))
          return `${n}:${s.mtimeMs}:${s.size}:${s.ino}`
        } catch {
          return `${n}:-`
        }
      })
      .join('|')
  }
}

/** What a device opened by a reload is given, as at start: a running auditor, and its listing
 *  journal replayed (`listings` absent when the journal is off). Structural types: the auditor
 *  lives in store/, the listing updates in swift/, both wired by main.ts. */
export function deviceJoined(
  auditors: Map<string, { stop(): Promise<void> }>,
  startAuditor: (dev: LocalDevice) => { stop(): Promise<void> },
  listings: { adopt(journal: PendingJournal): Promise<{ checked: number; retried: number }>; release(journal: PendingJournal): void } | undefined,
  log: Log,
): { opened(dev: LocalDevice): void; dropped(dev: LocalDevice): void } {
  return {
    opened(dev) {
      if (!auditors.has(dev.device)) auditors.set(dev.device, startAuditor(dev))
      if (!listings) return
      listings.adopt(dev.pending).then(
        (r) => r.checked + r.retried > 0 && log.info('listing updates replayed', { device: dev.device, ...r }),
        (err: Error) => log.warn('listing replay failed', { device: dev.device, error: err.message }),
      )
    },
    dropped(dev) {
      listings?.release(dev.pending)
      const a = auditors.get(dev.device)
      auditors.delete(dev.device)
      void a?.stop()
    },
  }
}
