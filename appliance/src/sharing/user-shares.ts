/**
 * Sharing a folder (a container, or a prefix in it) with another Velox user (issue 16).
 * A whole container is shared through its Swift ACL (X-Container-Read, and X-Container-Write
 * for read+write, naming `account:user`), so the grantee's Swift clients see it too. A
 * folder (prefix) is not: Swift ACLs are per container and would open all of it, so the
 * grantee reaches a folder only through the web app's /api/shared route, which checks the
 * record kept here on every request (`open`) and serves names under the prefix only
 * (user-share-access.ts). Grants stored before that (a prefix share with an ACL entry, no
 * `viaAcl`) are migrated once, on first use: their ACL entry is removed unless a whole-
 * container grant to that user keeps it. Revoking an ACL grant removes the entry unless
 * another ACL grant to that user on that container remains. Namespaces
 * 'user-shares-by-owner' and 'user-shares-by-grantee', keyed `<account:user>\0<id>`. No HTTP.
 */
import { randomBytes } from 'node:crypto'
import { VeloxError } from '../errors.js'
import { cleanContainerAcl, parseContainerAcl } from '../identity/acl.js'
import type { UserDirectory } from '../identity/users.js'
import type { StateDb, StateNamespace } from '../store/state-db.js'
import type { SwiftServices } from '../swift/index.js'
import { checkName } from '../swift/names.js'

export interface UserShare {
  id: string
  /** "account:user" of the owner and of the grantee. */
  owner: string
  grantee: string
  /** Swift account of the container ("AUTH_test"). */
  account: string
  container: string
  /** '' (whole container) or a folder ending in '/'. */
  prefix: string
  write: boolean
  /** Unix seconds. */
  createdAt: number
  /** True when the grant is an entry of the container's ACL (a whole container); absent on grants stored before folders stopped using the ACL. */
  viaAcl?: boolean
}

export interface UserShareOptions {
  db: StateDb
  swift: SwiftServices
  users: UserDirectory
  resellerPrefixes: readonly string[]
}

const ACL_HEADERS = { read: 'x-container-read', write: 'x-container-write' } as const

export class UserShares {
  private readonly byOwner: StateNamespace<UserShare>
  private readonly byGrantee: StateNamespace<UserShare>
  /** ACL read-modify-writes, one at a time (one process owns the state and the DBs' writes). */
  private queue: Promise<unknown> = Promise.resolve()
  private migrated: Promise<void> | undefined

  constructor(private readonly opts: UserShareOptions) {
    this.byOwner = opts.db.namespace<UserShare>('user-shares-by-owner')
    this.byGrantee = opts.db.namespace<UserShare>('user-shares-by-grantee')
    // The migration of old folder grants runs at start (their ACL entries opened too much); a failure is retried on next use.
    void this.ready().catch(() => undefined)
  }

  /** The Swift account of a Velox account (its storage URL's). */
  storageAccount(account: string): string {
    return `${this.opts.resellerPrefixes[0] ?? ''}${account}`
  }

  /** The other users of this appliance, as "account:user", for the owner to pick from. */
  async candidates(owner: string): Promise<string[]> {
    await this.requireGranter(owner)
    return (await this.opts.users.list()).map((u) => `${u.account}:${u.user}`).filter((n) => n !== owner).sort()
  }

  async grant(owner: string, input: unknown): Promise<UserShare> {
    await this.ready()
    const body = (input ?? {}) as Record<string, unknown>
    const { container, prefix = '', grantee, write = false } = body
    if (typeof container !== 'string' || typeof prefix !== 'string' || typeof grantee !== 'string' || typeof write !== 'boolean') {
      throw new VeloxError('bad-request', 'container, grantee ("account:user"), optional prefix and write (true/false) are required')
    }
    checkName(container)
    if (prefix !== '' && (!prefix.endsWith('/') || prefix.startsWith('/') || prefix.length > 1024)) throw new VeloxError('bad-request', 'prefix must be a folder ending in "/"')
    const colon = grantee.indexOf(':')
    if (colon <= 0 || !(await this.opts.users.get(grantee.slice(0, colon), grantee.slice(colon + 1)))) throw new VeloxError('not-found', `there is no user ${grantee} on this appliance`)
    if (grantee === owner) throw new VeloxError('bad-request', 'this folder is already yours')
    await this.requireGranter(owner)
    const account = this.storageAccount(owner.slice(0, owner.indexOf(':')))
    if (!(await this.opts.swift.containers.find(account, container))) throw new VeloxError('not-found', 'no such container')
    for await (const [, s] of this.byOwner.entries(`${owner}\x00`)) {
      if (s.grantee === grantee && s.container === container && s.prefix === prefix) throw new VeloxError('conflict', `this folder is already shared with ${grantee}: revoke it first to change it`)
    }
    const viaAcl = prefix === ''
    const share: UserShare = { id: randomBytes(9).toString('base64url'), owner, grantee, account, container, prefix, write, createdAt: Math.floor(Date.now() / 1000), viaAcl }
    if (viaAcl) await this.editAcl(account, container, (acl) => ({ read: add(acl.read, grantee), write: write ? add(acl.write, grantee) : acl.write }))
    await this.byOwner.put(`${owner}\x00${share.id}`, share)
    await this.byGrantee.put(`${grantee}\x00${share.id}`, share)
    return share
  }

  async revoke(owner: string, id: string): Promise<void> {
    await this.ready()
    const share = await this.byOwner.get(`${owner}\x00${id}`)
    if (!share) throw new VeloxError('not-found', 'no such share')
    await this.byOwner.del(`${owner}\x00${id}`)
    await this.byGrantee.del(`${share.grantee}\x00${id}`)
    if (share.viaAcl === false) return
    await this.dropAclEntry(share)
  }

  /**
   * The grant `id` to `grantee`, checked on every request of the /api/shared route: `not-found`
   * once revoked, or when its container is gone — so revoking cuts access at once.
   */
  async open(grantee: string, id: string): Promise<UserShare> {
    await this.ready()
    const share = /^[A-Za-z0-9_-]{1,32}$/.test(id) ? await this.byGrantee.get(`${grantee}\x00${id}`) : undefined
    if (!share || !(await this.opts.swift.containers.find(share.account, share.container))) throw new VeloxError('not-found', 'no such shared folder (it may have been revoked)')
    return share
  }

  /** Removes `share.grantee` from the container's ACL unless another ACL grant of the owner to them on it remains. */
  private async dropAclEntry(share: UserShare): Promise<void> {
    const rest = (await this.grantsOf(share.owner)).filter((s) => s.grantee === share.grantee && s.container === share.container && s.viaAcl !== false)
    const keepRead = rest.length > 0
    const keepWrite = rest.some((s) => s.write)
    if (!(await this.opts.swift.containers.find(share.account, share.container))) return
    await this.editAcl(share.account, share.container, (acl) => ({
      read: keepRead ? acl.read : remove(acl.read, share.grantee),
      write: keepWrite ? acl.write : remove(acl.write, share.grantee),
    }))
  }

  async ofOwner(owner: string, container?: string): Promise<UserShare[]> {
    await this.ready()
    return this.grantsOf(owner, container)
  }

  private async grantsOf(owner: string, container?: string): Promise<UserShare[]> {
    const out: UserShare[] = []
    for await (const [, s] of this.byOwner.entries(`${owner}\x00`)) if (container === undefined || s.container === container) out.push(s)
    return out.sort((a, b) => a.createdAt - b.createdAt)
  }

  /** What others shared with `grantee` and still exists (a deleted container drops out). */
  async sharedWith(grantee: string): Promise<UserShare[]> {
    await this.ready()
    const out: UserShare[] = []
    for await (const [, s] of this.byGrantee.entries(`${grantee}\x00`)) {
      if (await this.opts.swift.containers.find(s.account, s.container)) out.push(s)
    }
    return out.sort((a, b) => b.createdAt - a.createdAt)
  }

  /** Runs the migration of folder grants stored with an ACL entry, once per process. */
  private ready(): Promise<void> {
    this.migrated ??= this.migrateFolderAcls().catch((err: unknown) => {
      this.migrated = undefined
      throw err
    })
    return this.migrated
  }

  /**
   * Folder grants stored before folders stopped using the ACL (no `viaAcl`) opened the whole
   * container: mark them `viaAcl: false` and take their ACL entry away, unless a whole-
   * container grant to the same user keeps it. Idempotent (a marked grant is left alone).
   */
  private async migrateFolderAcls(): Promise<void> {
    const legacy: UserShare[] = []
    for await (const [, s] of this.byOwner.entries('')) if (s.viaAcl === undefined) legacy.push(s)
    for (const s of legacy) {
      const marked = { ...s, viaAcl: s.prefix === '' }
      await this.byOwner.put(`${s.owner}\x00${s.id}`, marked)
      await this.byGrantee.put(`${s.grantee}\x00${s.id}`, marked)
    }
    for (const s of legacy) {
      if (s.prefix === '' || !(await this.opts.swift.containers.find(s.account, s.container))) continue
      await this.dropAclEntry({ ...s, viaAcl: false })
    }
  }

  /**
   * Swift lets only the account's owner (tempauth: an .admin user) set a container's ACLs;
   * the list of users is for them only, too.
   */
  private async requireGranter(owner: string): Promise<void> {
    const colon = owner.indexOf(':')
    const me = await this.opts.users.get(owner.slice(0, colon), owner.slice(colon + 1))
    if (!me?.admin && !me?.resellerAdmin) throw new VeloxError('forbidden', "only the account's administrators can share its containers with other users")
  }

  private editAcl(account: string, container: string, fn: (acl: { read: string; write: string }) => { read: string; write: string }): Promise<void> {
    const run = this.queue.catch(() => undefined).then(async () => {
      const info = await this.opts.swift.containers.info(account, container)
      const now = { read: info.metadata[ACL_HEADERS.read]?.value ?? '', write: info.metadata[ACL_HEADERS.write]?.value ?? '' }
      const next = fn(now)
      const headers: Record<string, string> = {}
      if (next.read !== now.read) headers[ACL_HEADERS.read] = next.read === '' ? '' : cleanContainerAcl(ACL_HEADERS.read, next.read)
      if (next.write !== now.write) headers[ACL_HEADERS.write] = next.write === '' ? '' : cleanContainerAcl(ACL_HEADERS.write, next.write)
      if (Object.keys(headers).length) await this.opts.swift.containers.post(account, container, headers, true)
    })
    this.queue = run
    return run
  }
}

/** The ACL text with `name` added once (other entries, referrers included, kept in order). */
function add(acl: string, name: string): string {
  const items = acl.split(',').map((s) => s.trim()).filter(Boolean)
  if (parseContainerAcl(acl).groups.includes(name)) return acl
  return [...items, name].join(',')
}

function remove(acl: string, name: string): string {
  return acl.split(',').map((s) => s.trim()).filter((s) => s && s !== name).join(',')
}
