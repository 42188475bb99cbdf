/**
 * The storage nodes this appliance can reach, one per ring device: in process for the
 * devices of this box (later also HTTP clients for peers), behind one interface. Tracks
 * device errors so that placement routes around a failing device for a while (Swift's
 * error suppression), without ever forgetting it.
 */
import type { RingDevice } from '../ring/types.js'
import type { DeviceDatabases, DeviceObjects } from '../store/types.js'
import { DeviceHealth, type DeviceHealthLog, type DeviceState } from './device-health.js'

export interface StorageNode {
  /** The device name on its appliance ("d1", "sdb1"). */
  readonly device: string
  readonly objects: DeviceObjects
  readonly dbs: DeviceDatabases
}

export interface NodeDirectoryOptions {
  /** How long a device that errored is skipped (Swift's error_suppression_interval). */
  suppressMs?: number
  now?: () => number
  /** Where transitions of a device to failed and back are logged (rate-limited). */
  log?: DeviceHealthLog
  /** Told of every device error (disks/ counts them to fail a dying disk). */
  onError?: (device: string, error: unknown) => void
}

export class NodeDirectory {
  private readonly downUntil = new Map<string, number>()
  private readonly suppressMs: number
  private readonly now: () => number
  private readonly health: DeviceHealth
  private readonly onError?: (device: string, error: unknown) => void

  constructor(
    /** Local devices by name. */
    private readonly local: ReadonlyMap<string, StorageNode>,
    opts: NodeDirectoryOptions = {},
  ) {
    this.suppressMs = opts.suppressMs ?? 60_000
    this.now = opts.now ?? Date.now
    this.health = new DeviceHealth({ log: opts.log, now: this.now })
    this.onError = opts.onError
  }

  /** The node serving a ring device, or undefined when it cannot be reached from here. */
  resolve(dev: RingDevice): StorageNode | undefined {
    return this.local.get(dev.device)
  }

  markError(dev: RingDevice, error?: unknown): void {
    this.downUntil.set(key(dev), this.now() + this.suppressMs)
    this.health.failed(key(dev), error)
    if (error !== undefined && this.local.has(dev.device)) this.onError?.(dev.device, error)
  }

  markOk(dev: RingDevice): void {
    this.downUntil.delete(key(dev))
    this.health.ok(key(dev))
  }

  /** Devices that have failed since start and whether they still do (for the health console). */
  deviceStates(): DeviceState[] {
    return this.health.states()
  }

  /** The same for this box's devices, by device name ("d1"), as the health console names them. */
  localDeviceStates(): DeviceState[] {
    return this.health
      .states()
      .map((s) => ({ ...s, device: s.device.slice(s.device.lastIndexOf('/') + 1) }))
      .filter((s) => this.local.has(s.device))
  }

  isHealthy(dev: RingDevice): boolean {
    const until = this.downUntil.get(key(dev))
    return until === undefined || until <= this.now()
  }

  get localNodes(): ReadonlyMap<string, StorageNode> {
    return this.local
  }
}

function key(dev: RingDevice): string {
  return `${dev.ip}:${dev.port}/${dev.device}`
}
