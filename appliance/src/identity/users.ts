/**
 * Local users per Swift account (tempauth's user list, kept in `<data>/etc/users.json`):
 * add, remove, change key, verify a key, and see changes another process (the CLI) made
 * while the server runs. Owns the users file path and the key hashing policy.
 * Must not keep or log plain keys, must not need the state database (the CLI runs while
 * the server holds its lock), and must not decide authorization (authorize.ts does).
 */
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { VeloxError } from '../errors.js'
import { compareKey, dummyKeyHash, hashKey } from './bcrypt.js'
import {
  parseAccountUser,
  validateAccountName,
  validateGroupName,
  validateKey,
  validateUserName,
} from './names.js'
import { fileSignature, readUsersFile, withUsersFileLock, writeUsersFile, type UserRecord } from './users-file.js'

export interface User {
  readonly account: string
  readonly user: string
  /** tempauth `.admin`: owns its account. */
  readonly admin: boolean
  /** tempauth `.reseller_admin`: may act on any account. */
  readonly resellerAdmin: boolean
  /** Custom groups named by ACLs and service-token rules (e.g. `service`). */
  readonly groups: readonly string[]
  /** Short digest of the key hash; changes whenever the key does. Not the hash itself. */
  readonly keyFingerprint: string
}

export interface NewUser {
  account: string
  user: string
  key: string
  admin?: boolean
  resellerAdmin?: boolean
  groups?: readonly string[]
}

export interface UserDirectoryOptions {
  /** Minimum time between two stats of the users file on lookups (default 1000 ms; 0 = every lookup). */
  statIntervalMs?: number
  /** Clock in ms (tests). */
  nowMs?: () => number
}

/** The one place that names the users file, for the server and the CLI alike. */
export function usersFilePath(dataDir: string): string {
  return join(dataDir, 'etc', 'users.json')
}

const userKey = (account: string, user: string) => `${account}:${user}`

function keyFingerprint(keyHash: string): string {
  return createHash('sha256').update(keyHash).digest('hex').slice(0, 16)
}

function toUser(r: UserRecord): User {
  return Object.freeze({
    account: r.account,
    user: r.user,
    admin: r.admin,
    resellerAdmin: r.resellerAdmin,
    groups: Object.freeze([...r.groups]),
    keyFingerprint: keyFingerprint(r.keyHash),
  })
}

function normaliseGroups(groups: readonly string[] | undefined): string[] {
  return [...new Set((groups ?? []).map(validateGroupName))]
}

export class UserDirectory {
  private records = new Map<string, UserRecord>()
  private signature: string | undefined
  private lastStatMs = -Infinity
  private refreshing: Promise<void> | undefined
  private readonly statIntervalMs: number
  private readonly nowMs: () => number

  constructor(
    readonly path: string,
    opts: UserDirectoryOptions = {},
  ) {
    this.statIntervalMs = opts.statIntervalMs ?? 1000
    this.nowMs = opts.nowMs ?? Date.now
  }

  async get(account: string, user: string): Promise<User | undefined> {
    await this.refresh()
    const r = this.records.get(userKey(account, user))
    return r && toUser(r)
  }

  /** All users sorted by account then user. */
  async list(): Promise<User[]> {
    await this.refresh()
    return [...this.records.values()]
      .sort((a, b) => cmp(a.account, b.account) || cmp(a.user, b.user))
      .map(toUser)
  }

  /**
   * The user named `acct:user` if `key` is its key. An unknown user still costs one bcrypt
   * comparison (against a dummy hash) so that timing does not reveal which users exist.
   */
  async verify(accountUser: string, key: string): Promise<User | undefined> {
    await this.refresh()
    const name = parseAccountUser(accountUser)
    const r = name && this.records.get(userKey(name.account, name.user))
    const hash = r ? r.keyHash : await dummyKeyHash()
    const ok = await compareKey(key, hash)
    return ok && r ? toUser(r) : undefined
  }

  /** Adds a user; `conflict` if it exists. */
  async add(u: NewUser): Promise<User> {
    const record = await newRecord(u)
    return this.mutate((records) => {
      const k = userKey(record.account, record.user)
      if (records.has(k)) throw new VeloxError('conflict', `user ${k} already exists`)
      records.set(k, record)
      return toUser(record)
    })
  }

  /** Removes a user; `not-found` if there is none. Its tokens stop validating. */
  async remove(account: string, user: string): Promise<void> {
    await this.mutate((records) => {
      if (!records.delete(userKey(account, user))) {
        throw new VeloxError('not-found', `no user ${userKey(account, user)}`)
      }
    })
  }

  /** Replaces a user's key; `not-found` if there is none. Tokens issued under the old key stop validating. */
  async setKey(account: string, user: string, key: string): Promise<User> {
    const keyHash = await hashKey(validateKey(key))
    return this.mutate((records) => {
      const r = records.get(userKey(account, user))
      if (!r) throw new VeloxError('not-found', `no user ${userKey(account, user)}`)
      r.keyHash = keyHash
      return toUser(r)
    })
  }

  /** Grants or takes away `.admin` (the admin settings' "make admin"); `not-found` if there is none. */
  async setAdmin(account: string, user: string, admin: boolean): Promise<User> {
    return this.mutate((records) => {
      const r = records.get(userKey(account, user))
      if (!r) throw new VeloxError('not-found', `no user ${userKey(account, user)}`)
      r.admin = admin
      return toUser(r)
    })
  }

  /**
   * Adds or updates users in one write (for `--users FILE` at start). A user whose key is
   * unchanged keeps its hash, so that its tokens survive restarts.
   */
  async merge(users: readonly NewUser[]): Promise<{ created: number; updated: number }> {
    const checked = users.map((u) => ({ ...u, ...checkedFields(u) }))
    return this.mutate(async (records) => {
      let created = 0
      let updated = 0
      for (const u of checked) {
        const k = userKey(u.account, u.user)
        const old = records.get(k)
        const keyHash = old && (await compareKey(u.key, old.keyHash)) ? old.keyHash : await hashKey(u.key)
        records.set(k, { ...u.fields, keyHash })
        if (old) updated++
        else created++
      }
      return { created, updated }
    })
  }

  /** Re-reads the file now, whatever its signature. */
  async reload(): Promise<void> {
    const snap = await readUsersFile(this.path)
    this.records = new Map(snap.users.map((r) => [userKey(r.account, r.user), r]))
    this.signature = snap.signature
    this.lastStatMs = this.nowMs()
  }

  /** Stats the file at most once per interval and re-reads it when another writer replaced it. */
  private async refresh(): Promise<void> {
    if (this.signature !== undefined && this.nowMs() - this.lastStatMs < this.statIntervalMs) return
    this.refreshing ??= (async () => {
      try {
        const sig = await stat(this.path).then(fileSignature, (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return ''
          throw err
        })
        if (sig !== this.signature) await this.reload()
        else this.lastStatMs = this.nowMs()
      } finally {
        this.refreshing = undefined
      }
    })()
    await this.refreshing
  }

  /** Read-modify-write under the file lock, from the file's current content (not our cache). */
  private async mutate<T>(fn: (records: Map<string, UserRecord>) => T | Promise<T>): Promise<T> {
    return withUsersFileLock(this.path, async () => {
      const snap = await readUsersFile(this.path)
      const records = new Map(snap.users.map((r) => [userKey(r.account, r.user), r]))
      const result = await fn(records)
      await writeUsersFile(this.path, [...records.values()])
      await this.reload()
      return result
    })
  }
}

function checkedFields(u: NewUser): { key: string; fields: Omit<UserRecord, 'keyHash'> } {
  return {
    key: validateKey(u.key),
    fields: {
      account: validateAccountName(u.account),
      user: validateUserName(u.user),
      admin: u.admin === true,
      resellerAdmin: u.resellerAdmin === true,
      groups: normaliseGroups(u.groups),
    },
  }
}

async function newRecord(u: NewUser): Promise<UserRecord> {
  const { key, fields } = checkedFields(u)
  return { ...fields, keyHash: await hashKey(key) }
}

function cmp(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/**
 * Reads a `--users FILE` list: `[{"account","user","key","admin"?,"resellerAdmin"?,"groups"?}]`.
 * Errors name the entry, never its key.
 */
export async function readUsersSeedFile(path: string): Promise<NewUser[]> {
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new VeloxError('bad-request', `users file ${path} cannot be read as JSON`, undefined, { cause: err })
  }
  if (!Array.isArray(doc)) throw new VeloxError('bad-request', `users file ${path} must hold a JSON array`)
  return doc.map((e: Record<string, unknown>, i: number) => {
    const where = `users file ${path} entry ${i}`
    if (typeof e !== 'object' || e === null) throw new VeloxError('bad-request', `${where} is not an object`)
    for (const flag of ['admin', 'resellerAdmin'] as const) {
      if (e[flag] !== undefined && typeof e[flag] !== 'boolean') {
        throw new VeloxError('bad-request', `${where}: ${flag} must be true or false`)
      }
    }
    if (e.groups !== undefined && !Array.isArray(e.groups)) {
      throw new VeloxError('bad-request', `${where}: groups must be a list`)
    }
    const u: NewUser = {
      account: e.account as string,
      user: e.user as string,
      key: e.key as string,
      admin: e.admin as boolean | undefined,
      resellerAdmin: e.resellerAdmin as boolean | undefined,
      groups: e.groups as string[] | undefined,
    }
    try {
      checkedFields(u)
    } catch (err) {
      throw new VeloxError('bad-request', `${where}: ${(err as Error).message}`)
    }
    return u
  })
}

/** Reads a `--users FILE` and merges it into the directory (keys hashed here, never stored plain). */
export async function loadUsersFile(
  path: string,
  directory: UserDirectory,
): Promise<{ created: number; updated: number }> {
  return directory.merge(await readUsersSeedFile(path))
}
