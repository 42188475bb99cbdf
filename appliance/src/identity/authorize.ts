/**
 * The access decision of Swift tempauth's `authorize()` (Swift 2.30), as a pure function:
 * given the request's method and path, the caller's groups (from its token and service
 * token), the container ACL that applies and the account's ACL, say whether it may go on
 * and whether it acts as the account's owner (tempauth's `swift_owner`). Must not read
 * tokens, databases or headers itself: the caller (swift/ and http/) supplies everything,
 * choosing X-Container-Read for GET/HEAD and X-Container-Write for PUT/POST/DELETE, and
 * validating a new X-Account-Access-Control with parseAccountAcl (400) beforehand.
 * Not ported: container sync keys (no container sync in Velox).
 */
import { isEmptyAccountAcl, parseContainerAcl, referrerAllowed, type AccountAcl } from './acl.js'
import { RESELLER_ADMIN_GROUP } from './groups.js'

export {
  cleanContainerAcl,
  formatAccountAcl,
  formatContainerAcl,
  isEmptyAccountAcl,
  parseAccountAcl,
  parseContainerAcl,
  referrerAllowed,
  type AccountAcl,
  type ContainerAcl,
} from './acl.js'

export const RESELLER_READER_GROUP = '.reseller_reader'

export interface AuthorizeRequest {
  method: string
  /** Account as in the path, with its reseller prefix (`AUTH_test`). */
  account: string
  container?: string
  object?: string
  /** Groups of the X-Auth-Token identity; undefined for an anonymous request. */
  groups?: readonly string[]
  /** Groups of a valid X-Service-Token; only counted when `groups` is set (as tempauth). */
  serviceGroups?: readonly string[]
  /** The Referer header. */
  referer?: string
  /** The cleaned X-Container-Read (GET/HEAD) or X-Container-Write (PUT/POST/DELETE) of the container. */
  containerAcl?: string
  /** The account's stored X-Account-Access-Control, parsed. */
  accountAcl?: AccountAcl
  /** Reseller prefixes this appliance is the authority for (e.g. ['AUTH_', 'SERVICE_']). */
  resellerPrefixes: readonly string[]
  /** tempauth `<prefix>require_group`: a group the owner must also hold, per reseller prefix. */
  requireGroup?: Readonly<Record<string, string>>
}

export type AuthorizeDecision = { allowed: true; owner: boolean } | { allowed: false; status: 401 | 403 }

/** tempauth `_get_account_prefix`: the reseller prefix an account falls under, the empty one last. */
export function accountResellerPrefix(account: string, resellerPrefixes: readonly string[]): string | undefined {
  for (const prefix of resellerPrefixes) if (prefix !== '' && account.startsWith(prefix)) return prefix
  return resellerPrefixes.includes('') ? '' : undefined
}

/** tempauth `_dot_account`: accounts like `AUTH_.expiring_objects` are internal; no reseller admin acts on them. */
function isDotAccount(account: string, resellerPrefixes: readonly string[]): boolean {
  const prefix = accountResellerPrefix(account, resellerPrefixes)
  return prefix !== undefined && account[prefix.length] === '.'
}

const ALLOW = (owner: boolean): AuthorizeDecision => ({ allowed: true, owner })

export function authorize(req: AuthorizeRequest): AuthorizeDecision {
  const method = req.method.toUpperCase()
  const container = req.container || undefined
  const object = req.object || undefined
  const authenticated = req.groups !== undefined && req.groups.length > 0
  // tempauth: service-token groups are appended only when the user token itself is valid.
  const userGroups = authenticated
    ? [...req.groups!, ...(req.serviceGroups && req.serviceGroups.length > 0 ? req.serviceGroups : [])]
    : []
  const denied: AuthorizeDecision = { allowed: false, status: authenticated ? 403 : 401 }
  const prefix = accountResellerPrefix(req.account, req.resellerPrefixes)
  if (prefix === undefined) return denied

  const has = (g: string) => userGroups.includes(g)
  const privilegedTarget = !req.resellerPrefixes.includes(req.account) && !isDotAccount(req.account, req.resellerPrefixes)
  if (has(RESELLER_ADMIN_GROUP) && privilegedTarget) return ALLOW(true)
  if (has(RESELLER_READER_GROUP) && privilegedTarget && (method === 'GET' || method === 'HEAD')) return ALLOW(false)

  // Owner of the account, except account PUT/DELETE (those are the reseller's).
  if (has(req.account) && ((method !== 'DELETE' && method !== 'PUT') || container)) {
    const required = req.requireGroup?.[prefix]
    if (!required || has(required)) return ALLOW(true)
  }

  if (method === 'OPTIONS') return ALLOW(false)

  const acl = parseContainerAcl(req.containerAcl)
  if (referrerAllowed(req.referer, acl.referrers) && (object || acl.groups.includes('.rlistings'))) {
    return ALLOW(false)
  }
  if (userGroups.some((g) => g !== '' && acl.groups.includes(g))) return ALLOW(false)

  const accountAcl = req.accountAcl
  if (accountAcl && !isEmptyAccountAcl(accountAcl)) {
    const inList = (list: readonly string[]) => userGroups.some((g) => list.includes(g))
    if (inList(accountAcl.admin)) return ALLOW(true)
    // read-write: everything in containers and objects, but only reads of the account itself.
    if (inList(accountAcl.readWrite) && (container || method === 'GET' || method === 'HEAD')) return ALLOW(false)
    if (inList(accountAcl.readOnly) && (method === 'GET' || method === 'HEAD')) return ALLOW(false)
  }
  return denied
}
