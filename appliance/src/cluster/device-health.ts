/**
 * Whether each device is failing, as the requests that reach it find (issue 11 item 11: a
 * device that failed every request for over a minute logged nothing). Records each transition
 * to failed (the first error after a success) and back (the first success after errors), logs
 * it, at most one line per device per `logIntervalMs` (transitions in between are counted and
 * reported with the next line), and keeps the state for the health console to read
 * (`states()`). Owns this bookkeeping only; it must not decide where requests go.
 */

export interface DeviceHealthLog {
  warn(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
}

export interface DeviceState {
  /** "ip:port/device". */
  device: string
  failed: boolean
  /** When the current state began (ms since the epoch). */
  sinceMs: number
  /** Errors since the device last failed, and the last one's message. */
  errors: number
  lastError?: string
  /** Transitions either way since start. */
  transitions: number
}

export interface DeviceHealthOptions {
  log?: DeviceHealthLog
  /** At most one log line per device per interval (default 60 s). */
  logIntervalMs?: number
  now?: () => number
}

interface Tracked extends DeviceState {
  loggedAtMs: number
  /** Transitions not logged because of the rate limit. */
  unlogged: number
}

export class DeviceHealth {
  private readonly devices = new Map<string, Tracked>()
  private readonly logIntervalMs: number
  private readonly now: () => number

  constructor(private readonly opts: DeviceHealthOptions = {}) {
    this.logIntervalMs = opts.logIntervalMs ?? 60_000
    this.now = opts.now ?? Date.now
  }

  failed(device: string, error?: unknown): void {
    const d = this.track(device)
    d.errors++
    if (error !== undefined) d.lastError = error instanceof Error ? error.message : String(error)
    if (!d.failed) this.transition(d, true)
  }

  ok(device: string): void {
    const d = this.devices.get(device)
    if (d?.failed) this.transition(d, false)
  }

  /** Every device that has failed at least once since start, as it stands now. */
  states(): DeviceState[] {
    return [...this.devices.values()].map(({ loggedAtMs: _l, unlogged: _u, ...s }) => ({ ...s }))
  }

  private track(device: string): Tracked {
    let d = this.devices.get(device)
    if (!d) {
      d = { device, failed: false, sinceMs: this.now(), errors: 0, transitions: 0, loggedAtMs: -Infinity, unlogged: 0 }
      this.devices.set(device, d)
    }
    return d
  }

  private transition(d: Tracked, failed: boolean): void {
    const now = this.now()
    const wasFailedMs = now - d.sinceMs
    d.failed = failed
    d.sinceMs = now
    d.transitions++
    if (!failed) d.errors = 0
    if (now - d.loggedAtMs < this.logIntervalMs) {
      d.unlogged++
      return
    }
    const fields: Record<string, unknown> = { device: d.device, unloggedTransitions: d.unlogged }
    d.loggedAtMs = now
    d.unlogged = 0
    if (failed) this.opts.log?.warn('device failed', { ...fields, error: d.lastError })
    else this.opts.log?.info('device back', { ...fields, failedForMs: wasFailedMs })
  }
}
