/**
 * The durable-write steps of an object file, in Swift's order (obj/diskfile.py `_finalize_put`,
 * common/utils.py `renamer`): stream to a temp file on the same device computing MD5, fsync
 * the file (data and xattrs), create missing directories, rename into place, fsync the
 * directories whose entries changed. Also removes temp files left by a crash.
 * Owns syscalls and their order; it must not decide which timestamp wins (device-object-store).
 */
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { VeloxError, isVeloxError } from '../../errors.js'
import { hasCode, translateOsError } from '../os-errors.js'
import { SIDECAR_SUFFIX } from './layout.js'

/** Small chunks are gathered into one write of up to this many bytes. */
const WRITE_BATCH_BYTES = 256 * 1024

/** A body written to a temp file that is still open (the caller adds metadata, then syncs). */
export interface TempFile {
  path: string
  fh: FileHandle
  etag: string
  size: number
}

export function tempPath(tmpDir: string, timestamp: string): string {
  return join(tmpDir, `${timestamp}.${randomBytes(8).toString('hex')}.tmp`)
}

/** Creates an empty temp file (tombstones, .meta files). */
export async function createTempFile(tmpDir: string, timestamp: string): Promise<{ path: string; fh: FileHandle }> {
  const path = tempPath(tmpDir, timestamp)
  try {
    return { path, fh: await open(path, 'wx') }
  } catch (err) {
    throw translateOsError(err, 'create temp file')
  }
}

/**
 * Streams `body` into a new temp file. A body that fails or ends short of `expectedSize` is
 * `client-disconnected`; one longer than `expectedSize` is `bad-request`. On any failure the
 * temp file is removed before the error is thrown.
 */
export async function writeTempBody(
  tmpDir: string,
  timestamp: string,
  body: AsyncIterable<Uint8Array>,
  expectedSize: number | undefined,
): Promise<TempFile> {
  const { path, fh } = await createTempFile(tmpDir, timestamp)
  const md5 = createHash('md5')
  let size = 0
  let batch: Uint8Array[] = []
  let batchBytes = 0
  const flush = async () => {
    if (batchBytes === 0) return
    const chunks = batch
    batch = []
    batchBytes = 0
    try {
      await fh.writev(chunks)
    } catch (err) {
      throw translateOsError(err, 'write object')
    }
  }
  try {
    try {
      for await (const chunk of body) {
        size += chunk.length
        if (expectedSize !== undefined && size > expectedSize) {
          throw new VeloxError('bad-request', `body longer than its Content-Length ${expectedSize}`)
        }
        md5.update(chunk)
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
    return { path, fh, etag: md5.digest('hex'), size }
  } catch (err) {
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

/** fsync a directory so the entries created or renamed in it survive a crash. Plain callbacks
 *  on a numeric fd: one promise instead of a FileHandle and three, on every PUT's hot path. */
export function fsyncDir(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.open(dir, 'r', (openErr, fd) => {
      if (openErr) return reject(openErr)
      fs.fsync(fd, (syncErr) => fs.close(fd, (closeErr) => (syncErr ?? closeErr ? reject(syncErr ?? closeErr) : resolve())))
    })
  })
}

/**
 * mkdir -p `dir`. Returns the directories to fsync once an entry is renamed into `dir`: `dir`
 * itself, plus the parent of every directory created here (Swift's `makedirs_count`).
 * Hand-rolled because Node's recursive mkdir reports ENOENT when a parent's mkdir fails with
 * ENOSPC, which would hide a full device.
 */
export async function makeDirs(dir: string, toSync: string[] = [dir]): Promise<string[]> {
  try {
    await mkdir(dir)
  } catch (err) {
    if (hasCode(err, 'EEXIST')) return toSync
    if (!hasCode(err, 'ENOENT') || dirname(dir) === dir) throw err
    await makeDirs(dirname(dir), toSync)
    try {
      await mkdir(dir)
    } catch (again) {
      if (hasCode(again, 'EEXIST')) return toSync
      throw again
    }
  }
  toSync.push(dirname(dir))
  return toSync
}

/**
 * Renames the fsynced temp files into `hashDir` under their final names and makes the renames
 * durable. `toSync` comes from makeDirs(hashDir). `entries` are installed in order (a sidecar
 * before the file it describes, so a file is never visible without its metadata). A directory
 * moved away meanwhile (a quarantine) is created again, as Swift's `renamer` retries.
 */
export async function installFiles(hashDir: string, entries: ReadonlyArray<{ from: string; to: string }>, toSync: string[]): Promise<void> {
  try {
    for (const [i, { from, to }] of entries.entries()) {
      try {
        await rename(from, join(hashDir, to))
      } catch (err) {
        if (!hasCode(err, 'ENOENT')) throw err
        toSync = [...new Set([...toSync, ...(await makeDirs(hashDir))])]
        await rename(from, join(hashDir, to))
      }
      // The sidecar must be durable before the file that needs it can be.
      if (i < entries.length - 1) await fsyncDir(hashDir)
    }
    await Promise.all(toSync.map(fsyncDir))
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
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return []
    throw translateOsError(err, 'list directory')
  }
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
