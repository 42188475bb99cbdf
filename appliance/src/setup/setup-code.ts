/**
 * The one-time setup code that protects claiming a fresh appliance (as a Jupyter token
 * does): anyone on the LAN can reach the box, only the person who sees its console (or
 * the `velox serve --setup` output) can set it up. A new code is made at each start while
 * setup is pending; it is kept in memory only and dies when setup completes.
 * Wrong codes are rate-limited per client address and in total (a LAN full of guessers
 * gets no more tries than one). Must not log the code (callers print it to the console).
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto'
import { VeloxError } from '../errors.js'
import { FailureLimiter } from '../lib/rate-limit.js'
import { tooManyAttempts } from '../identity/sessions.js'

/** Crockford's base32: no I, L, O, U, so that a code read off a screen is typed right. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

export interface SetupCodeOptions {
  /** Wrong codes allowed per client address per window (default 5). */
  perClient?: number
  /** Wrong codes allowed from everyone per window (default 30). */
  total?: number
  windowMs?: number
  nowMs?: () => number
}

/** Upper case, Crockford's look-alikes mapped, dashes and spaces dropped. */
export function normaliseCode(s: string): string {
  return s.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0')
}

export class SetupCode {
  /** Shown as XXXX-XXXX-XXXX (60 bits). */
  readonly code: string
  private digest: Buffer | undefined
  private readonly perClient: FailureLimiter
  private readonly total: FailureLimiter

  constructor(opts: SetupCodeOptions = {}) {
    const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)])
    this.code = `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`
    this.digest = sha256(normaliseCode(this.code))
    const windowMs = opts.windowMs ?? 5 * 60_000
    this.perClient = new FailureLimiter({ limit: opts.perClient ?? 5, windowMs, nowMs: opts.nowMs })
    this.total = new FailureLimiter({ limit: opts.total ?? 30, windowMs, nowMs: opts.nowMs })
  }

  /** True while the code can still be used (setup not completed). */
  get alive(): boolean {
    return this.digest !== undefined
  }

  /**
   * Checks `given` from `client`: returns when right; `unauthorized` when wrong, `forbidden`
   * with Retry-After while the client (or everyone) has failed too often, `not-found` once
   * setup is complete.
   */
  check(given: unknown, client: string): void {
    if (!this.digest) throw new VeloxError('not-found', 'this appliance is already set up')
    const wait = Math.max(this.perClient.blockedForMs(client), this.total.blockedForMs(''))
    if (wait > 0) throw tooManyAttempts('setup codes', wait)
    const ok = typeof given === 'string' && timingSafeEqual(sha256(normaliseCode(given)), this.digest)
    if (!ok) {
      this.perClient.fail(client)
      this.total.fail('')
      throw new VeloxError('unauthorized', 'wrong setup code: it is shown on the appliance console (or by velox serve --setup)')
    }
  }

  /** Setup is done: no code works any more. */
  expire(): void {
    this.digest = undefined
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest()
}
