/**
 * Who may do what: v1 authentication (user + key → token) and the per-request decision,
 * tempauth's rules with the ACLs that apply (container read/write ACL, account ACL) looked
 * up only when the caller is not already the owner. No HTTP types.
 */
import type { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import { VeloxError } from '../errors.js'
import { accountResellerPrefix, authorize, parseAccountAcl, type AccountAcl } from '../identity/authorize.js'
import { RESELLER_ADMIN_GROUP, type Identity } from '../identity/groups.js'
import type { TokenService } from '../identity/tokens.js'
import type { UserDirectory } from '../identity/users.js'
import type { DbMetadata } from '../store/types.js'
import type { Grant, HeaderMap, SwiftPath } from './types.js'

export interface AccessRequest {
  method: string
  path: SwiftPath
  token?: string
  serviceToken?: string
  referer?: string
  /**
   * The request's headers, when it may carry X-Account-Access-Control: tempauth validates
   * it (400) and, once the request is allowed, moves it to ACCOUNT_ACL_KEY here.
   */
  headers?: HeaderMap
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

  /**
   * Decides the request; throws `unauthorized` (anonymous, or a token of ours that does
   * not validate, as tempauth denies it outright), `forbidden`, or `bad-request` for an
   * invalid X-Account-Access-Control.
   */
  async authorize(req: AccessRequest): Promise<Grant & { identity?: Identity }> {
    const identity = await this.identify(req.token)
    const tokenPrefix = this.resellerPrefixes[0]
    if (!identity && tokenPrefix && req.token?.startsWith(tokenPrefix)) throw this.denied(401, req.path.account)
    const service = identity && req.serviceToken ? await this.identify(req.serviceToken) : undefined
    const aclHeader = req.headers?.['x-account-access-control']
    if (aclHeader !== undefined && accountResellerPrefix(req.path.account, this.resellerPrefixes) !== undefined) checkAccountAclHeader(aclHeader)
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
      // The proxy asks tempauth first without the container ACL (so the account ACL decides
      // swift_owner: an admin grantee sees container ACLs even on a public container), then
      // again with it.
      if (accountAcl !== undefined) decision = authorize({ ...base, accountAcl })
      if (!decision.allowed && containerAcl !== undefined) decision = authorize({ ...base, containerAcl, accountAcl })
    }
    if (!decision.allowed) throw this.denied(decision.status, req.path.account)
    if (aclHeader !== undefined && req.headers) {
      // tempauth's extract_acl_and_report_errors: the valid header travels on as sysmeta.
      req.headers[ACCOUNT_ACL_KEY] = aclHeader
      delete req.headers['x-account-access-control']
    }
    return { owner: decision.owner, identity, reseller: identity?.groups.includes(RESELLER_ADMIN_GROUP) ?? false }
  }

  private denied(status: 401 | 403, account: string): VeloxError {
    if (status === 403) return new VeloxError('forbidden', 'access denied')
    return new VeloxError('unauthorized', 'access denied', { headers: { 'Www-Authenticate': `Swift realm="${encodeURIComponent(account)}"` } })
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

/**
 * X-Account-Access-Control as the proxy shows it to owners (add_acls_from_sys_metadata):
 * the stored JSON re-serialized as format_acl_v2 does, or undefined when unset or empty.
 */
export function accountAclResponseHeader(metadata: DbMetadata): string | undefined {
  const stored = metadata[ACCOUNT_ACL_KEY]?.value
  if (!stored) return undefined
  let doc: unknown
  try {
    doc = JSON.parse(stored)
  } catch {
    return undefined
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || Object.keys(doc).length === 0) return undefined
  return pyJsonDumps(doc)
}

/** tempauth's 400 for an invalid X-Account-Access-Control: the reason, then the input. */
function checkAccountAclHeader(value: string): void {
  try {
    parseAccountAcl(value)
  } catch (err) {
    if (err instanceof VeloxError && err.kind === 'bad-request') {
      throw new VeloxError('bad-request', `${err.message}\n\nInput: ${value}\n`, { explain: true })
    }
    throw err
  }
}

/** Python's json.dumps(v, ensure_ascii=True, separators=(',', ':'), sort_keys=True). */
function pyJsonDumps(v: unknown): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted)
    if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sorted((x as Record<string, unknown>)[k])]))
    return x
  }
  return JSON.stringify(sorted(v)).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
