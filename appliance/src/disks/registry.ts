/**
 * The disk records of this appliance: one JSON file, `<etc>/disks.json`, written atomically
 * (temp, fsync, rename). A file rather than the state database because the mount table in it
 * must be read before anything else opens, at start and by the CLI while the server runs.
 * Each mutation re-reads the file so that the CLI and the server never overwrite each other's
 * newer record (operations are short; the last writer of one disk's record wins).
 *
 * Owns the records' shape and persistence; the lifecycle rules live in lifecycle.ts.
 */
import { randomUUID } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { VeloxError } from '../errors.js'

/** formatted → in-ring → draining → drained → removed; failed from any state once mounted. */
export type DiskState = 'formatted' | 'in-ring' | 'draining' | 'drained' | 'removed' | 'failed'

export interface BurnInResult {
  passed: boolean
  /** Why it failed (shown to the admin), or what was skipped. */
  reason: string
  smartSelfTest: 'passed' | 'failed' | 'unsupported' | 'skipped'
  bytesVerified: number
  writeMBps: number
  readMBps: number
  finishedAt: string
}

export interface DiskRecord {
  /** The discovered stable identity (discovery.ts). */
  id: string
  /** The ring device name and the mount point's name (`<devicesRoot>/<deviceName>`), also the XFS label. */
  deviceName: string
  serial: string | null
  model: string | null
  sizeBytes: number
  /** The filesystem UUID it is mounted by. */
  uuid: string
  /** Bytes in use right after format (statfs): the drain figure counts what is above it. */
  emptyUsedBytes?: number
  state: DiskState
  /** Ring device ids of this disk by ring name (account, container, object, object-1, …). */
  ringIds?: Record<string, number>
  /** The weight it is going to (size in TiB); the ring's weight may still be a ramp step below. */
  targetWeight?: number
  /** Gradual ramp: the percentage added per step (25 → 25 %, 50 %, 75 %, 100 %). */
  rampPercent?: number
  burnIn?: BurnInResult
  failedReason?: string
  formattedAt: string
  updatedAt: string
}

export interface RegistryFile {
  /** This appliance's cluster id, written into every identity file. */
  clusterId: string
  disks: Record<string, DiskRecord>
  /** Burn-in results by disk id, kept from before a disk is formatted (burn-in comes first). */
  burnIns?: Record<string, BurnInResult>
}

export class DiskRegistry {
  readonly path: string

  constructor(etcDir: string) {
    this.path = join(etcDir, 'disks.json')
  }

  read(): RegistryFile {
    if (!existsSync(this.path)) return { clusterId: '', disks: {} }
    try {
      const f = JSON.parse(readFileSync(this.path, 'utf8')) as RegistryFile
      return { clusterId: f.clusterId ?? '', disks: f.disks ?? {}, burnIns: f.burnIns ?? {} }
    } catch (err) {
      throw new VeloxError('internal', `${this.path} is not valid JSON: ${(err as Error).message}`)
    }
  }

  /** The cluster id, created on first use. */
  clusterId(): string {
    const f = this.read()
    if (f.clusterId) return f.clusterId
    f.clusterId = randomUUID()
    this.write(f)
    return f.clusterId
  }

  get(id: string): DiskRecord | undefined {
    return this.read().disks[id]
  }

  all(): DiskRecord[] {
    return Object.values(this.read().disks)
  }

  byDeviceName(name: string): DiskRecord | undefined {
    return this.all().find((r) => r.deviceName === name && r.state !== 'removed')
  }

  /** Writes one record (re-reading the file first so other records stay as they are on disk). */
  put(rec: DiskRecord): DiskRecord {
    const f = this.read()
    if (!f.clusterId) f.clusterId = randomUUID()
    const next = { ...rec, updatedAt: new Date().toISOString() }
    f.disks[rec.id] = next
    this.write(f)
    return next
  }

  burnIn(id: string): BurnInResult | undefined {
    return this.read().burnIns?.[id]
  }

  putBurnIn(id: string, result: BurnInResult): void {
    const f = this.read()
    f.burnIns = { ...f.burnIns, [id]: result }
    this.write(f)
  }

  update(id: string, change: Partial<DiskRecord>): DiskRecord {
    const rec = this.get(id)
    if (!rec) throw new VeloxError('not-found', `no record of disk ${id}`)
    return this.put({ ...rec, ...change })
  }

  private write(f: RegistryFile): void {
    mkdirSync(join(this.path, '..'), { recursive: true })
    const tmp = `${this.path}.${process.pid}.tmp`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, `${JSON.stringify(f, null, 2)}\n`)
      fsyncSync(fd) // the mount table must survive the power cut that follows a format
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.path)
  }
}
