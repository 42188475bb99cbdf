/**
 * The replicator of this box: passes over every local device, in which each object partition
 * (of every storage policy's objects dir, `objects-N/`, against that policy's ring) is compared
 * with its other holders and pushed where it is lacking (replicate-objects.ts),
 * handoff partitions are sent home and removed, old tombstones are reclaimed, and every
 * account and container database is brought up to date on its holders (replicate-dbs.ts).
 * Bounded in rate (bytes and files per second, shared by all devices) so that client traffic
 * comes first, and slower still (a share of those rates) while clients are being served. Each pass
 * ends with a report that goes to the log, to `status()` and to a
 * status file under the data dir that `velox replicator status` reads; a pass that found
 * nothing to move on unchanged rings is `idle`, which is when a disk's ramp may step (settled()).
 * Owns scheduling, pacing and reports; it must not know file layouts or database keys.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { setMaxListeners } from 'node:events'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RingDevice } from '../ring/types.js'
import { TokenBucket } from '../store/objects/auditor.js'
import { objectPartitions, objectPolicies, reclaimPartition } from '../store/objects/replica-files.js'
import type { Ring } from '../ring/ring.js'
import type { Rings } from './placement.js'
import { syncDatabases, type DbSyncCounts } from './replicate-dbs.js'
import { eachLimited, syncObjectPartition, type SyncContext, type SyncCounts } from './replicate-objects.js'
import type { LocalReplicaDevice, ReplicationNode } from './replication-node.js'

export interface ReplicationReport extends SyncCounts, DbSyncCounts {
  startedAt: string
  elapsedMs: number
  devices: number
  partitionsChecked: number
  /** Handoff partitions emptied and removed from this box. */
  handoffPartitionsRemoved: number
  tombstonesReclaimed: number
  /** True when stop() ended the pass early. */
  stopped: boolean
  /** The pass ran on unchanged rings, completed, and found nothing to move or hand off, with no
   *  error: every partition is where the rings say (a ramp may take its next step). */
  idle: boolean
}

export interface ReplicatorOptions {
  /** This box's devices, read afresh at every pass (a ring reload may add some). */
  devices: () => Iterable<LocalReplicaDevice>
  rings: () => Rings
  resolve: (dev: RingDevice) => ReplicationNode | undefined
  bytesPerSec: number
  filesPerSec: number
  /** While this says clients are being served, both rates are multiplied by `busyShare` (client traffic first). */
  clientsBusy?: () => boolean
  /** 0 < busyShare ≤ 1 (default 1: no slowdown). */
  busyShare?: number
  /** Pause between passes of start(). */
  intervalMs: number
  /** Tombstones older than this are removed (Swift's reclaim_age). */
  reclaimAgeSec: number
  /** Pushes in flight at once within a partition (default 4). */
  concurrency?: number
  /** Where the last reports are written for `velox replicator status`. */
  statusFile?: string
  onPass?: (report: ReplicationReport) => void
  now?: () => number
}

/** Reports kept in status() and the status file. */
const HISTORY = 10
/** Passes over which the reclaim walk covers every partition once. */
const RECLAIM_SPREAD = 10

export class Replicator {
  private abort = new AbortController()
  private loop?: Promise<void>
  private running?: Promise<ReplicationReport>
  private readonly history: ReplicationReport[] = []
  private readonly syncPoints = new Map<string, number>()
  private wake?: () => void
  private passes = 0
  /** Bumped by ringChanged(): a pass that began on older rings says nothing about these. */
  private ringGeneration = 0
  private lastIdleGeneration = -1

  constructor(private readonly options: ReplicatorOptions) {}

  /** The last reports, newest last, and whether a pass is running now. */
  status(): { running: boolean; reports: ReplicationReport[] } {
    return { running: this.running !== undefined, reports: [...this.history] }
  }

  /** A new ring: every database is sent in full again; the next pass starts at once. */
  ringChanged(): void {
    this.ringGeneration++
    this.syncPoints.clear()
    this.wake?.()
  }

  /**
   * Whether the data sits where the current rings say: the last pass began after the last ring
   * change, completed, and moved nothing. Ramps step only then (disks/lifecycle.ts), so that a
   * big new disk takes its next share once the previous one has arrived.
   */
  settled(): boolean {
    return this.lastIdleGeneration === this.ringGeneration
  }

  /** One pass over every local device (joins the pass in progress, if any). */
  runOnce(): Promise<ReplicationReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined))
    return this.running
  }

  start(): void {
    if (this.loop) return
    this.loop = (async () => {
      while (!this.abort.signal.aborted) {
        const report = await this.runOnce()
        this.options.onPass?.(report)
        await new Promise<void>((resolve) => {
          this.wake = resolve
          sleep(this.options.intervalMs, undefined, { signal: this.abort.signal }).then(resolve, resolve)
        })
        this.wake = undefined
      }
    })()
  }

  async stop(): Promise<void> {
    this.abort.abort()
    this.wake?.()
    await this.loop
    await this.running?.catch(() => undefined)
    this.loop = undefined
    this.abort = new AbortController()
  }

  private async pass(): Promise<ReplicationReport> {
    const o = this.options
    const started = performance.now()
    const signal = this.abort.signal
    // Every paced push waits on this signal at once: not a leak, however many there are.
    setMaxListeners(0, signal)
    const report: ReplicationReport = {
      startedAt: new Date(o.now?.() ?? Date.now()).toISOString(),
      elapsedMs: 0,
      devices: 0,
      partitionsChecked: 0,
      objectsPushed: 0,
      tombstonesPushed: 0,
      metasPushed: 0,
      bytesPushed: 0,
      handoffObjectsRemoved: 0,
      handoffPartitionsRemoved: 0,
      tombstonesReclaimed: 0,
      databasesChecked: 0,
      rowsPushed: 0,
      handoffDatabasesRemoved: 0,
      errors: 0,
      stopped: false,
      idle: false,
    }
    const generation = this.ringGeneration
    const share = () => (o.clientsBusy?.() ? (o.busyShare ?? 1) : 1)
    const bytes = new TokenBucket(() => o.bytesPerSec * share())
    const files = new TokenBucket(() => o.filesPerSec * share())
    const pace = async (n: number) => {
      await files.take(1, signal)
      if (n > 0) await bytes.take(n, signal)
    }
    // Pushes claimed in this pass, box-wide: one holder sends each lacking object, not all of them.
    const claimed = new Set<string>()
    const claims = { claim: (key: string) => !claimed.has(key) && !!claimed.add(key), undo: (key: string) => void claimed.delete(key) }
    const devices = [...o.devices()]
    report.devices = devices.length
    this.passes++
    try {
      // Devices in parallel (each is its own disk); the buckets are shared, so the box's total
      // stays within the limits.
      await Promise.all(devices.map((d) => this.device(d, report, { pace, ...claims }, signal)))
    } catch (err) {
      if (!signal.aborted) throw err
    }
    report.stopped = signal.aborted
    const moved = report.objectsPushed + report.tombstonesPushed + report.metasPushed + report.handoffObjectsRemoved + report.handoffPartitionsRemoved + report.handoffDatabasesRemoved
    report.idle = !report.stopped && report.errors === 0 && moved === 0 && generation === this.ringGeneration
    if (report.idle) this.lastIdleGeneration = generation
    report.elapsedMs = Math.round(performance.now() - started)
    this.history.push(report)
    if (this.history.length > HISTORY) this.history.shift()
    if (o.statusFile) writeStatusFile(o.statusFile, this.history)
    return report
  }

  /** Every partition of one storage policy's objects dir on `d`, against that policy's ring. */
  private async policyPartitions(d: LocalReplicaDevice, policy: number, ctx: SyncContext, report: ReplicationReport): Promise<void> {
    const o = this.options
    const signal = ctx.signal
    let partitions: number[]
    try {
      partitions = await objectPartitions(d.objects, policy)
    } catch {
      report.errors++
      partitions = []
    }
    // Partitions a few at a time: most hold a handful of objects, so the pushes of one partition
    // alone would leave the device waiting on one fsync after another.
    await eachLimited(partitions, ctx.concurrency, async (partition) => {
      if (signal.aborted) return
      const ring = policyRing(o.rings(), policy)
      report.partitionsChecked++
      try {
        // Reclaim walks every hash directory: each pass does a tenth of the partitions (as Swift
        // lists a partition afresh at random one time in ten), so a quiet pass stays cheap.
        if (partition % RECLAIM_SPREAD === this.passes % RECLAIM_SPREAD) {
          report.tombstonesReclaimed += (await reclaimPartition(d.objects, partition, o.reclaimAgeSec, o.now?.(), policy)).tombstones
        }
        if (!ring || partition >= ring.partitionCount) {
          report.errors++ // no ring for this policy, or another part power: left alone, never guessed at
          return
        }
        const primaries = ring.getPartNodes(partition)
        const handoff = !primaries.some((p) => p.device === d.device)
        const holders = primaries.filter((p) => p.device !== d.device)
        const done = await syncObjectPartition(ctx, d.objects, partition, holders, handoff, policy)
        // A handoff sent home leaves empty directories: the same cleanup removes them.
        if (handoff && done && (await reclaimPartition(d.objects, partition, o.reclaimAgeSec, o.now?.(), policy)).partitionRemoved) {
          report.handoffPartitionsRemoved++
        }
      } catch (err) {
        if (!signal.aborted) report.errors++
      }
    })
  }

  private async device(d: LocalReplicaDevice, report: ReplicationReport, shared: Pick<SyncContext, 'pace' | 'claim' | 'undo'>, signal: AbortSignal): Promise<void> {
    const o = this.options
    const ctx = { resolve: o.resolve, ...shared, signal, counts: report, concurrency: o.concurrency ?? 4 }
    let policies: number[]
    try {
      policies = await objectPolicies(d.objects)
    } catch {
      report.errors++
      policies = []
    }
    // Every storage policy's objects dir, each with its own ring (objects-N/ ↔ object-N.ring.gz).
    for (const policy of policies) {
      if (signal.aborted) return
      await this.policyPartitions(d, policy, ctx, report)
    }
    if (signal.aborted) return
    try {
      await syncDatabases({ ...ctx, syncPoints: this.syncPoints }, d.device, d.dbs, o.rings())
    } catch {
      if (!signal.aborted) report.errors++
    }
  }
}

/** The object ring of a storage policy in `rings`, if this box has one. */
function policyRing(rings: Rings, policy: number): Ring | undefined {
  return policy === 0 ? rings.object : rings.objectPolicies?.get(policy)
}

/** Atomically replaces the status file with the last reports. */
function writeStatusFile(path: string, reports: ReplicationReport[]): void {
  try {
    mkdirSync(dirname(path), { recursive: true })
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, `${JSON.stringify({ writtenAt: new Date().toISOString(), pid: process.pid, reports }, null, 1)}\n`)
    renameSync(tmp, path)
  } catch {
    // A status file that cannot be written costs the CLI its figures, not the pass its work.
  }
}

/** Where the running appliance writes its replicator status. */
export function replicatorStatusPath(dataDir: string): string {
  return join(dataDir, 'run', 'replicator.json')
}

export interface StatusFile {
  writtenAt: string
  pid: number
  reports: ReplicationReport[]
}

/** The status file, or undefined when there is none (no pass finished yet). */
export function readStatusFile(path: string): StatusFile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StatusFile
  } catch {
    return undefined
  }
}

/**
 * settled() as another process (the CLI) can tell from the status file: the appliance that
 * writes it is running, and its newest report is an idle pass that began after the rings last
 * changed (`ringsChangedAtMs`). With no appliance running nothing moves data, so nothing is
 * waited for.
 */
export function settledFromStatusFile(status: StatusFile | undefined, ringsChangedAtMs: number, alive: (pid: number) => boolean): boolean {
  if (!status || !alive(status.pid)) return true
  const last = status.reports.at(-1)
  return !!last && last.idle === true && Date.parse(last.startedAt) > ringsChangedAtMs
}
