/**
 * Validation of the names the identity layer stores: accounts, users, groups and keys.
 * Owns the rules (sizes, forbidden characters, reserved groups); throws `bad-request`.
 * Must not touch files or the state database.
 */
import { VeloxError } from '../errors.js'
import { BCRYPT_MAX_KEY_BYTES } from './bcrypt.js'

export const NAME_MAX_BYTES = 256

/** Groups set through the admin / resellerAdmin flags, never given by name. */
export const RESERVED_GROUPS: readonly string[] = ['.admin', '.reseller_admin']

const CONTROL = /[\x00-\x1f\x7f]/

function checkName(what: string, name: unknown): string {
  const bad = (why: string): never => {
    throw new VeloxError('bad-request', `invalid ${what} name ${JSON.stringify(name)}: ${why}`)
  }
  if (typeof name !== 'string' || name.length === 0) return bad('must be a non-empty string')
  if (Buffer.byteLength(name, 'utf8') > NAME_MAX_BYTES) bad(`longer than ${NAME_MAX_BYTES} bytes`)
  if (CONTROL.test(name)) bad('contains a control character')
  if (name.includes('/')) bad("contains '/'")
  // ACLs and group lists are comma-separated and whitespace-trimmed: such names could never be granted.
  if (name.includes(',')) bad("contains ','")
  if (name.trim() !== name) bad('starts or ends with whitespace')
  return name
}

/** Account names: no ':' (it separates account and user in `acct:user`), no leading '.' (Swift reserves dot accounts). */
export function validateAccountName(name: unknown): string {
  checkName('account', name)
  const s = name as string
  if (s.includes(':')) throw new VeloxError('bad-request', `invalid account name ${JSON.stringify(s)}: contains ':'`)
  if (s.startsWith('.')) throw new VeloxError('bad-request', `invalid account name ${JSON.stringify(s)}: starts with '.'`)
  return s
}

export function validateUserName(name: unknown): string {
  return checkName('user', name)
}

/** Custom groups: no ':' (so that a group can never impersonate an `acct:user` identity), not a reserved group. */
export function validateGroupName(name: unknown): string {
  checkName('group', name)
  const s = name as string
  if (s.includes(':')) throw new VeloxError('bad-request', `invalid group name ${JSON.stringify(s)}: contains ':'`)
  if (RESERVED_GROUPS.includes(s)) {
    throw new VeloxError('bad-request', `group ${s} is set with the admin / reseller admin flags, not as a group`)
  }
  return s
}

/** Keys: non-empty, at most 72 bytes (bcrypt's limit), no control characters. The key is never echoed. */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw new VeloxError('bad-request', 'key must be a non-empty string')
  if (Buffer.byteLength(key, 'utf8') > BCRYPT_MAX_KEY_BYTES) {
    throw new VeloxError('bad-request', `key is longer than ${BCRYPT_MAX_KEY_BYTES} bytes`)
  }
  if (CONTROL.test(key)) throw new VeloxError('bad-request', 'key contains a control character')
  return key
}

/** Splits `acct:user` at the first ':' (accounts never contain one); undefined when malformed. */
export function parseAccountUser(accountUser: string): { account: string; user: string } | undefined {
  const i = accountUser.indexOf(':')
  if (i <= 0 || i === accountUser.length - 1) return undefined
  return { account: accountUser.slice(0, i), user: accountUser.slice(i + 1) }
}
