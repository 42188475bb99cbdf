/**
 * The identity a token stands for and its groups, built as Swift tempauth's
 * `_get_user_groups` builds them: `[account, account:user, ...groups, (.reseller_admin),
 * <prefix><account> for every non-empty reseller prefix when admin]`. The first group
 * identifies the account, the second the user. Pure; must not read files or databases.
 */
import type { User } from './users.js'

export interface Identity {
  readonly account: string
  readonly user: string
  /** tempauth's REMOTE_USER list, in order. */
  readonly groups: readonly string[]
  /** Unix seconds when the token stops validating. */
  readonly expiresAt: number
}

export const RESELLER_ADMIN_GROUP = '.reseller_admin'

export function userGroups(
  user: Pick<User, 'account' | 'user' | 'admin' | 'resellerAdmin' | 'groups'>,
  resellerPrefixes: readonly string[],
): string[] {
  const groups = [user.account, `${user.account}:${user.user}`, ...user.groups]
  if (user.resellerAdmin) groups.push(RESELLER_ADMIN_GROUP)
  if (user.admin) {
    for (const prefix of resellerPrefixes) if (prefix !== '') groups.push(`${prefix}${user.account}`)
    // tempauth also adds the account id of the storage URL, which for an empty first prefix is the bare account.
    const accountId = `${resellerPrefixes[0] ?? ''}${user.account}`
    if (!groups.includes(accountId)) groups.push(accountId)
  }
  return [...new Set(groups)]
}

/** Same groups regardless of order (tempauth reuses a token only if this holds). */
export function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a)
  const sb = new Set(b)
  return sa.size === sb.size && [...sa].every((g) => sb.has(g))
}
