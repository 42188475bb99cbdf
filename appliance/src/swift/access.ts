/**
 * Who may do what: v1 authentication (user + key → token) and the per-request decision,
 * tempauth's rules with the ACLs that apply (container read/write ACL, account ACL) looked
 * up only when the caller is not already the owner. No HTTP types.
 */
import type { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import { VeloxError } from '../errors.js'
import { authorize, parseAccountAcl, type AccountAcl } from '../identity/authorize.js'
import type { Identity } from '../identity/groups.js'
import type { TokenService } from '../identity/tokens.js'
import type { UserDirectory } from '../identity/users.js'
import type { Grant, SwiftPath } from './types.js'

export interface AccessRequest {
  method: string
  path: SwiftPath
  token?: string
  serviceToken?: string
  referer?: string
}

/** The sysmeta key under which tempauth keeps X-Account-Access-Control. */
export const ACCOUNT_ACL_KEY = 'x-account-sysmeta-core-access-control'

export class AccessService {
  constructor(
    private readonly users: UserDirectory,
    private readonly tokens: TokenService,
    private readonly dbs: ReplicatedDatabases,
    readonly resellerPrefixes: readonly string[],
    private readonly requireGroup: Readonly<Record<string, string>> = {},
  ) {}

  /** GET /auth/v1.0: returns the token and the account the storage URL names. */
  async authenticate(accountUser: string | undefined, key: string | undefined): Promise<{ token: string; expiresAt: number; account: string }> {
    if (!accountUser || key === undefined || !accountUser.includes(':')) throw new VeloxError('unauthorized', 'missing credentials')
    const user = await this.users.verify(accountUser, key)
    if (!user) throw new VeloxError('unauthorized', 'bad credentials')
    const issued = await this.tokens.issue(user)
    return { token: issued.token, expiresAt: issued.expiresAt, account: `${this.resellerPrefixes[0] ?? ''}${user.account}` }
  }

  async identify(token: string | undefined): Promise<Identity | undefined> {
    if (!token) return undefined
    return this.tokens.validate(token)
  }

  /** Decides the request; throws `unauthorized` (anonymous) or `forbidden`. */
  async authorize(req: AccessRequest): Promise<Grant & { identity?: Identity }> {
    const identity = await this.identify(req.token)
    const service = req.serviceToken ? await this.identify(req.serviceToken) : undefined
    const base = {
      method: req.method,
      account: req.path.account,
      container: req.path.container,
      object: req.path.object,
      groups: identity?.groups,
      serviceGroups: service?.groups,
      referer: req.referer,
      resellerPrefixes: this.resellerPrefixes,
      requireGroup: this.requireGroup,
    }
    let decision = authorize(base)
    if (!decision.allowed && !this.isPreflight(req.method)) {
      const [containerAcl, accountAcl] = await Promise.all([this.containerAcl(req), this.accountAcl(req.path.account)])
      if (containerAcl !== undefined || accountAcl !== undefined) decision = authorize({ ...base, containerAcl, accountAcl })
    }
    if (!decision.allowed) {
      throw new VeloxError(decision.status === 401 ? 'unauthorized' : 'forbidden', 'access denied', {
        headers: decision.status === 401 ? { 'Www-Authenticate': `Swift realm="${encodeURIComponent(req.path.account)}"` } : {},
      })
    }
    return { owner: decision.owner, identity }
  }

  private isPreflight(method: string): boolean {
    return method === 'OPTIONS'
  }

  /** The container ACL that applies: read for GET/HEAD, write for PUT/POST/DELETE on objects. */
  private async containerAcl(req: AccessRequest): Promise<string | undefined> {
    const { account, container, object } = req.path
    if (!container) return undefined
    const read = req.method === 'GET' || req.method === 'HEAD'
    if (!read && !object) return undefined
    const info = await this.dbs.getContainer(account, container)
    if (!info) return undefined
    const key = read ? 'x-container-read' : 'x-container-write'
    return info.metadata[key]?.value || undefined
  }

  private async accountAcl(account: string): Promise<AccountAcl | undefined> {
    const info = await this.dbs.getAccount(account)
    const raw = info?.metadata[ACCOUNT_ACL_KEY]?.value
    if (!raw) return undefined
    try {
      return parseAccountAcl(raw)
    } catch {
      return undefined
    }
  }
}
