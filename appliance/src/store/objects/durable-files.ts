/**
 * The durable-write steps of an object file, in Swift's order (obj/diskfile.py `_finalize_put`,
 * common/utils.py `renamer`): stream to a temp file on the same device computing MD5, fsync
 * the file (data and xattrs), create missing directories (meanwhile: they need not wait for
 * the fsync), rename into place, fsync the directories whose entries changed. Also removes
 * temp files left by a crash.
 * Owns syscalls and their order; it must not decide which timestamp wins (device-object-store).
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { VeloxError, isVeloxError } from '../../errors.js'
import { BlockCrc } from '../../lib/block-crc.js'
import { md5 as md5Stream } from '../../lib/md5.js'
import { dropCache } from '../../lib/page-cache.js'
import type { DigestedBody } from '../types.js'
import { hasCode, translateOsError } from '../os-errors.js'
import { SIDECAR_SUFFIX } from './layout.js'

/** Socket-sized chunks (16–64 KiB) are gathered into one writev of about this many bytes:
 *  fewer thread-pool round trips (each wakes a worker and the event loop again). */
const WRITE_BATCH_BYTES = 1024 * 1024

/** While a large body streams in, its file is fdatasync'ed every this many bytes (one sync in
 *  flight at a time), so the disk writes it back meanwhile and the fsync after the last byte
 *  has little left to wait for (Swift's object server syncs every mb_per_sync for the same
 *  reason). Measured here: the final fsync of 16 MiB segments, 8 × 3 in flight, 200 → 80 ms. */
const SYNC_EVERY_BYTES = 8 * 1024 * 1024

function isDigestedBody(body: unknown): body is DigestedBody {
  return typeof (body as Partial<DigestedBody>).md5 === 'function'
}

/** A body written to a temp file that is still open (the caller adds metadata, then syncs). */
export interface TempFile {
  path: string
  fh: FileHandle
  etag: string
  size: number
  /** lib/block-crc.ts; undefined for a body of one block or less. */
  blockCrc32?: string
}

/** Temp names: random per process, a counter within it (no random bytes drawn per PUT). The
 *  'wx' open refuses a name that exists anyway. */
const TEMP_TAG = randomBytes(6).toString('hex')
let tempCounter = 0

export function tempPath(tmpDir: string, timestamp: string): string {
  return join(tmpDir, `${timestamp}.${TEMP_TAG}${(tempCounter++).toString(36)}.tmp`)
}

/** Creates an empty temp file (tombstones, .meta files, and the start of every PUT). */
export async function createTempFile(tmpDir: string, timestamp: string): Promise<{ path: string; fh: FileHandle }> {
  const path = tempPath(tmpDir, timestamp)
  try {
    return { path, fh: await open(path, 'wx') }
  } catch (err) {
    throw translateOsError(err, 'create temp file')
  }
}

/**
 * Streams `body` into a new temp file, computing its MD5 (a DigestedBody brings its own). A
 * body that fails or ends short of `expectedSize` is `client-disconnected`; one longer than
 * `expectedSize` is `bad-request`. On any failure the temp file is removed before the error is
 * thrown.
 */
export async function writeTempBody(
  tmpDir: string,
  timestamp: string,
  body: AsyncIterable<Uint8Array>,
  expectedSize: number | undefined,
): Promise<TempFile> {
  const { path, fh } = await createTempFile(tmpDir, timestamp)
  return writeBody(path, fh, body, expectedSize)
}

/**
 * writeTempBody into a temp file created already (createTempFile). `drop`: each range, once
 * synced, leaves the page cache (lib/page-cache.ts); the caller drops the rest after its
 * final fsync.
 */
export async function writeBody(
  path: string,
  fh: FileHandle,
  body: AsyncIterable<Uint8Array>,
  expectedSize: number | undefined,
  drop = false,
): Promise<TempFile> {
  const md5 = isDigestedBody(body) ? undefined : md5Stream()
  const crcs = isDigestedBody(body) && body.blockCrc32 ? undefined : new BlockCrc()
  let size = 0
  let batch: Uint8Array[] = []
  let batchBytes = 0
  let written = 0
  let synced = 0
  let syncing: Promise<unknown> | undefined
  // A failed sync fails the PUT: the fsync at the end may not report the error again (the
  // kernel reports a writeback error once per open file description).
  let syncError: unknown
  const syncRange = async () => {
    const end = written
    await fh.datasync()
    if (drop) await dropCache(fh.fd, synced, end - synced)
    synced = end
  }
  const flush = async () => {
    if (batchBytes === 0) return
    const chunks = batch
    written += batchBytes
    batch = []
    batchBytes = 0
    try {
      // One chunk (a small object) needs no iovec array.
      if (chunks.length === 1) await fh.write(chunks[0]!)
      else await fh.writev(chunks)
    } catch (err) {
      throw translateOsError(err, 'write object')
    }
    if (written - synced >= SYNC_EVERY_BYTES && !syncing) {
      syncing = syncRange()
        .catch((err: unknown) => void (syncError ??= err))
        .finally(() => (syncing = undefined))
    }
  }
  try {
    try {
      for await (const chunk of body) {
        size += chunk.length
        if (expectedSize !== undefined && size > expectedSize) {
          throw new VeloxError('bad-request', `body longer than its Content-Length ${expectedSize}`)
        }
        md5?.update(chunk)
        crcs?.update(chunk)
        batch.push(chunk)
        batchBytes += chunk.length
        if (batchBytes >= WRITE_BATCH_BYTES) await flush()
      }
    } catch (err) {
      if (isVeloxError(err)) throw err
      throw new VeloxError('client-disconnected', 'object body failed while being read', undefined, { cause: err })
    }
    await flush()
    if (expectedSize !== undefined && size < expectedSize) {
      throw new VeloxError('client-disconnected', `body ended after ${size} of ${expectedSize} bytes`)
    }
    const etag = md5 ? await md5.digest() : await (body as DigestedBody).md5()
    const blockCrc32 = crcs ? crcs.digest() : (body as DigestedBody).blockCrc32?.()
    await syncing
    if (syncError !== undefined) throw translateOsError(syncError, 'write object')
    return { path, fh, etag, size, blockCrc32 }
  } catch (err) {
    md5?.dispose()
    await syncing
    await discardTemp(path, fh)
    throw err
  }
}

/** Closes and removes a temp file (and its sidecar); never throws. */
export async function discardTemp(path: string, fh?: FileHandle): Promise<void> {
  await fh?.close().catch(() => undefined)
  await unlink(path).catch(() => undefined)
  await unlink(path + SIDECAR_SUFFIX).catch(() => undefined)
}

/** The outcome of a syscall without an exception: undefined, or the error (an expected
 *  EEXIST/ENOENT costs no rejected promise on the hot path). */
function mkdirQuiet(dir: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => fs.mkdir(dir, (err) => resolve(err ?? undefined)))
}

/** Marks a promise that is awaited later as handled now (no unhandled-rejection crash if it
 *  fails before its turn); returns it unchanged. */
export function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined)
  return p
}

function openDir(dir: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(dir, 'r', (err, fd) => (err ? reject(err) : resolve(fd))))
}

/** fsync an fd; closing it afterwards cannot lose anything (a directory has nothing to flush),
 *  so it happens in the background instead of adding a round trip to every PUT. */
function fsyncAndClose(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.fsync(fd, (err) => {
      fs.close(fd, () => undefined)
      if (err) reject(err)
      else resolve()
    })
  })
}

/**
 * Replaces a committed file's metadata sidecar (`sidecarPath`, which must exist) with `bytes`:
 * written and fsynced as a temp file, renamed over it, its directory fsynced, so a crash leaves
 * the old sidecar or the new one, never a torn one. Returns false when there is no sidecar.
 */
export async function replaceSidecar(tmpDir: string, sidecarPath: string, timestamp: string, bytes: Buffer): Promise<boolean> {
  try {
    await stat(sidecarPath)
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return false
    throw translateOsError(err, 'stat metadata sidecar')
  }
  const { path, fh } = await createTempFile(tmpDir, timestamp)
  try {
    await fh.writeFile(bytes)
    await fh.sync()
    await fh.close()
    await rename(path, sidecarPath)
  } catch (err) {
    await fh.close().catch(() => undefined)
    await unlink(path).catch(() => undefined)
    throw translateOsError(err, 'replace metadata sidecar')
  }
  await fsyncDir(dirname(sidecarPath))
  return true
}

/** fsync a directory so the entries created or renamed in it survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  return fsyncAndClose(await openDir(dir))
}

/** Directories to fsync after renaming into a hash directory, and what was learnt meanwhile. */
export interface DirPlan {
  /** Directories whose entries changed or may not be durable yet: the hash directory itself,
   *  and the parent of every directory created (or not yet known to be durable). */
  toSync: Set<string>
  /** Directories that may be remembered once `toSync` is fsynced. */
  learnt: string[]
  /** The hash directory was created by this plan (it holds nothing to check or clean up). */
  hashCreated: boolean
}

/** How many directories a device remembers (about 100 bytes each); beyond, it starts over. */
const REMEMBERED_DIRS = 100_000

/**
 * mkdir -p for hash directories, remembering the partition and suffix directories known to
 * exist with a durable entry in their parent, so that a PUT into a known suffix makes one
 * mkdir (the hash directory) instead of walking up from ENOENT, and fsyncs only directories
 * whose entries changed. A directory is remembered only after its parent was fsynced by this
 * process (one met for the first time, EEXIST, gets its parent fsynced once: it may be the
 * fresh, not yet durable, creation of a concurrent or failed PUT). An ENOENT below a
 * remembered directory (removed by someone else) forgets it and creates it again.
 * Hand-rolled rather than Node's recursive mkdir, which reports ENOENT when a parent's mkdir
 * fails with ENOSPC and would hide a full device.
 */
export class HashDirs {
  private readonly durable = new Set<string>()

  /** Outside the hash directory's lock: its partition and suffix directories exist. */
  async prepare(hashDir: string): Promise<DirPlan> {
    const plan: DirPlan = { toSync: new Set([hashDir]), learnt: [], hashCreated: false }
    await this.ensure(dirname(hashDir), plan)
    return plan
  }

  /** Under the lock: creates the hash directory (again, if it was moved away meanwhile). */
  async makeHashDir(hashDir: string, plan: DirPlan): Promise<void> {
    let err = await mkdirQuiet(hashDir)
    if (err?.code === 'ENOENT') {
      // The suffix (or partition) directory was removed since prepare().
      this.durable.delete(dirname(hashDir))
      await this.ensure(dirname(hashDir), plan)
      err = await mkdirQuiet(hashDir)
    }
    if (!err) {
      plan.hashCreated = true
      plan.toSync.add(dirname(hashDir))
    } else if (err.code !== 'EEXIST') throw err
  }

  /** After the plan's directories were fsynced. */
  remember(plan: DirPlan): void {
    if (this.durable.size + plan.learnt.length > REMEMBERED_DIRS) this.durable.clear()
    for (const dir of plan.learnt) this.durable.add(dir)
  }

  private async ensure(dir: string, plan: DirPlan): Promise<void> {
    if (this.durable.has(dir)) return
    let err = await mkdirQuiet(dir)
    if (err?.code === 'ENOENT' && dirname(dir) !== dir) {
      this.durable.delete(dirname(dir))
      await this.ensure(dirname(dir), plan)
      err = await mkdirQuiet(dir)
    }
    if (err && err.code !== 'EEXIST') throw err
    plan.toSync.add(dirname(dir))
    plan.learnt.push(dir)
  }
}

/**
 * Renames the fsynced temp files into `hashDir` under their final names and makes the renames
 * durable by fsyncing every directory of `plan.toSync` (opened while the first rename runs).
 * `entries` are installed in order (a sidecar before the file it describes, so a file is never
 * visible without its metadata). A directory moved away meanwhile (a quarantine) is created
 * again through `dirs`, as Swift's `renamer` retries.
 */
export async function installFiles(hashDir: string, entries: ReadonlyArray<{ from: string; to: string }>, plan: DirPlan, dirs: HashDirs): Promise<void> {
  try {
    // Opened while the rename runs; a failure is seen (and reported) only after it.
    const openAll = () => [...plan.toSync].map((dir) => quiet(openDir(dir).then((fd) => ({ dir, fd }))))
    let fds = openAll()
    const closeAll = (list: typeof fds) => Promise.allSettled(list).then((rs) => rs.forEach((r) => r.status === 'fulfilled' && fs.close(r.value.fd, () => undefined)))
    try {
      for (const [i, { from, to }] of entries.entries()) {
        try {
          await rename(from, join(hashDir, to))
        } catch (err) {
          if (!hasCode(err, 'ENOENT')) throw err
          await closeAll(fds)
          fds = []
          await dirs.makeHashDir(hashDir, plan)
          await rename(from, join(hashDir, to))
          fds = openAll()
        }
        // The sidecar must be durable before the file that needs it can be.
        if (i < entries.length - 1) await fsyncDir(hashDir)
      }
    } catch (err) {
      await closeAll(fds)
      throw err
    }
    const opened = await Promise.allSettled(fds)
    const failed = opened.find((r) => r.status === 'rejected')
    if (failed) {
      await closeAll(fds)
      throw failed.reason
    }
    const synced = await Promise.allSettled(opened.map((r) => fsyncAndClose((r as PromiseFulfilledResult<{ fd: number }>).value.fd)))
    const syncFailed = synced.find((r) => r.status === 'rejected')
    if (syncFailed) throw syncFailed.reason
    dirs.remember(plan)
  } catch (err) {
    throw translateOsError(err, 'install object file')
  }
}

/** Removes obsolete files of a hash directory (no fsync, as Swift: losing an unlink in a
 *  crash only leaves a file the next cleanup removes). */
export async function removeFiles(hashDir: string, names: readonly string[]): Promise<void> {
  await Promise.all(names.map((n) => unlink(join(hashDir, n)).catch((err: unknown) => {
    if (!hasCode(err, 'ENOENT')) throw translateOsError(err, 'remove obsolete file')
  })))
}

/** Lists a directory; a missing one is empty. */
export function listDir(dir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    fs.readdir(dir, (err, names) => {
      if (!err) resolve(names)
      else if (err.code === 'ENOENT') resolve([])
      else reject(translateOsError(err, 'list directory'))
    })
  })
}

/**
 * Removes temp files older than `olderThanMs` from a device's tmp dir (0 = all: call it at
 * startup, before the device takes writes). Returns how many were removed.
 */
export async function cleanStaleTempFiles(tmpDir: string, olderThanMs = 0, now = Date.now()): Promise<number> {
  let removed = 0
  for (const name of await listDir(tmpDir)) {
    const path = join(tmpDir, name)
    try {
      if (olderThanMs > 0 && now - (await stat(path)).mtimeMs < olderThanMs) continue
      await rm(path, { force: true, recursive: true })
      removed++
    } catch (err) {
      if (!hasCode(err, 'ENOENT')) throw translateOsError(err, 'clean temp files')
    }
  }
  return removed
}
