/**
 * What the replicator reads and cleans on one device, beside the write path: the state of each
 * hash directory of some suffixes (Swift's ssync missing_check: which timestamps a replica
 * holds), a hash directory's files as they are (data with its own metadata, the newest .meta,
 * a tombstone) to push elsewhere with their original timestamps, the removal of a handoff's
 * hash directory once its primaries hold it, and the reclaim of old tombstones with the empty
 * directories left behind (Swift's reclaim_age, `hash_cleanup_listdir`).
 * Owns these reads and removals, each under the store's hash-directory lock where it deletes;
 * it must not write object files (pushes go through the receiver's put/delete/post).
 */
import { open, rmdir, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { isVeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import { hasCode, translateOsError } from '../os-errors.js'
import type { ObjectMetadata } from '../types.js'
import type { DeviceObjectStore } from './device-object-store.js'
import { listDir, removeFiles } from './durable-files.js'
import { chooseOndiskFiles, hashDirOf, isObjectHash, objectsDirName } from './layout.js'
import { policyOfObjectsDir } from './suffix-hashes.js'
import { asFileMetadata, asObjectMetadata, readMetadata, type FileMetadata } from './metadata.js'

/** The files that count in one hash directory, as internal timestamps. */
export interface HashState {
  data?: string
  meta?: string
  ts?: string
}

/** A hash directory's files, opened for pushing. `close()` releases the data file. */
export interface ReplicaFiles {
  name: string
  state: HashState
  /** Names of the files that count (to remove exactly these once pushed). */
  files: string[]
  data?: { meta: ObjectMetadata; stream(): Readable }
  meta?: FileMetadata
  ts?: FileMetadata
  close(): Promise<void>
}

/** hash → state of every hash directory with files that count, in the given suffixes. */
export async function hashStates(store: DeviceObjectStore, partition: number, suffixes: readonly string[], policy = 0): Promise<Map<string, HashState>> {
  const out = new Map<string, HashState>()
  const partDir = join(store.root, objectsDirName(policy), String(partition))
  for (const suffix of suffixes) {
    if (!/^[0-9a-f]{3}$/.test(suffix)) continue
    for (const hash of await listDir(join(partDir, suffix))) {
      if (!isObjectHash(hash) || !hash.endsWith(suffix)) continue
      const state = stateOf(await listDir(join(partDir, suffix, hash)))
      if (state) out.set(hash, state)
    }
  }
  return out
}

function stateOf(names: readonly string[]): HashState | undefined {
  const f = chooseOndiskFiles(names)
  if (!f.data && !f.ts) return undefined
  return { data: f.data?.timestamp.internal, meta: f.meta?.timestamp.internal, ts: f.ts?.timestamp.internal }
}

/** Opens a hash directory's files for pushing; undefined when nothing counts there (or it is
 *  unreadable metadata, which the auditor or a read will quarantine). */
export async function readReplica(store: DeviceObjectStore, partition: number, hash: string, policy = 0): Promise<ReplicaFiles | undefined> {
  const hashDir = hashDirOf(store.root, partition, hash, policy)
  const f = chooseOndiskFiles(await listDir(hashDir))
  const state = stateOf([f.data, f.meta, f.ts].flatMap((x) => (x ? [x.name] : [])))
  if (!state) return undefined
  const files = [f.data, f.meta, f.ts].flatMap((x) => (x ? [x.name] : []))
  const fileMeta = async (name: string) => asFileMetadata(await readMetadata(join(hashDir, name), join(hashDir, name), store.mode).catch(() => undefined))
  if (f.ts) {
    const ts = await fileMeta(f.ts.name)
    return ts && { name: ts.name, state, files, ts, close: async () => undefined }
  }
  let fh: FileHandle
  try {
    fh = await open(join(hashDir, f.data!.name), 'r')
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return undefined // replaced meanwhile: the next pass sees the new state
    throw translateOsError(err, 'open object for replication')
  }
  try {
    const meta = asObjectMetadata(await readMetadata(`/proc/self/fd/${fh.fd}`, join(hashDir, f.data!.name), store.mode))
    if (!meta) {
      await fh.close()
      return undefined
    }
    const dotMeta = f.meta ? await fileMeta(f.meta.name) : undefined
    return {
      name: meta.name,
      state: dotMeta ? state : { ...state, meta: undefined },
      files,
      data: { meta, stream: () => fh.createReadStream({ autoClose: false, start: 0 }) },
      meta: dotMeta,
      close: () => fh.close().catch(() => undefined),
    }
  } catch (err) {
    await fh.close().catch(() => undefined)
    throw isVeloxError(err) ? err : translateOsError(err, 'read object for replication')
  }
}

/** Removes a handoff's hash directory if it still holds exactly `files` (nothing newer came in
 *  meanwhile). Returns whether it was removed. */
export async function removeHashDirIfUnchanged(store: DeviceObjectStore, partition: number, hash: string, files: readonly string[], policy = 0): Promise<boolean> {
  const hashDir = hashDirOf(store.root, partition, hash, policy)
  return store.withHashDirLock(hashDir, async () => {
    const names = await listDir(hashDir)
    const f = chooseOndiskFiles(names)
    const counting = [f.data, f.meta, f.ts].flatMap((x) => (x ? [x.name] : []))
    if (counting.length !== files.length || counting.some((n) => !files.includes(n))) return false
    await removeFiles(hashDir, names)
    await rmdir(hashDir).catch(() => undefined)
    store.suffixHashes.invalidateHashDir(hashDir)
    return true
  })
}

export interface ReclaimReport {
  tombstones: number
  dirs: number
  /** The partition's directory was left empty and removed. */
  partitionRemoved: boolean
}

/**
 * Removes tombstones older than `reclaimAgeSec` (and the obsolete files of every hash directory
 * visited), then the hash, suffix and partition directories left empty.
 */
export async function reclaimPartition(store: DeviceObjectStore, partition: number, reclaimAgeSec: number, nowMs = Date.now(), policy = 0): Promise<ReclaimReport> {
  const report: ReclaimReport = { tombstones: 0, dirs: 0, partitionRemoved: false }
  const cutoff = new Timestamp(Math.max(0, Math.round((nowMs / 1000 - reclaimAgeSec) * 100000)))
  const partDir = join(store.root, objectsDirName(policy), String(partition))
  for (const suffix of await listDir(partDir)) {
    if (!/^[0-9a-f]{3}$/.test(suffix)) continue
    for (const hash of await listDir(join(partDir, suffix))) {
      if (!isObjectHash(hash)) continue
      const hashDir = join(partDir, suffix, hash)
      await store.withHashDirLock(hashDir, async () => {
        const names = await listDir(hashDir)
        const f = chooseOndiskFiles(names)
        const doomed = [...f.obsolete]
        if (f.ts && f.ts.timestamp.compare(cutoff) < 0) {
          doomed.push(f.ts.name)
          report.tombstones++
        }
        if (doomed.length > 0) {
          await removeFiles(hashDir, doomed)
          store.suffixHashes.invalidateHashDir(hashDir)
        }
        if (names.length === doomed.length && (await removeEmptyDir(hashDir))) report.dirs++
      })
    }
    if (await removeEmptyDir(join(partDir, suffix))) report.dirs++
  }
  if (await removeEmptyDir(partDir)) {
    report.dirs++
    report.partitionRemoved = true
    store.suffixHashes.forget(partition, policy)
  }
  return report
}

/** rmdir that only succeeds on an empty directory; false when it is not empty or gone. */
async function removeEmptyDir(dir: string): Promise<boolean> {
  try {
    await rmdir(dir)
    return true
  } catch (err) {
    if (hasCode(err, 'ENOTEMPTY', 'EEXIST', 'ENOENT')) return false
    throw translateOsError(err, 'remove empty directory')
  }
}

/** Partitions with an object directory on this device, in one storage policy's objects dir. */
export async function objectPartitions(store: DeviceObjectStore, policy = 0): Promise<number[]> {
  return (await listDir(join(store.root, objectsDirName(policy)))).filter((p) => /^\d+$/.test(p)).map(Number).sort((a, b) => a - b)
}

/** The storage policies with an objects dir on this device (`objects` → 0, `objects-N` → N). */
export async function objectPolicies(store: DeviceObjectStore): Promise<number[]> {
  const found = (await listDir(store.root)).map(policyOfObjectsDir).filter((p): p is number => p !== undefined)
  return found.sort((a, b) => a - b)
}
