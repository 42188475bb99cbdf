/**
 * Web sessions of the browser app: sign in with a local user's key, a random session id
 * (the cookie's value, 256 bits) with its CSRF token, sliding expiry, sign out. Records
 * live in the state DB namespace 'sessions' keyed by the SHA-256 of the id, so that a copy
 * of the database does not hold usable cookies, and they survive restarts.
 *
 * A session acts on the Swift API as its user would with a v1 token: `swiftToken` hands the
 * Swift router the user's token (TokenService.issue), so groups and ACLs are decided by the
 * same code. A session ends when it expires, on sign-out, when its user is removed, or when
 * the user's key changes. Wrong keys are rate-limited per client address.
 * Must not log ids, CSRF tokens or keys, and knows no cookies or HTTP (http/ does).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { VeloxError } from '../errors.js'
import { FailureLimiter } from '../lib/rate-limit.js'
import type { StateDb, StateNamespace } from '../store/state-db.js'
import { userGroups, type Identity } from './groups.js'
import type { TokenService } from './tokens.js'
import type { User, UserDirectory } from './users.js'

export interface WebSession {
  readonly account: string
  readonly user: string
  readonly admin: boolean
  readonly csrfToken: string
  /** Unix seconds; moves forward while the session is used. */
  readonly expiresAt: number
  readonly identity: Identity
}

export interface SessionServiceOptions {
  db: StateDb
  users: Pick<UserDirectory, 'get' | 'verify' | 'list'>
  tokens: Pick<TokenService, 'issue'>
  resellerPrefixes: readonly string[]
  /** Idle lifetime, seconds: each use moves the expiry this far ahead. */
  sessionLifeSec: number
  /** Wrong keys allowed per client address per minute (default 10). */
  failuresPerMinute?: number
  /** Clock in unix seconds (tests). */
  nowSec?: () => number
}

interface SessionRecord {
  account: string
  user: string
  csrfToken: string
  createdAt: number
  expiresAt: number
  keyFingerprint: string
}

/** Methods that change nothing and so need no CSRF token. */
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const CACHE_MAX = 10000
const ID = /^[A-Za-z0-9_-]{43}$/
const sessionKey = (id: string) => createHash('sha256').update(id).digest('hex')

export class SessionService {
  private readonly records: StateNamespace<SessionRecord>
  /** Records by key, with the expiry last written to the database. */
  private readonly cache = new Map<string, { rec: SessionRecord; storedExpiresAt: number }>()
  private readonly failures: FailureLimiter
  private readonly nowSec: () => number

  constructor(private readonly opts: SessionServiceOptions) {
    if (!(opts.sessionLifeSec > 0)) throw new RangeError('sessionLifeSec must be > 0')
    this.records = opts.db.namespace<SessionRecord>('sessions')
    this.nowSec = opts.nowSec ?? (() => Date.now() / 1000)
    this.failures = new FailureLimiter({ limit: opts.failuresPerMinute ?? 10, windowMs: 60_000, nowMs: () => this.nowSec() * 1000 })
  }

  /** The storage URL path of a user's account ("/v1/AUTH_test"). */
  storagePath(account: string): string {
    return `/v1/${encodeURIComponent(`${this.opts.resellerPrefixes[0] ?? ''}${account}`)}`
  }

  /**
   * Signs `account:user` in with `key`: a new session id (for the cookie) and the session.
   * `unauthorized` for a wrong key; `forbidden` while `client` has failed too often.
   */
  async login(account: string, user: string, key: string, client: string): Promise<{ id: string; session: WebSession }> {
    const wait = this.failures.blockedForMs(client)
    if (wait > 0) throw tooManyAttempts('sign-in attempts from this address', wait)
    const u = account ? await this.opts.users.verify(`${account}:${user}`, key) : await this.verifyByUserName(user, key)
    if (!u) {
      this.failures.fail(client)
      throw new VeloxError('unauthorized', 'wrong account, user or password')
    }
    const id = randomBytes(32).toString('base64url')
    const now = Math.floor(this.nowSec())
    const rec: SessionRecord = {
      account: u.account,
      user: u.user,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + this.opts.sessionLifeSec,
      keyFingerprint: u.keyFingerprint,
    }
    await this.records.put(sessionKey(id), rec)
    this.remember(sessionKey(id), rec, rec.expiresAt)
    return { id, session: this.view(rec, u) }
  }

  /**
   * Sign-in without an account (a person knows a user name and a password): the user of that
   * name whose key matches, when exactly one does. The same user name in several accounts
   * with the same key is ambiguous and fails, so that the account must be given.
   */
  private async verifyByUserName(user: string, key: string): Promise<User | undefined> {
    const named = (await this.opts.users.list()).filter((c) => c.user === user)
    // (an unknown name still costs one comparison, as verify() does for unknown users)
    if (named.length === 0) return void (await this.opts.users.verify(`-:${user}`, key))
    const matches = (await Promise.all(named.map((c) => this.opts.users.verify(`${c.account}:${c.user}`, key)))).filter((x): x is User => !!x)
    return matches.length === 1 ? matches[0] : undefined
  }

  /** The live session behind `id`, its expiry moved forward; undefined when there is none. */
  async resume(id: string | undefined): Promise<WebSession | undefined> {
    if (!id || !ID.test(id)) return undefined
    const key = sessionKey(id)
    const cached = this.cache.get(key)
    const rec = cached?.rec ?? (await this.records.get(key))
    if (!rec) return undefined
    const storedExpiresAt = cached?.storedExpiresAt ?? rec.expiresAt
    const now = this.nowSec()
    const u = rec.expiresAt > now ? await this.opts.users.get(rec.account, rec.user) : undefined
    if (!u || u.keyFingerprint !== rec.keyFingerprint) {
      await this.forget(key)
      return undefined
    }
    const life = this.opts.sessionLifeSec
    const expiresAt = Math.floor(now) + life
    const slid = { ...rec, expiresAt: Math.max(rec.expiresAt, expiresAt) }
    // Persist the slide only when it moved noticeably, so that reads do not write each time.
    const persist = slid.expiresAt - storedExpiresAt >= Math.min(60, life / 4)
    if (persist) await this.records.put(key, slid)
    this.remember(key, slid, persist ? slid.expiresAt : storedExpiresAt)
    return this.view(slid, u)
  }

  /** Ends the session behind `id` (unknown ids are ignored). */
  async logout(id: string | undefined): Promise<void> {
    if (id && ID.test(id)) await this.forget(sessionKey(id))
  }

  /** `forbidden` unless `given` is the session's CSRF token. */
  checkCsrf(session: WebSession, given: string | undefined): void {
    const a = Buffer.from(given ?? '')
    const b = Buffer.from(session.csrfToken)
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new VeloxError('forbidden', 'missing or wrong X-CSRF-Token')
  }

  /**
   * For a Swift request that carries the session cookie and no token: the v1 token its
   * user would get, or undefined when the session is not live (the request stays
   * anonymous). A state-changing `method` needs the CSRF token (`forbidden` otherwise).
   */
  async swiftToken(id: string | undefined, csrfToken: string | undefined, method: string): Promise<string | undefined> {
    const session = await this.resume(id)
    if (!session) return undefined
    if (!SAFE_METHODS.has(method)) this.checkCsrf(session, csrfToken)
    const u = await this.opts.users.get(session.account, session.user)
    return u ? (await this.opts.tokens.issue(u)).token : undefined
  }

  private view(rec: SessionRecord, u: User): WebSession {
    return Object.freeze({
      account: rec.account,
      user: rec.user,
      admin: u.admin,
      csrfToken: rec.csrfToken,
      expiresAt: rec.expiresAt,
      identity: Object.freeze({ account: u.account, user: u.user, groups: Object.freeze(userGroups(u, this.opts.resellerPrefixes)), expiresAt: rec.expiresAt }),
    })
  }

  private remember(key: string, rec: SessionRecord, storedExpiresAt: number): void {
    this.cache.delete(key)
    this.cache.set(key, { rec, storedExpiresAt })
    // Map iteration is insertion order: the first key is the least recently used.
    while (this.cache.size > CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string)
  }

  private async forget(key: string): Promise<void> {
    this.cache.delete(key)
    await this.records.del(key)
  }
}

/** Too many failures: `forbidden` (no kind of its own; see the report of the web API) with Retry-After. */
export function tooManyAttempts(what: string, waitMs: number): VeloxError {
  const sec = Math.ceil(waitMs / 1000)
  return new VeloxError('forbidden', `too many failed ${what}; try again in ${sec} s`, { headers: { 'Retry-After': String(sec) }, retryAfterSec: sec })
}
