/**
 * First boot without users: an appliance must not come up with a well-known password, so
 * it creates one admin (account "admin", user "admin") with a random key and hands that key
 * back once for the operator to read; only its bcrypt hash is stored. The install wizard
 * (web app) replaces this step with a user-chosen password.
 */
import { randomBytes } from 'node:crypto'
import type { UserDirectory } from '../identity/users.js'

export async function ensureFirstUser(users: UserDirectory): Promise<{ account: string; user: string; key: string } | undefined> {
  if ((await users.list()).length > 0) return undefined
  const first = { account: 'admin', user: 'admin', key: randomBytes(15).toString('base64url') }
  await users.add({ ...first, admin: true })
  return first
}
