/**
 * Sharing a folder (a container, or a prefix in it) with another Velox user (issue 16):
 * the access itself is the container's Swift ACL (X-Container-Read, and X-Container-Write
 * for read+write, naming `account:user`), so the grantee's Swift clients see exactly what
 * the web app shows; the record kept here (owner, container, prefix, grantee) only lists
 * "Shared with me" and the owner's grants. Swift ACLs are per container: a prefix share
 * opens the whole container to the grantee, which the share dialog says. Revoking removes
 * the ACL entry unless another of the owner's grants to that user on that container
 * remains. Namespaces 'user-shares-by-owner' and 'user-shares-by-grantee', keyed
 * `<account:user>\0<id>`. No HTTP.
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

  constructor(private readonly opts: UserShareOptions) {
    this.byOwner = opts.db.namespace<UserShare>('user-shares-by-owner')
    this.byGrantee = opts.db.namespace<UserShare>('user-shares-by-grantee')
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
    const share: UserShare = { id: randomBytes(9).toString('base64url'), owner, grantee, account, container, prefix, write, createdAt: Math.floor(Date.now() / 1000) }
    await this.editAcl(account, container, (acl) => ({ read: add(acl.read, grantee), write: write ? add(acl.write, grantee) : acl.write }))
    await this.byOwner.put(`${owner}\x00${share.id}`, share)
    await this.byGrantee.put(`${grantee}\x00${share.id}`, share)
    return share
  }

  async revoke(owner: string, id: string): Promise<void> {
    const share = await this.byOwner.get(`${owner}\x00${id}`)
    if (!share) throw new VeloxError('not-found', 'no such share')
    await this.byOwner.del(`${owner}\x00${id}`)
    await this.byGrantee.del(`${share.grantee}\x00${id}`)
    // Another grant to the same user on the same container (another folder) keeps its access.
    const rest = (await this.ofOwner(owner)).filter((s) => s.grantee === share.grantee && s.container === share.container)
    const keepRead = rest.length > 0
    const keepWrite = rest.some((s) => s.write)
    if (!(await this.opts.swift.containers.find(share.account, share.container))) return
    await this.editAcl(share.account, share.container, (acl) => ({
      read: keepRead ? acl.read : remove(acl.read, share.grantee),
      write: keepWrite ? acl.write : remove(acl.write, share.grantee),
    }))
  }

  async ofOwner(owner: string, container?: string): Promise<UserShare[]> {
    const out: UserShare[] = []
    for await (const [, s] of this.byOwner.entries(`${owner}\x00`)) if (container === undefined || s.container === container) out.push(s)
    return out.sort((a, b) => a.createdAt - b.createdAt)
  }

  /** What others shared with `grantee` and still exists (a deleted container drops out). */
  async sharedWith(grantee: string): Promise<UserShare[]> {
    const out: UserShare[] = []
    for await (const [, s] of this.byGrantee.entries(`${grantee}\x00`)) {
      if (await this.opts.swift.containers.find(s.account, s.container)) out.push(s)
    }
    return out.sort((a, b) => b.createdAt - a.createdAt)
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
