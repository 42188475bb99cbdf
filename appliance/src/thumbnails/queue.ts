/**
 * A bounded job queue with lanes: `concurrency` workers take the first waiting job of the
 * most urgent lane whose key is not running already (one job per key at a time, so two
 * renderings of one object never race). A key waiting twice is one job. A lane that holds
 * `maxPending` jobs drops new ones (the caller regenerates on demand later) unless the offer
 * is forced; uploads never wait here. A lane may be held to fewer workers (`laneConcurrency`)
 * so that its long jobs never occupy every worker while urgent ones arrive. A failing job is
 * reported and the queue goes on.
 */

export interface QueueStats {
  pending: number
  running: number
  done: number
  failed: number
  dropped: number
}

export type Offered = 'queued' | 'merged' | 'dropped'

interface Waiting<T> {
  key: string
  job: T
  lane: number
}

export class JobQueue<T> {
  private readonly lanes: Array<Map<string, Waiting<T>>>
  private readonly running = new Set<string>()
  private readonly runningPerLane: number[]
  private readonly settledWaiters = new Map<string, Array<() => void>>()
  private readonly drainWaiters: Array<() => void> = []
  private counts = { done: 0, failed: 0, dropped: 0 }
  private stopped = false

  constructor(
    private readonly work: (job: T, key: string) => Promise<void>,
    private readonly o: { concurrency: number; maxPending: number; lanes: number; laneConcurrency?: readonly number[]; onError: (err: unknown, job: T) => void },
  ) {
    this.lanes = Array.from({ length: o.lanes }, () => new Map())
    this.runningPerLane = Array.from({ length: o.lanes }, () => 0)
  }

  /**
   * Queues `job` under `key` in `lane` (0 = most urgent). `front` puts it ahead of its lane
   * (a client is waiting for it); `force` admits it past the bound (cheap, must-not-lose jobs).
   */
  offer(key: string, job: T, opts: { lane?: number; front?: boolean; force?: boolean } = {}): Offered {
    if (this.stopped) return 'dropped'
    const laneIndex = opts.lane ?? 0
    const lane = this.lanes[laneIndex]
    const waiting = lane.get(key)
    if (waiting) {
      waiting.job = job
      if (opts.front) this.toFront(lane, key, waiting)
      return 'merged'
    }
    if (lane.size >= this.o.maxPending && !opts.force) {
      this.counts.dropped++
      return 'dropped'
    }
    if (opts.front) this.toFront(lane, key, { key, job, lane: laneIndex })
    else lane.set(key, { key, job, lane: laneIndex })
    this.pump()
    return 'queued'
  }

  /** True when a worker is free and nothing waits: a job offered now starts at once. */
  get idle(): boolean {
    return !this.stopped && this.running.size < this.o.concurrency && this.lanes.every((l) => l.size === 0)
  }

  /** Jobs waiting in `lane`. */
  waiting(lane: number): number {
    return this.lanes[lane]?.size ?? 0
  }

  isBusyWith(key: string): boolean {
    return this.running.has(key) || this.lanes.some((l) => l.has(key))
  }

  stats(): QueueStats {
    return { pending: this.lanes.reduce((n, l) => n + l.size, 0), running: this.running.size, ...this.counts }
  }

  /** Resolves once no job for `key` waits or runs. */
  settled(key: string): Promise<void> {
    if (!this.isBusyWith(key)) return Promise.resolve()
    return new Promise((resolve) => {
      const list = this.settledWaiters.get(key) ?? []
      list.push(resolve)
      this.settledWaiters.set(key, list)
    })
  }

  /** Resolves once nothing waits or runs. */
  drained(): Promise<void> {
    if (this.running.size === 0 && this.stats().pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.drainWaiters.push(resolve))
  }

  /** Drops what waits and lets running jobs finish. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const lane of this.lanes) lane.clear()
    for (const key of [...this.settledWaiters.keys()]) if (!this.running.has(key)) this.notify(key)
    await this.drained()
  }

  private toFront(lane: Map<string, Waiting<T>>, key: string, w: Waiting<T>): void {
    const rest = [...lane.entries()].filter(([k]) => k !== key)
    lane.clear()
    lane.set(key, w)
    for (const [k, v] of rest) lane.set(k, v)
  }

  private next(): Waiting<T> | undefined {
    for (const [i, lane] of this.lanes.entries()) {
      if (this.runningPerLane[i] >= (this.o.laneConcurrency?.[i] ?? this.o.concurrency)) continue
      for (const [key, w] of lane) {
        if (this.running.has(key)) continue
        lane.delete(key)
        return w
      }
    }
    return undefined
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.o.concurrency) {
      const w = this.next()
      if (!w) break
      this.running.add(w.key)
      this.runningPerLane[w.lane]++
      void this.runOne(w)
    }
  }

  private async runOne(w: Waiting<T>): Promise<void> {
    try {
      await this.work(w.job, w.key)
      this.counts.done++
    } catch (err) {
      this.counts.failed++
      try {
        this.o.onError(err, w.job)
      } catch {
        // a failing reporter must not stop the queue
      }
    } finally {
      this.running.delete(w.key)
      this.runningPerLane[w.lane]--
      this.pump()
      this.notify(w.key)
    }
  }

  private notify(key: string): void {
    if (!this.isBusyWith(key)) {
      const list = this.settledWaiters.get(key)
      this.settledWaiters.delete(key)
      for (const r of list ?? []) r()
    }
    if (this.running.size === 0 && this.stats().pending === 0) {
      for (const r of this.drainWaiters.splice(0)) r()
    }
  }
}

/**
 * `size` slots handed out by priority (0 first), first come first served within one: jobs
 * hold a slot only while they render, so that their reads and store writes overlap the
 * rendering of others, and a waiting urgent job gets the next free slot.
 */
export class Slots {
  private free: number
  private readonly waiters: Array<Array<() => void>> = []

  constructor(readonly size: number) {
    this.free = size
  }

  /** Resolves with the release of a slot (call it exactly once). */
  async acquire(priority = 0): Promise<() => void> {
    if (this.free > 0 && this.waiters.every((w) => w.length === 0)) this.free--
    else await new Promise<void>((resolve) => (this.waiters[priority] ??= []).push(resolve))
    let released = false
    return () => {
      if (released) return
      released = true
      this.handOn()
    }
  }

  /** Slots in use. */
  get busy(): number {
    return this.size - this.free
  }

  /** Acquirers waiting at `priority`. */
  waiting(priority: number): number {
    return this.waiters[priority]?.length ?? 0
  }

  private handOn(): void {
    for (const list of this.waiters) {
      const next = list?.shift()
      if (next) return next()
    }
    this.free++
  }
}

/**
 * A budget of `capacity` units (bytes held in memory) taken first come, first served; one
 * taker larger than the whole budget gets it when nobody else holds any, so it waits rather
 * than fails.
 */
export class Budget {
  private used = 0
  private readonly waiters: Array<{ n: number; resolve: () => void }> = []

  constructor(readonly capacity: number) {}

  /** Resolves with the release of `n` units (call it exactly once). */
  async acquire(n: number): Promise<() => void> {
    if (this.waiters.length > 0 || !this.fits(n)) await new Promise<void>((resolve) => this.waiters.push({ n, resolve }))
    else this.used += n
    let released = false
    return () => {
      if (released) return
      released = true
      this.used -= n
      this.grant()
    }
  }

  /** Units held now. */
  get held(): number {
    return this.used
  }

  private fits(n: number): boolean {
    return this.used === 0 || this.used + n <= this.capacity
  }

  private grant(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0].n)) {
      const w = this.waiters.shift() as { n: number; resolve: () => void }
      this.used += w.n
      w.resolve()
    }
  }
}
