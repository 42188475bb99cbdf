/**
 * The users file `<data>/etc/users.json`: its format, atomic replacement (temp file →
 * fsync → rename → fsync dir, mode 0600) and a lock file that serialises writers (the
 * CLI and the server may both write). Holds key hashes only; must never see a plain key,
 * and must not cache anything (the directory in users.ts does).
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { VeloxError } from '../errors.js'
import { validateAccountName, validateGroupName, validateUserName } from './names.js'

export interface UserRecord {
  account: string
  user: string
  /** bcrypt hash of the key. */
  keyHash: string
  admin: boolean
  resellerAdmin: boolean
  groups: string[]
}

export interface UsersSnapshot {
  users: UserRecord[]
  /** Identity of the file version read (inode, size, mtime); '' when there is no file. */
  signature: string
}

const FORMAT_VERSION = 1
const LOCK_WAIT_MS = 5000
const LOCK_STALE_MS = 30_000

export function fileSignature(s: { ino: number; size: number; mtimeMs: number }): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}`
}

/** Reads the file through one descriptor so that content and signature belong to the same version. */
export async function readUsersFile(path: string): Promise<UsersSnapshot> {
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { users: [], signature: '' }
    throw new VeloxError('internal', `cannot open users file ${path}`, undefined, { cause: err })
  }
  try {
    const st = await fh.stat()
    const text = await fh.readFile('utf8')
    return { users: parseUsersFile(path, text), signature: fileSignature(st) }
  } finally {
    await fh.close()
  }
}

function parseUsersFile(path: string, text: string): UserRecord[] {
  const bad = (why: string): never => {
    throw new VeloxError('internal', `users file ${path} is invalid: ${why}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return bad('not JSON')
  }
  const d = doc as { version?: unknown; users?: unknown }
  if (typeof d !== 'object' || d === null || d.version !== FORMAT_VERSION || !Array.isArray(d.users)) {
    return bad(`expected {"version": ${FORMAT_VERSION}, "users": [...]}`)
  }
  return d.users.map((u: Partial<UserRecord>, i: number) => {
    if (typeof u !== 'object' || u === null) return bad(`entry ${i} is not an object`)
    if (typeof u.keyHash !== 'string' || !u.keyHash.startsWith('$2')) bad(`entry ${i} has no bcrypt keyHash`)
    if (!Array.isArray(u.groups)) bad(`entry ${i} has no groups list`)
    try {
      return {
        account: validateAccountName(u.account),
        user: validateUserName(u.user),
        keyHash: u.keyHash as string,
        admin: u.admin === true,
        resellerAdmin: u.resellerAdmin === true,
        groups: (u.groups as unknown[]).map(validateGroupName),
      }
    } catch (err) {
      return bad(`entry ${i}: ${(err as Error).message}`)
    }
  })
}

/** Replaces the file atomically: readers see the old or the new version, never a mix. */
export async function writeUsersFile(path: string, users: readonly UserRecord[]): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // Fixed field order, so that the file diffs cleanly between versions.
  const ordered = users.map((u) => ({
    account: u.account,
    user: u.user,
    keyHash: u.keyHash,
    admin: u.admin,
    resellerAdmin: u.resellerAdmin,
    groups: u.groups,
  }))
  const text = `${JSON.stringify({ version: FORMAT_VERSION, users: ordered }, null, 2)}\n`
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
  try {
    await fh.writeFile(text, 'utf8')
    // Data on disk before the rename makes it visible, or a crash could leave an empty users file.
    await fh.sync()
  } catch (err) {
    await fh.close()
    await unlink(tmp).catch(() => undefined)
    throw err
  }
  await fh.close()
  await rename(tmp, path)
  // The rename itself is durable only once the directory entry is flushed.
  const dh = await open(dir, 'r')
  try {
    await dh.sync()
  } finally {
    await dh.close()
  }
}

/**
 * Runs `fn` holding `<path>.lock` (created with O_EXCL). A lock older than 30 s is
 * taken to be left by a crashed writer and removed.
 */
export async function withUsersFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const deadline = Date.now() + LOCK_WAIT_MS
  let fh: FileHandle | undefined
  while (!fh) {
    try {
      fh = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const st = await stat(lock).catch(() => undefined)
      if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) {
        await unlink(lock).catch(() => undefined)
        continue
      }
      if (Date.now() > deadline) {
        throw new VeloxError('unavailable', `users file is locked by another writer (${lock})`)
      }
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  try {
    try {
      await fh.writeFile(String(process.pid))
    } finally {
      await fh.close()
    }
    return await fn()
  } finally {
    await unlink(lock).catch(() => undefined)
  }
}
