/**
 * The vocabulary the Swift services share with their callers: the parsed request path,
 * lower-cased request headers, and who is asking. No HTTP framework types.
 */
export interface SwiftPath {
  version: string
  account: string
  container?: string
  object?: string
}

export type SwiftTarget = 'account' | 'container' | 'object'

/** Request headers, names lower-cased. */
export type HeaderMap = Record<string, string | undefined>

/** The authenticated caller (tempauth-style groups), or undefined for anonymous. */
export interface Caller {
  account: string
  user: string
  groups: string[]
}

/** What authorization decided for this request. */
export interface Grant {
  /** Swift's swift_owner: may see and set ACLs and other owner-only headers. */
  owner: boolean
  /** tempauth's reseller_request: the caller is a reseller admin (may set account quotas). */
  reseller?: boolean
  /** The feature that authorized the request instead of a token (Swift's REMOTE_USER '.wsgi.tempurl'). */
  via?: 'tempurl' | 'formpost'
  /**
   * For a request a feature authorized: the paths its sub-requests (segments, link targets)
   * may read, as TempURL's authorize_same_account / authorize_same_container allow them:
   * the signing key's account, and its container for a container key.
   */
  scope?: { account: string; container?: string; within?: readonly LinkPlace[] }
}

/**
 * Where a share link's sub-requests (symlink targets, SLO/DLO segments and segment listings)
 * may go: an exact object, or any object under a prefix of a container (issue 11, item 4).
 */
export interface LinkPlace {
  container: string
  object?: string
  prefix?: string
}
