/**
 * Counts failures per key in a sliding window (wrong passwords per client address, per
 * share link) and says when a key is blocked and for how long. In memory only: a restart
 * forgets the counts, which costs an attacker nothing they could not get by waiting a
 * window. Bounded: the oldest keys are dropped past `maxKeys`. No Velox imports.
 */
export interface FailureLimiterOptions {
  /** Failures allowed within the window; the next attempt is refused. */
  limit: number
  windowMs: number
  /** Most keys tracked at once (default 10000). */
  maxKeys?: number
  /** Clock in ms (tests). */
  nowMs?: () => number
}

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>()
  private readonly nowMs: () => number
  private readonly maxKeys: number

  constructor(private readonly opts: FailureLimiterOptions) {
    this.nowMs = opts.nowMs ?? Date.now
    this.maxKeys = opts.maxKeys ?? 10000
  }

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  blockedForMs(key: string): number {
    const times = this.recent(key)
    if (times.length < this.opts.limit) return 0
    return Math.max(1, times[times.length - this.opts.limit] + this.opts.windowMs - this.nowMs())
  }

  fail(key: string): void {
    const times = this.recent(key)
    times.push(this.nowMs())
    this.failures.delete(key)
    this.failures.set(key, times)
    // Map iteration is insertion order: the first key is the one that failed longest ago.
    while (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value as string)
  }

  /** A success does not erase failures: a guesser who is right once learns nothing more. */
  private recent(key: string): number[] {
    const since = this.nowMs() - this.opts.windowMs
    const times = (this.failures.get(key) ?? []).filter((t) => t > since)
    if (times.length === 0) this.failures.delete(key)
    return times
  }
}
