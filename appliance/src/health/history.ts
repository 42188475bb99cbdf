/**
 * Metric history in the state database, downsampled into fixed tiers (10 s for a day, 1 min
 * for a week, 1 h for a year). Each point lives in a slot `floor(t / step) mod slots`, so a
 * metric never holds more than the tiers' slot counts on disk however long the box runs: a
 * new point overwrites the slot of the point one retention ago. A bucket is averaged in memory
 * (with min and max) and written when the next bucket starts; queries pick the finest tier
 * whose retention covers the range and skip slots left from an older lap. `prune` deletes
 * points older than their tier's retention, so metrics that stopped (a disk pulled, an
 * interface renamed, a status code seen once) leave the disk too and the size stays fixed.
 */
import type { StateDb, StateNamespace } from '../store/state-db.js'

export interface Tier {
  stepMs: number
  slots: number
}

export const DEFAULT_TIERS: Tier[] = [
  { stepMs: 10_000, slots: 8640 }, // 1 day
  { stepMs: 60_000, slots: 10_080 }, // 7 days
  { stepMs: 3_600_000, slots: 8760 }, // 1 year
]

export interface Point {
  t: number
  avg: number
  min: number
  max: number
}

interface Acc {
  bucket: number
  sum: number
  n: number
  min: number
  max: number
}

const pointOf = (a: Acc, stepMs: number): Point => ({ t: a.bucket * stepMs, avg: a.sum / a.n, min: a.min, max: a.max })

/** Metric names are the sampler's dotted names; the NUL separator keeps prefixes unambiguous. */
const METRIC = /^[A-Za-z0-9_.:/-]{1,200}$/

export class History {
  private readonly ns: StateNamespace<Point>
  private readonly acc = new Map<string, Acc[]>()
  /** Metric name → when it was last recorded (written by `prune`). */
  private readonly names: StateNamespace<number>
  private pending: Promise<unknown> = Promise.resolve()

  constructor(db: StateDb, readonly tiers: Tier[] = DEFAULT_TIERS) {
    this.ns = db.namespace<Point>('health-history')
    this.names = db.namespace<number>('health-history-names')
  }

  private key(metric: string, tier: number, t: number): string {
    const slot = Math.floor(t / this.tiers[tier].stepMs) % this.tiers[tier].slots
    return `${metric}\x00${tier}\x00${String(slot).padStart(6, '0')}`
  }

  /** Adds one sample; writes of finished buckets are queued in order (see `flush`). */
  record(metric: string, t: number, v: number): void {
    if (!Number.isFinite(v) || !METRIC.test(metric)) return
    let accs = this.acc.get(metric)
    if (!accs) this.acc.set(metric, (accs = []))
    this.tiers.forEach((tier, i) => {
      const bucket = Math.floor(t / tier.stepMs)
      const a = accs[i]
      if (a && a.bucket === bucket) {
        a.sum += v
        a.n++
        a.min = Math.min(a.min, v)
        a.max = Math.max(a.max, v)
        return
      }
      if (a && bucket > a.bucket) this.write(metric, i, pointOf(a, tier.stepMs))
      if (!a || bucket > a.bucket) accs[i] = { bucket, sum: v, n: 1, min: v, max: v }
    })
  }

  recordAll(t: number, values: Record<string, number>): void {
    for (const [m, v] of Object.entries(values)) this.record(m, t, v)
  }

  /** Finished buckets wait here and go to the database as one batch per turn of the event loop. */
  private queued: [string, Point][] = []

  private write(metric: string, tier: number, p: Point): void {
    this.queued.push([this.key(metric, tier, p.t), p])
    if (this.queued.length > 1) return
    this.pending = this.pending
      .then(() => new Promise((r) => setImmediate(r)))
      .then(() => {
        const batch = this.queued
        this.queued = []
        return this.ns.putMany(batch)
      })
      .catch(() => undefined)
  }

  /** Writes every open bucket and waits for queued writes (on stop, and before reads in tests). */
  async flush(): Promise<void> {
    for (const [metric, accs] of this.acc) accs.forEach((a, i) => a && this.write(metric, i, pointOf(a, this.tiers[i].stepMs)))
    await this.pending
  }

  /** The tier used for a range starting at `from` (the finest that still holds it). */
  tierFor(from: number, now: number): number {
    const i = this.tiers.findIndex((t) => now - from <= t.stepMs * t.slots)
    return i < 0 ? this.tiers.length - 1 : i
  }

  /** Points of `metric` in [from, to], oldest first, including the bucket still open. */
  async query(metric: string, from: number, to: number, now = Date.now()): Promise<{ stepMs: number; points: Point[] }> {
    await this.pending
    const tier = this.tierFor(from, now)
    const { stepMs, slots } = this.tiers[tier]
    const oldest = now - stepMs * slots
    const points: Point[] = []
    for await (const [, p] of this.ns.entries(`${metric}\x00${tier}\x00`)) {
      if (p.t >= from && p.t <= to && p.t > oldest) points.push(p)
    }
    const open = this.acc.get(metric)?.[tier]
    if (open) {
      const p = pointOf(open, stepMs)
      const i = points.findIndex((q) => q.t === p.t)
      if (i >= 0) points.splice(i, 1)
      if (p.t >= from && p.t <= to) points.push(p)
    }
    points.sort((a, b) => a.t - b.t)
    return { stepMs, points }
  }

  /**
   * Deletes the points of metrics no longer recorded, tier by tier as each tier's retention
   * passes since they were last seen (a live metric only ever rewrites its own slots). The
   * names and last-seen times live beside the points, so pruning reads only the dead metrics'
   * prefixes, never the whole history. Returns the points deleted.
   */
  async prune(now = Date.now()): Promise<number> {
    const retention = (i: number) => this.tiers[i].stepMs * this.tiers[i].slots
    const seen: [string, number][] = []
    for (const [metric, accs] of this.acc) {
      const last = (accs[0].bucket + 1) * this.tiers[0].stepMs
      seen.push([metric, Math.min(last, now)])
      if (last <= now - retention(0)) {
        accs.forEach((a, i) => a && this.write(metric, i, pointOf(a, this.tiers[i].stepMs)))
        this.acc.delete(metric)
      }
    }
    await this.names.putMany(seen)
    await this.pending
    let deleted = 0
    for await (const [metric, last] of this.names.entries()) {
      if (this.acc.has(metric)) continue
      let kept = false
      for (let i = 0; i < this.tiers.length; i++) {
        if (now - last <= retention(i)) {
          kept = true
          continue
        }
        const stale: string[] = []
        for await (const [key] of this.ns.entries(`${metric}\x00${i}\x00`)) stale.push(key)
        for (const key of stale) await this.ns.del(key)
        deleted += stale.length
      }
      if (!kept) await this.names.del(metric)
    }
    return deleted
  }

  /** Names of the metrics with an open bucket (what the sampler currently records). */
  metrics(): string[] {
    return [...this.acc.keys()].sort()
  }
}
