/**
 * v1 auth tokens (tempauth's `<prefix>tk<32 hex>`): issue for a verified user, validate to an
 * Identity, expire. Records live in the state DB namespace 'tokens' keyed by the SHA-256 of
 * the token (the token itself is not the key), so they survive restarts; an in-memory cache
 * avoids the DB on hot paths.
 *
 * Reuse, as tempauth: the latest token of each user is kept in namespace 'user-tokens'
 * (the only place a token value is stored, inside the 0700 state directory) and handed out
 * again while it is valid, issued under the same key and the groups are unchanged. This
 * bounds the number of records for clients that authenticate on every call.
 *
 * A token stops validating when it expires, when its user is removed, or when the user's
 * key changes (each record carries the key fingerprint it was issued under). Groups are
 * recomputed from the current user on every validation, so flag changes apply at once.
 * Must not log tokens or keys, and must not check keys (users.ts does).
 */
import { createHash, randomBytes } from 'node:crypto'
import type { StateDb, StateNamespace } from '../store/state-db.js'
import { sameGroups, userGroups, type Identity } from './groups.js'
import type { User } from './users.js'

export interface IssuedToken {
  token: string
  /** Unix seconds. */
  expiresAt: number
}

export interface TokenServiceOptions {
  db: StateDb
  /** Where validation finds the current user (a UserDirectory). */
  users: { get(account: string, user: string): Promise<User | undefined> }
  /** Reseller prefixes, first one names tokens and accounts (default ['AUTH_']). */
  resellerPrefixes?: readonly string[]
  /** Token lifetime, seconds (default 86400, tempauth's token_life). */
  tokenLifeSec?: number
  /** Clock in unix seconds (tests). */
  nowSec?: () => number
  /** Most records kept in memory (default 10000). */
  cacheMax?: number
}

interface TokenRecord {
  account: string
  user: string
  /** Groups at issue time; reuse requires they still match. */
  groups: string[]
  expiresAt: number
  keyFingerprint: string
}

interface UserTokenPointer {
  token: string
  expiresAt: number
}

const TOKEN_HEX = /^[0-9a-f]{32}$/

function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export class TokenService {
  private readonly tokens: StateNamespace<TokenRecord>
  private readonly userTokens: StateNamespace<UserTokenPointer>
  private readonly cache = new Map<string, TokenRecord>()
  private readonly resellerPrefixes: readonly string[]
  private readonly tokenPrefix: string
  private readonly tokenLifeSec: number
  private readonly nowSec: () => number
  private readonly cacheMax: number

  constructor(private readonly opts: TokenServiceOptions) {
    this.tokens = opts.db.namespace<TokenRecord>('tokens')
    this.userTokens = opts.db.namespace<UserTokenPointer>('user-tokens')
    this.resellerPrefixes = opts.resellerPrefixes ?? ['AUTH_']
    this.tokenPrefix = `${this.resellerPrefixes[0] ?? ''}tk`
    this.tokenLifeSec = opts.tokenLifeSec ?? 86400
    this.nowSec = opts.nowSec ?? (() => Date.now() / 1000)
    this.cacheMax = opts.cacheMax ?? 10000
    if (!(this.tokenLifeSec > 0)) throw new RangeError('tokenLifeSec must be > 0')
  }

  /** A token for `user` (which the caller has just verified): its still-valid latest one, or a new one. */
  async issue(user: User): Promise<IssuedToken> {
    const now = this.nowSec()
    const groups = userGroups(user, this.resellerPrefixes)
    const pointerKey = `${user.account}:${user.user}`
    const pointer = await this.userTokens.get(pointerKey)
    if (pointer && pointer.expiresAt > now) {
      const rec = await this.lookup(tokenId(pointer.token))
      if (rec && rec.expiresAt > now && rec.keyFingerprint === user.keyFingerprint && sameGroups(rec.groups, groups)) {
        return { token: pointer.token, expiresAt: rec.expiresAt }
      }
    }
    const token = `${this.tokenPrefix}${randomBytes(16).toString('hex')}`
    const expiresAt = Math.floor(now) + this.tokenLifeSec
    const rec: TokenRecord = {
      account: user.account,
      user: user.user,
      groups,
      expiresAt,
      keyFingerprint: user.keyFingerprint,
    }
    const id = tokenId(token)
    await this.tokens.put(id, rec)
    await this.userTokens.put(pointerKey, { token, expiresAt })
    this.remember(id, rec)
    return { token, expiresAt }
  }

  /** The identity behind `token`, or undefined if it is unknown, expired, or its user was removed or re-keyed. */
  async validate(token: string): Promise<Identity | undefined> {
    if (typeof token !== 'string' || !token.startsWith(this.tokenPrefix)) return undefined
    if (!TOKEN_HEX.test(token.slice(this.tokenPrefix.length))) return undefined
    const id = tokenId(token)
    const rec = await this.lookup(id)
    if (!rec) return undefined
    if (rec.expiresAt <= this.nowSec()) {
      await this.forget(id, rec)
      return undefined
    }
    const user = await this.opts.users.get(rec.account, rec.user)
    if (!user || user.keyFingerprint !== rec.keyFingerprint) {
      await this.forget(id, rec)
      return undefined
    }
    return Object.freeze({
      account: rec.account,
      user: rec.user,
      groups: Object.freeze(userGroups(user, this.resellerPrefixes)),
      expiresAt: rec.expiresAt,
    })
  }

  /** Makes `token` invalid now (e.g. logout). Unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const id = tokenId(token)
    const rec = await this.lookup(id)
    if (rec) await this.forget(id, rec)
  }

  /** Deletes every expired record; returns how many tokens were removed. For a periodic job. */
  async purgeExpired(): Promise<number> {
    const now = this.nowSec()
    let removed = 0
    for await (const [id, rec] of this.tokens.entries()) {
      if (rec.expiresAt <= now) {
        await this.tokens.del(id)
        this.cache.delete(id)
        removed++
      }
    }
    for await (const [key, pointer] of this.userTokens.entries()) {
      if (pointer.expiresAt <= now) await this.userTokens.del(key)
    }
    return removed
  }

  private async lookup(id: string): Promise<TokenRecord | undefined> {
    const cached = this.cache.get(id)
    if (cached) return cached
    const rec = await this.tokens.get(id)
    if (rec) this.remember(id, rec)
    return rec
  }

  private remember(id: string, rec: TokenRecord): void {
    this.cache.delete(id)
    this.cache.set(id, rec)
    // Map iteration is insertion order: the first key is the least recently stored.
    while (this.cache.size > this.cacheMax) this.cache.delete(this.cache.keys().next().value as string)
  }

  private async forget(id: string, rec: TokenRecord): Promise<void> {
    this.cache.delete(id)
    await this.tokens.del(id)
    const pointerKey = `${rec.account}:${rec.user}`
    const pointer = await this.userTokens.get(pointerKey)
    if (pointer && tokenId(pointer.token) === id) await this.userTokens.del(pointerKey)
  }
}
