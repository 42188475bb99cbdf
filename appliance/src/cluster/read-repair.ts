/**
 * Read repair: a read that found replicas older than the one it served brings them up to
 * date in the background, ahead of the replicator: a tombstone is copied as a tombstone, a
 * newer .meta as a POST, a newer (or missing, or quarantined) data file as a PUT streamed from
 * the replica that was served, opened afresh so the client's read is never disturbed.
 * Bounded: one repair per replica at a time, a few at once, the rest dropped (the next read or
 * the replicator will find them again). Owns these background writes; it must not choose what
 * a client is served.
 */
import { VeloxError, isVeloxError } from '../errors.js'
import type { ObjectLocation } from '../store/types.js'
import type { Target } from './placement.js'
import type { ReplicaAnswer } from './replica-answers.js'

export interface RepairLog {
  warn(msg: string, fields?: Record<string, unknown>): void
  info?(msg: string, fields?: Record<string, unknown>): void
}

/** What the served replica holds, as read repair copies it. */
export type NewestState = { kind: 'tombstone'; timestamp: string } | { kind: 'data'; timestamp: string; metaTimestamp?: string; source: Target }

const MAX_RUNNING = 4
const MAX_QUEUED = 256

interface Job {
  key: string
  run: () => Promise<void>
}

export class ReadRepair {
  private readonly active = new Set<string>()
  private readonly queue: Job[] = []
  private running = 0
  private idleWaiters: Array<() => void> = []
  /** Replicas repaired since start, and repairs that failed (exposed for tests and metrics). */
  repaired = 0
  failed = 0

  constructor(private readonly log?: RepairLog) {}

  /** Queues the repair of each stale replica to `newest`. */
  schedule(loc: ObjectLocation, newest: NewestState, stale: ReplicaAnswer[]): void {
    for (const s of stale) {
      const key = `${s.target.dev.ip}:${s.target.dev.port}/${s.target.dev.device}/${loc.hash}`
      if (this.active.has(key) || this.queue.length >= MAX_QUEUED) continue
      this.active.add(key)
      this.queue.push({ key, run: () => repairOne(loc, newest, s) })
    }
    this.pump()
  }

  /** Resolves once no repair is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve()
    return new Promise((r) => this.idleWaiters.push(r))
  }

  private pump(): void {
    while (this.running < MAX_RUNNING && this.queue.length > 0) {
      const job = this.queue.shift() as Job
      this.running++
      void job
        .run()
        .then(
          () => {
            this.repaired++
            this.log?.info?.('read repair', { replica: job.key })
          },
          (err: unknown) => {
            // A newer write reached the replica meanwhile: nothing left to repair.
            if (isVeloxError(err, 'conflict')) return
            this.failed++
            this.log?.warn('read repair failed', { replica: job.key, error: (err as Error).message })
          },
        )
        .finally(() => {
          this.active.delete(job.key)
          this.running--
          this.pump()
          if (this.running === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w()
        })
    }
  }
}

async function repairOne(loc: ObjectLocation, newest: NewestState, stale: ReplicaAnswer): Promise<void> {
  const objects = stale.target.node.objects
  if (newest.kind === 'tombstone') {
    await objects.delete(loc, newest.timestamp)
    return
  }
  const src = await newest.source.node.objects.open(loc)
  try {
    if (src.meta.timestamp !== newest.timestamp) throw new VeloxError('conflict', 'the served replica changed meanwhile')
    const sameData = stale.kind === 'data' && stale.timestamp === newest.timestamp
    if (!sameData) {
      const m = src.meta
      const body = src.stream()
      try {
        await objects.put(loc, { timestamp: m.timestamp, contentType: m.contentType, headers: m.headers, etag: m.etag, size: m.size, dropCache: true }, body)
      } finally {
        body.destroy()
      }
    }
    // The merged headers as the .meta: the data file's own kept keys win again on read.
    if (src.metaTimestamp) await objects.post(loc, src.metaTimestamp, src.meta.headers)
  } finally {
    await src.close()
  }
}
