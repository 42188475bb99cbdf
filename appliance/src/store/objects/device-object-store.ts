/**
 * `DeviceObjects` for one device rooted at a directory: PUT, DELETE (tombstone), fast POST
 * (.meta) and open, with Swift's on-disk rules deciding which file wins (layout.ts) and an
 * in-process lock per hash directory so that the newer-timestamp check, the rename and the
 * cleanup of obsolete files happen as one step. Bodies stream to temp files outside the lock.
 * Owns the object tree of this device; it must not touch databases, rings or HTTP, nor
 * expose a file before it and its metadata are durable.
 */
import { mkdir, open, rmdir, stat, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { VeloxError, isVeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import type { DeviceObjects, ObjectFilesState, ObjectLocation, ObjectMetadata, ObjectPut } from '../types.js'
import { hasCode, translateOsError } from '../os-errors.js'
import { dropCache } from '../../lib/page-cache.js'
import { HashDirs, cleanStaleTempFiles, createTempFile, discardTemp, installFiles, listDir, quiet, removeFiles, replaceSidecar, writeBody, type DirPlan } from './durable-files.js'
import { chooseOndiskFiles, devicePaths, fileName, hashDirOf, sidecarName, type FileKind, type OndiskFiles } from './layout.js'
import { asFileMetadata, asObjectMetadata, mergeFastPost, readMetadata, replaceXattrMetadata, writeMetadata, type FileMetadata, type MetadataMode } from './metadata.js'
import { OpenedObject } from './open-object.js'
import { quarantineHashDir, type QuarantineEvent } from './quarantine.js'
import { SuffixHashes } from './suffix-hashes.js'

export interface DeviceObjectStoreOptions {
  /** false: never try xattrs, keep every file's metadata in a sidecar. Default true (a
   *  filesystem without user xattrs is detected on the first ENOTSUP anyway). */
  xattrs?: boolean
  /** Told about every quarantined hash directory (metrics, logs). */
  onQuarantine?: (event: QuarantineEvent) => void
}

/** Opens (creating its folders) the object store of the device mounted at `root`. */
export async function openDeviceObjects(root: string, options: DeviceObjectStoreOptions = {}): Promise<DeviceObjectStore> {
  const paths = devicePaths(root)
  try {
    await mkdir(paths.objects, { recursive: true })
    await mkdir(paths.tmp, { recursive: true })
  } catch (err) {
    throw translateOsError(err, 'prepare device', root)
  }
  return new DeviceObjectStore(root, options)
}

/** Serialises async sections per key (a hash directory); other keys run in parallel. */
class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>()

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)))
    this.tails.set(key, tail)
    await previous
    try {
      return await section()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}

function parseTimestamp(text: string): Timestamp {
  try {
    return Timestamp.parse(text)
  } catch {
    throw new VeloxError('bad-request', `bad X-Timestamp ${JSON.stringify(text)}`)
  }
}

function conflict(existing: Timestamp): VeloxError {
  return new VeloxError('conflict', `a newer or equal version exists (${existing.internal})`, { timestamp: existing.internal })
}

function notFound(files: OndiskFiles, detail: Record<string, unknown> = {}): VeloxError {
  const ts = files.ts ? { timestamp: files.ts.timestamp.internal } : {}
  return new VeloxError('not-found', files.ts ? 'object deleted' : 'object not found', { ...ts, ...detail })
}

export class DeviceObjectStore implements DeviceObjects {
  readonly tmpDir: string
  /** Read by the replication helpers (replica-files.ts) to read metadata as the store does. */
  readonly mode: MetadataMode
  /** Invalidated by every commit and quarantine; read by the replicator. */
  readonly suffixHashes: SuffixHashes
  private readonly locks = new KeyedLock()
  private readonly dirs = new HashDirs()

  constructor(
    readonly root: string,
    private readonly options: DeviceObjectStoreOptions = {},
  ) {
    this.tmpDir = devicePaths(root).tmp
    this.mode = { xattrs: options.xattrs ?? true }
    this.suffixHashes = new SuffixHashes(root)
  }

  /** Runs `section` holding a hash directory's lock (replication cleanups must not race a commit). */
  withHashDirLock<T>(hashDir: string, section: () => Promise<T>): Promise<T> {
    return this.locks.run(hashDir, section)
  }

  async put(loc: ObjectLocation, put: ObjectPut, body: AsyncIterable<Uint8Array> | Readable): Promise<ObjectMetadata> {
    const timestamp = parseTimestamp(put.timestamp)
    const hashDir = hashDirOf(this.root, loc.partition, loc.hash, loc.policy)
    // Refuse before reading the body, as Swift's object server does; checked again at commit.
    // The temp file is created meanwhile (and removed again if refused).
    const created = quiet(createTempFile(this.tmpDir, timestamp.internal))
    let names: string[]
    try {
      names = await listDir(hashDir)
    } catch (err) {
      await created.then(({ path, fh }) => discardTemp(path, fh), () => undefined)
      throw err
    }
    const existing = chooseOndiskFiles(names).newest
    if (existing && existing.compare(timestamp) >= 0) {
      await created.then(({ path, fh }) => discardTemp(path, fh), () => undefined)
      throw conflict(existing)
    }
    const opened = await created
    const tmp = await writeBody(opened.path, opened.fh, body, put.size, put.dropCache)
    try {
      if (put.etag !== undefined && put.etag.toLowerCase() !== tmp.etag) {
        throw new VeloxError('etag-mismatch', `body md5 ${tmp.etag} differs from ETag ${put.etag}`, { etag: tmp.etag })
      }
      const meta: ObjectMetadata = {
        name: loc.name,
        timestamp: timestamp.internal,
        contentType: put.contentType,
        etag: tmp.etag,
        size: tmp.size,
        headers: put.headers,
      }
      if (tmp.blockCrc32 !== undefined) meta.blockCrc32 = tmp.blockCrc32
      const [sidecar, plan] = await this.syncTemp(tmp.path, tmp.fh, meta, hashDir, put.dropCache)
      await this.commit(hashDir, plan, timestamp, 'data', tmp.path, sidecar, (files) => {
        if (files.newest && files.newest.compare(timestamp) >= 0) throw conflict(files.newest)
      })
      return meta
    } catch (err) {
      await discardTemp(tmp.path, tmp.fh)
      throw err
    }
  }

  async delete(loc: ObjectLocation, timestampText: string): Promise<ObjectMetadata | undefined> {
    const timestamp = parseTimestamp(timestampText)
    const hashDir = hashDirOf(this.root, loc.partition, loc.hash, loc.policy)
    return this.writeEmptyFile(hashDir, timestamp, 'ts', { name: loc.name, timestamp: timestamp.internal }, async (files) => {
      if (files.newest && files.newest.compare(timestamp) >= 0) throw conflict(files.newest)
      if (!files.data) return undefined
      const data = asObjectMetadata(await readMetadata(join(hashDir, files.data.name), join(hashDir, files.data.name), this.mode))
      const meta = files.meta && asFileMetadata(await this.readFileMetadata(join(hashDir, files.meta.name)))
      return data && mergeFastPost(data, meta)
    })
  }

  async post(loc: ObjectLocation, timestampText: string, headers: Record<string, string>): Promise<void> {
    const timestamp = parseTimestamp(timestampText)
    const hashDir = hashDirOf(this.root, loc.partition, loc.hash, loc.policy)
    await this.writeEmptyFile(hashDir, timestamp, 'meta', { name: loc.name, timestamp: timestamp.internal, headers }, async (files) => {
      if (!files.data) throw notFound(files)
      const newest = files.meta && files.meta.timestamp.compare(files.data.timestamp) > 0 ? files.meta.timestamp : files.data.timestamp
      if (newest.compare(timestamp) >= 0) throw conflict(newest)
    })
  }

  async state(loc: ObjectLocation): Promise<ObjectFilesState> {
    const files = chooseOndiskFiles(await listDir(hashDirOf(this.root, loc.partition, loc.hash)))
    if (files.data) return { data: files.data.timestamp.internal, meta: files.meta?.timestamp.internal }
    return files.ts ? { tombstone: files.ts.timestamp.internal } : {}
  }

  async open(loc: ObjectLocation): Promise<OpenedObject> {
    return this.openHash(loc.partition, loc.hash, loc.name, loc.policy)
  }

  /**
   * Opens the live version in a hash directory; `name`, when given, must match the stored name
   * (Swift's DiskFileCollision → not found). Used by open() and the auditor.
   */
  async openHash(partition: number, hash: string, name?: string, policy = 0): Promise<OpenedObject> {
    const hashDir = hashDirOf(this.root, partition, hash, policy)
    // A newer write or a cleanup may remove the file between listing and opening: list again.
    for (let attempt = 0; ; attempt++) {
      const files = chooseOndiskFiles(await listDir(hashDir))
      if (!files.data) throw notFound(files)
      const dataPath = join(hashDir, files.data.name)
      let fh: FileHandle
      try {
        fh = await open(dataPath, 'r')
      } catch (err) {
        if (hasCode(err, 'ENOENT') && attempt < 3) continue
        throw hasCode(err, 'ENOENT') ? notFound(files) : translateOsError(err, 'open object')
      }
      try {
        const opened = await this.load(fh, hashDir, dataPath, files, name)
        if (opened) return opened
      } catch (err) {
        await fh.close().catch(() => undefined)
        throw isVeloxError(err) ? err : translateOsError(err, 'open object')
      }
      await fh.close().catch(() => undefined)
      if (attempt >= 3) throw notFound(files)
    }
  }

  /** Removes temp files left by a crash (all of them at startup, or those older than `olderThanMs`). */
  cleanStaleTempFiles(olderThanMs = 0): Promise<number> {
    return cleanStaleTempFiles(this.tmpDir, olderThanMs)
  }

  /**
   * Adds block CRCs (lib/block-crc.ts) to a data file written before they existed, so that its
   * Range GETs are checked from now on (issue 11 item 10). The caller (the auditor) computed
   * them while reading the whole body that the store then verified against its MD5, so they
   * are CRCs of good bytes. Done only when the live data file is still that version (same
   * timestamp, ETag and size) and has no CRCs yet; under the hash directory's lock. The xattr
   * is replaced in place, a sidecar by a rename over it. Returns whether it did.
   */
  async addBlockCrcs(partition: number, hash: string, policy: number, verified: Pick<ObjectMetadata, 'timestamp' | 'etag' | 'size'>, blockCrc32: string): Promise<boolean> {
    const hashDir = hashDirOf(this.root, partition, hash, policy)
    return this.locks.run(hashDir, async () => {
      const files = chooseOndiskFiles(await listDir(hashDir))
      if (!files.data || files.data.timestamp.internal !== verified.timestamp) return false
      const dataPath = join(hashDir, files.data.name)
      const data = asObjectMetadata(await this.readFileMetadata(dataPath))
      if (!data || data.blockCrc32 !== undefined || data.etag !== verified.etag || data.size !== verified.size) return false
      const value = { ...data, blockCrc32 }
      if (await replaceXattrMetadata(dataPath, value, this.mode)) return true
      return replaceSidecar(this.tmpDir, sidecarName(dataPath), verified.timestamp, Buffer.from(JSON.stringify(value)))
    })
  }

  /** Moves a hash directory out of service; not-found afterwards. */
  async quarantine(hashDir: string, reason: string): Promise<void> {
    const event = await quarantineHashDir(this.root, hashDir, reason)
    this.suffixHashes.invalidateHashDir(hashDir)
    if (event) this.options.onQuarantine?.(event)
  }

  /** Checks the opened data file; undefined when it vanished meanwhile (the caller retries). */
  private async load(fh: FileHandle, hashDir: string, dataPath: string, files: OndiskFiles, name?: string): Promise<OpenedObject | undefined> {
    const raw = await readMetadata(`/proc/self/fd/${fh.fd}`, dataPath, this.mode)
    if (raw === undefined && !(await exists(dataPath))) return undefined
    const data = asObjectMetadata(raw)
    if (!data) return this.corrupt(hashDir, raw === undefined ? 'data file has no metadata' : 'data file metadata unreadable')
    const named = data.name
    if (name !== undefined && data.name !== name) {
      throw new VeloxError('not-found', 'hash directory holds another object', { collision: data.name })
    }
    const size = (await fh.stat()).size
    if (size !== data.size) return this.corrupt(hashDir, `data file has ${size} bytes, metadata says ${data.size}`, named)
    let meta: FileMetadata | undefined
    if (files.meta) {
      const rawMeta = await this.readFileMetadata(join(hashDir, files.meta.name))
      meta = asFileMetadata(rawMeta)
      // A .meta removed since the listing was superseded; only a present, unreadable one is bad.
      if (!meta && rawMeta !== undefined) return this.corrupt(hashDir, '.meta metadata unreadable', named)
    }
    const merged = mergeFastPost(data, meta)
    return new OpenedObject(fh, merged, meta ? files.meta?.timestamp.internal : undefined, (reason) => this.quarantine(hashDir, reason))
  }

  /** `name`, when the metadata told it, lets the caller have the replica re-created at once. */
  private async corrupt(hashDir: string, reason: string, name?: string): Promise<never> {
    await this.quarantine(hashDir, reason)
    throw new VeloxError('not-found', `object quarantined: ${reason}`, { quarantined: true, reason, ...(name === undefined ? {} : { name }) })
  }

  /** Metadata of a .meta/.ts/.data by path; undefined when the file is gone. */
  private async readFileMetadata(path: string): Promise<unknown> {
    try {
      return await readMetadata(path, path, this.mode)
    } catch (err) {
      if (isVeloxError(err) && (err.detail as { code?: string } | undefined)?.code === 'ENOENT') return undefined
      throw err
    }
  }

  /**
   * Adds metadata to a written temp file and makes both durable; returns the sidecar, if any,
   * and the directory plan of `hashDir`, whose partition and suffix directories are created
   * while the fsync runs (nothing is renamed into them before it has completed). `drop`: the
   * file's pages then leave the page cache (the ranges writeBody has not dropped yet).
   */
  private async syncTemp(path: string, fh: FileHandle, metadata: object, hashDir: string, drop = false): Promise<[string | undefined, DirPlan]> {
    // Awaited after the fsync; quiet: not an unhandled rejection if the fsync fails first.
    const planned = quiet(this.dirs.prepare(hashDir).catch((err: unknown) => {
      throw translateOsError(err, 'create object directory')
    }))
    const sidecar = await writeMetadata(path, metadata, this.mode)
    try {
      // Metadata first, then fsync, so data and xattr reach the disk together (_finalize_put).
      await fh.sync()
    } catch (err) {
      throw translateOsError(err, 'fsync object')
    }
    // Once fsynced, closing cannot lose anything: let it overlap the rename instead of adding a
    // round trip to every PUT (a later close from discardTemp joins this one). So does the
    // drop, before the close: its pages are all clean now (length 0: the whole file). Should
    // discardTemp close it first, the advice may reach a file that reuses the number: it only
    // ever drops clean pages, which that file reads back from its disk.
    const dropped = drop ? dropCache(fh.fd, 0, 0) : undefined
    void Promise.resolve(dropped).then(() => fh.close()).catch(() => undefined)
    return [sidecar, await planned]
  }

  /** Tombstones and .meta files: an empty file whose metadata says what it is. */
  private async writeEmptyFile<T>(
    hashDir: string,
    timestamp: Timestamp,
    kind: FileKind,
    metadata: FileMetadata,
    check: (files: OndiskFiles) => Promise<T>,
  ): Promise<T> {
    const { path, fh } = await createTempFile(this.tmpDir, timestamp.internal)
    try {
      const [sidecar, plan] = await this.syncTemp(path, fh, metadata, hashDir)
      return await this.commit(hashDir, plan, timestamp, kind, path, sidecar, check)
    } catch (err) {
      await discardTemp(path, fh)
      throw err
    }
  }

  /**
   * Under the hash directory's lock: `check` the current files (it throws to refuse), rename the
   * temp file (and sidecar) into place durably, then remove what the new file made obsolete.
   */
  private commit<T>(
    hashDir: string,
    plan: DirPlan,
    timestamp: Timestamp,
    kind: FileKind,
    tmpPath: string,
    sidecarTmp: string | undefined,
    check: (files: OndiskFiles) => T | Promise<T>,
  ): Promise<T> {
    return this.locks.run(hashDir, async () => {
      try {
        await this.dirs.makeHashDir(hashDir, plan)
      } catch (err) {
        throw translateOsError(err, 'create object directory')
      }
      // A hash directory created just now holds nothing to check against or clean up.
      const before = plan.hashCreated ? [] : await listDir(hashDir)
      let result: T
      try {
        result = await check(chooseOndiskFiles(before))
      } catch (err) {
        // Refused (e.g. POST to nothing): leave no empty hash directory behind.
        if (plan.hashCreated) await rmdir(hashDir).catch(() => undefined)
        throw err
      }
      const name = fileName(timestamp, kind)
      const entries = [{ from: tmpPath, to: name }]
      if (sidecarTmp) entries.unshift({ from: sidecarTmp, to: sidecarName(name) })
      await installFiles(hashDir, entries, plan, this.dirs)
      this.suffixHashes.invalidateHashDir(hashDir)
      if (before.length > 0) {
        const after = [...before, ...entries.map((e) => e.to)]
        await removeFiles(hashDir, chooseOndiskFiles(after).obsolete)
      }
      return result
    })
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return false
    throw translateOsError(err, 'stat object')
  }
}
