/**
 * The lock on ring edits between the running appliance (disks added, drained, ramped through
 * /api/admin/disks) and the CLI (`velox disk …`, `velox ring …` from a shell): two writers of
 * the same builder files would each rebalance from what they read and the later save would
 * silently undo the other's change. The lock is a file beside the builders (`<swiftDir>/
 * ring-edit.lock`, under the data dir) created with O_EXCL and holding the holder's pid and
 * what it is doing; a lock whose pid is gone (a crashed CLI) is taken over. A second editor
 * waits briefly (edits take well under a second) and then fails with a message naming the
 * holder. Reentrant within a process (an edit made of several ring changes holds it once).
 *
 * Synchronous on purpose: ring edits (ring/builder) are synchronous file work, and the wait is
 * bounded (default 10 s, only while another process edits the rings).
 * Owns the lock file; it must not edit rings.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { VeloxError } from '../errors.js'
import { processAlive } from '../lib/pids.js'

export const RING_LOCK_FILE = 'ring-edit.lock'

export interface RingLockHolder {
  pid: number
  /** What the holder is doing, e.g. "velox disk add" or "appliance: disk drain". */
  what: string
  since: string
}

/** Locks held by this process: path → depth (reentrancy). */
const held = new Map<string, number>()
const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** Runs `fn` holding the ring-edit lock of the rings in `swiftDir`. */
export function withRingLock<T>(swiftDir: string, what: string, fn: () => T, waitMs = 10_000): T {
  const path = join(swiftDir, RING_LOCK_FILE)
  const depth = held.get(path) ?? 0
  if (depth === 0) acquire(path, what, waitMs)
  held.set(path, depth + 1)
  try {
    return fn()
  } finally {
    if (depth === 0) {
      held.delete(path)
      try {
        unlinkSync(path)
      } catch {
        // Gone already (removed by hand): nothing to release.
      }
    } else held.set(path, depth)
  }
}

/** The holder named in a lock file, or undefined when there is none (or it is unreadable). */
export function ringLockHolder(swiftDir: string): RingLockHolder | undefined {
  return readHolder(join(swiftDir, RING_LOCK_FILE))
}

function acquire(path: string, what: string, waitMs: number): void {
  const deadline = Date.now() + waitMs
  for (;;) {
    if (tryCreate(path, what)) return
    const holder = readHolder(path)
    if ((holder && !processAlive(holder.pid)) || (!holder && olderThan(path, UNREADABLE_STALE_MS))) {
      // A holder that died mid-edit (kill -9, a crash) leaves a void lock: removed if it still
      // names that holder, then everyone races for the create again.
      breakStale(path, holder)
      continue
    }
    if (Date.now() >= deadline) {
      const who = holder ? `process ${holder.pid} (${holder.what}, since ${holder.since})` : 'another process'
      throw new VeloxError('conflict', `the rings are being changed by ${who}; try again when it is done (lock ${path})`, { lock: path, holder })
    }
    Atomics.wait(sleeper, 0, 0, 50)
  }
}

function tryCreate(path: string, what: string): boolean {
  let fd: number
  try {
    fd = openSync(path, 'wx', 0o644)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new VeloxError('unavailable', `cannot create the ring lock ${path}: ${(err as Error).message}`)
  }
  try {
    const holder: RingLockHolder = { pid: process.pid, what, since: new Date().toISOString() }
    writeSync(fd, `${JSON.stringify(holder)}\n`)
  } finally {
    closeSync(fd)
  }
  return true
}

function readHolder(path: string): RingLockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as RingLockHolder
    return Number.isSafeInteger(h.pid) && h.pid > 0 ? h : undefined
  } catch {
    return undefined
  }
}

/** A lock file without a readable holder this old was left by a crash between create and write. */
const UNREADABLE_STALE_MS = 5_000

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms
  } catch {
    return false
  }
}

/** Removes a stale lock if it still names the dead holder that was read. */
function breakStale(path: string, holder: RingLockHolder | undefined): void {
  const now = readHolder(path)
  if (now?.pid !== holder?.pid || now?.since !== holder?.since) return
  try {
    unlinkSync(path)
  } catch {
    // Someone else broke it first.
  }
}
