/**
 * Share links: a file, a folder (container + prefix) or an upload-only "drop" folder,
 * reachable by anyone holding the link's random token (256 bits, base64url), optionally
 * with an expiry, a password (bcrypt; wrong attempts rate-limited per link and per client)
 * and a download limit; revocable by their owner; counted (views, downloads, uploads).
 *
 * A link never grants more than its owner may do: it is checked with the Swift access rules
 * as the owner when created and again on every use, so a removed user, a revoked ACL or a
 * deleted container ends it. This module decides and counts; reading and writing objects
 * goes through the Swift read and write paths in http/public/. No HTTP types.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { VeloxError, isVeloxError } from '../errors.js'
import { compareKey, hashKey, BCRYPT_MAX_KEY_BYTES } from '../identity/bcrypt.js'
import { tooManyAttempts } from '../identity/sessions.js'
import type { TokenService } from '../identity/tokens.js'
import type { UserDirectory } from '../identity/users.js'
import { FailureLimiter } from '../lib/rate-limit.js'
import type { StateDb, StateNamespace } from '../store/state-db.js'
import type { SwiftServices } from '../swift/index.js'
import { checkName } from '../swift/names.js'
import { applyShareEdit, checkShareEdit } from './share-edits.js'
import { SHARE_KINDS, ShareRecords, tokenHash, type CountField, type ShareCounts, type ShareKind, type ShareRecord, type ShareTarget } from './share-records.js'

export type { ShareKind, ShareRecord, ShareTarget } from './share-records.js'

/** What the owner asks for (JSON from the API, checked here). */
export interface NewShare {
  /** Defaults to the owner's own account. */
  account?: string
  container: string
  object?: string
  prefix?: string
  kind: ShareKind
  expiresAt?: number
  password?: string
  maxDownloads?: number
  maxPreviews?: number
}

/** A link as its owner sees it (never the token after creation, never the password hash). */
export interface ShareView {
  id: string
  kind: ShareKind
  name: string
  target: ShareTarget
  createdAt: number
  expiresAt?: number
  hasPassword: boolean
  maxDownloads?: number
  maxPreviews?: number
  counts: ShareCounts
  revoked: boolean
  state: 'active' | 'expired' | 'exhausted' | 'revoked'
}

/** A live link, as a public request opened it. */
export interface OpenShare {
  readonly hash: string
  readonly rec: ShareRecord
}

export interface ShareServiceOptions {
  db: StateDb
  swift: Pick<SwiftServices, 'access' | 'containers' | 'objects'>
  users: Pick<UserDirectory, 'get'>
  tokens: Pick<TokenService, 'issue'>
  resellerPrefixes: readonly string[]
  /** Wrong passwords allowed per minute, per link and per client (default 5 each). */
  failuresPerMinute?: number
  /** Clock in unix seconds (tests). */
  nowSec?: () => number
}

/** How long an unlocked password-protected link stays open in that browser, seconds. */
export const UNLOCK_LIFE_SEC = 3600

const TOKEN = /^[A-Za-z0-9_-]{43}$/
const bad = (msg: string) => new VeloxError('bad-request', msg)
const gone = () => new VeloxError('not-found', 'no such share link')

/** Why a link that exists stopped working, in the words its visitor reads (the page shows them). */
const CLOSED: Readonly<Record<Exclude<ShareView['state'], 'active'>, string>> = {
  revoked: 'this link was revoked',
  expired: 'this link has expired',
  exhausted: "this link's download limit was reached",
}

/** `not-found` saying why `state` ends the link; its `detail.state` names the state. */
function closed(state: Exclude<ShareView['state'], 'active'>): VeloxError {
  return new VeloxError('not-found', CLOSED[state], { state })
}

export class ShareService {
  private readonly records: ShareRecords
  private readonly secrets: StateNamespace<string>
  private secret: Promise<Buffer> | undefined
  private readonly perLink: FailureLimiter
  private readonly perClient: FailureLimiter
  private readonly reservedNames = new Set<string>()
  private readonly nowSec: () => number

  constructor(private readonly opts: ShareServiceOptions) {
    this.records = new ShareRecords(opts.db)
    this.secrets = opts.db.namespace<string>('share-secret')
    this.nowSec = opts.nowSec ?? (() => Date.now() / 1000)
    const limit = opts.failuresPerMinute ?? 5
    const nowMs = () => this.nowSec() * 1000
    this.perLink = new FailureLimiter({ limit, windowMs: 60_000, nowMs })
    this.perClient = new FailureLimiter({ limit, windowMs: 60_000, nowMs })
  }

  /** Creates a link for `owner` ("account:user"); returns it with its token (shown this once). */
  async create(owner: string, input: unknown): Promise<{ share: ShareView; token: string }> {
    const n = checkNewShare(input, this.nowSec())
    const account = n.account ?? `${this.opts.resellerPrefixes[0] ?? ''}${owner.slice(0, owner.indexOf(':'))}`
    const target: ShareTarget = n.kind === 'file' ? { account, container: n.container, object: n.object } : { account, container: n.container, prefix: n.prefix ?? '' }
    await this.authorizeOwner(owner, n.kind, target)
    await this.checkTargetExists(target)
    const token = randomBytes(32).toString('base64url')
    const rec: ShareRecord = {
      id: randomBytes(9).toString('base64url'),
      owner,
      kind: n.kind,
      target,
      createdAt: Math.floor(this.nowSec()),
      expiresAt: n.expiresAt,
      passwordHash: n.password === undefined ? undefined : await hashKey(n.password),
      maxDownloads: n.maxDownloads,
      maxPreviews: n.maxPreviews,
      counts: { views: 0, downloads: 0, uploads: 0 },
      revoked: false,
    }
    await this.records.add(tokenHash(token), rec)
    return { share: this.view(rec), token }
  }

  /** `owner`'s links, newest first. */
  async list(owner: string): Promise<ShareView[]> {
    const out: ShareView[] = []
    for await (const rec of this.records.ofOwner(owner)) out.push(this.view(rec))
    return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1))
  }

  /** Changes expiry, password or download limit of `owner`'s link `id` (share-edits.ts). */
  async edit(owner: string, id: string, input: unknown): Promise<ShareView> {
    const hash = await this.records.ownedHash(owner, id)
    if (!hash) throw new VeloxError('not-found', 'no such share link')
    const edit = checkShareEdit(input, this.nowSec(), BCRYPT_MAX_KEY_BYTES)
    const passwordHash = typeof edit.password === 'string' ? await hashKey(edit.password) : undefined
    return this.view(await this.records.update(hash, (rec) => applyShareEdit(rec, edit, passwordHash)))
  }

  /** Revokes `owner`'s link `id` (`not-found` when it is not theirs); it answers 404 from now on. */
  async revoke(owner: string, id: string): Promise<void> {
    const hash = await this.records.ownedHash(owner, id)
    if (!hash) throw new VeloxError('not-found', 'no such share link')
    await this.records.update(hash, (rec) => (rec.revoked ? rec : { ...rec, revoked: true, revokedAt: Math.floor(this.nowSec()) }))
  }

  /** Points every link to container `from` of `account` at `to` (a container rename); how many. */
  async repointContainer(account: string, from: string, to: string): Promise<number> {
    let n = 0
    for await (const [hash, rec] of this.records.all()) {
      if (rec.target.account !== account || rec.target.container !== from) continue
      await this.records.update(hash, (r) => (r.target.account === account && r.target.container === from ? { ...r, target: { ...r.target, container: to } } : r))
      n++
    }
    return n
  }

  /**
   * The live link behind `token`; `not-found` when unknown, revoked, expired, used up, or its
   * owner lost access. A link that exists but ended says why (message, `detail.state`).
   */
  async open(token: string): Promise<OpenShare> {
    if (!TOKEN.test(token)) throw gone()
    const hash = tokenHash(token)
    const rec = await this.records.get(hash)
    if (!rec) throw gone()
    const state = this.state(rec)
    if (state !== 'active') throw closed(state)
    try {
      await this.authorizeOwner(rec.owner, rec.kind, rec.target)
    } catch (err) {
      if (isVeloxError(err, 'unauthorized') || isVeloxError(err, 'forbidden') || isVeloxError(err, 'not-found')) throw gone()
      throw err
    }
    return { hash, rec }
  }

  /**
   * Checks a password for `share` from `client`: returns the unlock grant (the value of the
   * browser's short-lived cookie), `unauthorized` when wrong, `forbidden` while the link or
   * the client has failed too often. A link without a password needs no grant (undefined).
   */
  async unlock(share: OpenShare, password: unknown, client: string): Promise<string | undefined> {
    const { rec } = share
    if (!rec.passwordHash) return undefined
    const wait = Math.max(this.perLink.blockedForMs(rec.id), this.perClient.blockedForMs(client))
    if (wait > 0) throw tooManyAttempts('password attempts', wait)
    if (typeof password !== 'string' || !(await compareKey(password, rec.passwordHash))) {
      this.perLink.fail(rec.id)
      this.perClient.fail(client)
      throw new VeloxError('unauthorized', 'wrong password')
    }
    const exp = Math.floor(this.nowSec()) + UNLOCK_LIFE_SEC
    return `${exp}.${await this.sign(rec.id, exp)}`
  }

  /** True when `share` has no password or `grant` is a live unlock grant of it. */
  async isUnlocked(share: OpenShare, grant: string | undefined): Promise<boolean> {
    if (!share.rec.passwordHash) return true
    const m = /^(\d+)\.([A-Za-z0-9_-]+)$/.exec(grant ?? '')
    if (!m || Number(m[1]) <= this.nowSec()) return false
    const want = Buffer.from(await this.sign(share.rec.id, Number(m[1])))
    const got = Buffer.from(m[2])
    return want.length === got.length && timingSafeEqual(want, got)
  }

  /** `unauthorized` unless the link is unlocked. */
  async requireUnlocked(share: OpenShare, grant: string | undefined): Promise<void> {
    if (!(await this.isUnlocked(share, grant))) throw new VeloxError('unauthorized', 'this link needs its password')
  }

  /** Counts one use; a download past the limit is refused (`not-found`, the link is used up). */
  async count(share: OpenShare, field: CountField): Promise<void> {
    await this.records.update(share.hash, (rec) => {
      const state = this.state(rec)
      if (state !== 'active') throw closed(state)
      return { ...rec, counts: { ...rec.counts, [field]: (rec.counts[field] ?? 0) + 1 } }
    })
  }

  /**
   * Counts one inline preview; past the link's preview limit it is refused (`not-found`,
   * "this link's preview limit was reached") while downloads, limited apart, still work.
   */
  async countPreview(share: OpenShare): Promise<void> {
    await this.records.update(share.hash, (rec) => {
      const state = this.state(rec)
      if (state !== 'active') throw closed(state)
      const previews = rec.counts.previews ?? 0
      if (rec.maxPreviews !== undefined && previews >= rec.maxPreviews) throw new VeloxError('not-found', "this link's preview limit was reached", { state: 'previews-used' })
      return { ...rec, counts: { ...rec.counts, previews: previews + 1 } }
    })
  }

  /**
   * The object a drop upload named `name` becomes: `name`, or "name (1).ext", "name (2).ext"…
   * when that exists or is being uploaded. Call `release` when the upload ends.
   */
  async reserveUploadName(share: OpenShare, name: string): Promise<{ object: string; release: () => void }> {
    const { target } = share.rec
    const dot = name.lastIndexOf('.')
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
    for (let i = 0; i < 1000; i++) {
      const object = `${target.prefix ?? ''}${i === 0 ? name : `${stem} (${i})${ext}`}`
      const key = `${target.account}/${target.container}/${object}`
      if (this.reservedNames.has(key) || (await this.objectExists({ ...target, object }))) continue
      this.reservedNames.add(key)
      return { object, release: () => this.reservedNames.delete(key) }
    }
    throw new VeloxError('conflict', 'too many files with this name')
  }

  view(rec: ShareRecord): ShareView {
    return {
      id: rec.id,
      kind: rec.kind,
      name: shareName(rec),
      target: rec.target,
      createdAt: rec.createdAt,
      expiresAt: rec.expiresAt,
      hasPassword: rec.passwordHash !== undefined,
      maxDownloads: rec.maxDownloads,
      maxPreviews: rec.maxPreviews,
      counts: { ...rec.counts, previews: rec.counts.previews ?? 0 },
      revoked: rec.revoked,
      state: this.state(rec),
    }
  }

  private state(rec: ShareRecord): ShareView['state'] {
    if (rec.revoked) return 'revoked'
    if (rec.expiresAt !== undefined && rec.expiresAt <= this.nowSec()) return 'expired'
    if (rec.maxDownloads !== undefined && rec.counts.downloads >= rec.maxDownloads) return 'exhausted'
    return 'active'
  }

  /**
   * The owner may read the target (file: GET the object; folder: list the container) or,
   * for a drop, write into it; decided by the Swift access rules with the owner's token.
   */
  private async authorizeOwner(owner: string, kind: ShareKind, target: ShareTarget): Promise<void> {
    const colon = owner.indexOf(':')
    const user = await this.opts.users.get(owner.slice(0, colon), owner.slice(colon + 1))
    if (!user) throw new VeloxError('forbidden', 'the owner of this link is gone')
    const { token } = await this.opts.tokens.issue(user)
    const object = kind === 'file' ? target.object : kind === 'drop' ? `${target.prefix ?? ''}upload` : undefined
    await this.opts.swift.access.authorize({ method: kind === 'drop' ? 'PUT' : 'GET', path: { version: 'v1', account: target.account, container: target.container, object }, token })
  }

  private async checkTargetExists(target: ShareTarget): Promise<void> {
    if (!(await this.opts.swift.containers.find(target.account, target.container))) throw new VeloxError('not-found', 'no such container')
    if (target.object !== undefined && !(await this.objectExists(target))) throw new VeloxError('not-found', 'no such object')
  }

  private async objectExists(t: ShareTarget): Promise<boolean> {
    try {
      await (await this.opts.swift.objects.open({ account: t.account, container: t.container, object: t.object as string })).close()
      return true
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return false
      throw err
    }
  }

  private async sign(id: string, exp: number): Promise<string> {
    this.secret ??= (async () => {
      const stored = await this.secrets.get('unlock')
      if (stored) return Buffer.from(stored, 'hex')
      const fresh = randomBytes(32)
      await this.secrets.put('unlock', fresh.toString('hex'))
      return fresh
    })()
    return createHmac('sha256', await this.secret).update(`${id}.${exp}`).digest('base64url')
  }
}

/** The name a link shows: the object's last segment, the folder's, or the container's. */
function shareName(rec: ShareRecord): string {
  const path = rec.target.object ?? rec.target.prefix?.replace(/\/$/, '') ?? ''
  return path.split('/').pop() || rec.target.container
}

function checkNewShare(input: unknown, nowSec: number): NewShare {
  if (typeof input !== 'object' || input === null) throw bad('expected a JSON object')
  const i = input as Record<string, unknown>
  const optString = (k: string) => {
    if (i[k] !== undefined && (typeof i[k] !== 'string' || i[k] === '')) throw bad(`${k} must be a non-empty string`)
    return i[k] as string | undefined
  }
  if (!SHARE_KINDS.includes(i.kind as ShareKind)) throw bad(`kind must be one of ${SHARE_KINDS.join(', ')}`)
  const kind = i.kind as ShareKind
  const container = optString('container')
  if (!container) throw bad('container is required')
  const account = optString('account')
  const object = optString('object')
  let prefix = i.prefix === undefined || i.prefix === '' ? undefined : optString('prefix')
  if (kind === 'file' && (!object || prefix !== undefined)) throw bad('a file link names an object and no prefix')
  if (kind !== 'file' && object !== undefined) throw bad(`a ${kind} link names a prefix, not an object`)
  if (prefix !== undefined && !prefix.endsWith('/')) prefix += '/'
  for (const name of [container, account, object, prefix]) if (name !== undefined) checkName(name)
  const expiresAt = i.expiresAt
  if (expiresAt !== undefined && !(Number.isInteger(expiresAt) && (expiresAt as number) > nowSec)) throw bad('expiresAt must be a future time in unix seconds')
  const password = i.password
  if (password !== undefined && (typeof password !== 'string' || password === '' || Buffer.byteLength(password) > BCRYPT_MAX_KEY_BYTES)) {
    throw bad(`password must be 1 to ${BCRYPT_MAX_KEY_BYTES} bytes`)
  }
  const maxDownloads = i.maxDownloads
  if (maxDownloads !== undefined && !(Number.isInteger(maxDownloads) && (maxDownloads as number) > 0)) throw bad('maxDownloads must be a positive integer')
  if (kind === 'drop' && maxDownloads !== undefined) throw bad('a drop link has no downloads to limit')
  const maxPreviews = i.maxPreviews
  if (maxPreviews !== undefined && !(Number.isInteger(maxPreviews) && (maxPreviews as number) > 0)) throw bad('maxPreviews must be a positive integer')
  if (kind === 'drop' && maxPreviews !== undefined) throw bad('a drop link has no previews to limit')
  return { kind, account, container, object, prefix, expiresAt: expiresAt as number | undefined, password: password as string | undefined, maxDownloads: maxDownloads as number | undefined, maxPreviews: maxPreviews as number | undefined }
}
