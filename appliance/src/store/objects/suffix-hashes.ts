/**
 * Per partition and suffix, a hash of the files that count in the suffix's hash directories
 * (Swift's hashes.pkl, obj/diskfile.py `get_hashes`): two replicas of a partition hold the same
 * objects in the same state exactly when their suffix hashes are equal, so the replicator only
 * looks inside the suffixes that differ. A write invalidates its suffix (DeviceObjectStore
 * calls `invalidate` after every commit); a suffix is recomputed lazily, when next asked for.
 *
 * Kept in memory only, unlike Swift's pickle: an invalidation is then a Set insertion, not a
 * file append on every PUT, and a restart recomputes each partition once, on the replicator's
 * first visit (one listing of its directories, what the auditor reads anyway).
 * Owns the cache and the hashing; it must not remove or rewrite object files.
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { listDir } from './durable-files.js'
import { chooseOndiskFiles, isObjectHash, objectsDirName } from './layout.js'

/** suffix (3 hex digits) → md5 hex; a suffix with no object files has no entry. */
export type SuffixHashMap = Record<string, string>

const SUFFIX = /^[0-9a-f]{3}$/

interface PartitionHashes {
  hashes: Map<string, string>
  /** Suffixes changed since they were hashed; all of them while `complete` is false. */
  invalid: Set<string>
  /** False until the partition's suffixes were listed once. */
  complete: boolean
}

/** A storage policy's objects dir name → its index (`objects` → 0, `objects-N` → N). */
export function policyOfObjectsDir(name: string): number | undefined {
  if (name === 'objects') return 0
  const m = /^objects-([1-9]\d{0,8})$/.exec(name)
  return m ? Number(m[1]) : undefined
}

/** Each storage policy's partitions are their own (objects-N/<partition>): keyed by both. */
const keyOf = (partition: number, policy: number) => `${policy}/${partition}`

export class SuffixHashes {
  private readonly partitions = new Map<string, PartitionHashes>()

  constructor(private readonly root: string) {}

  /** A file was added or removed under objects[-N]/<partition>/<suffix>/. */
  invalidate(partition: number, suffix: string, policy = 0): void {
    const p = this.partitions.get(keyOf(partition, policy))
    if (p) p.invalid.add(suffix)
  }

  /** invalidate() from a hash directory's path (…/objects[-N]/<partition>/<suffix>/<hash>). */
  invalidateHashDir(hashDir: string): void {
    const parts = hashDir.split('/')
    const partition = Number(parts[parts.length - 3])
    const policy = policyOfObjectsDir(parts[parts.length - 4])
    if (Number.isSafeInteger(partition) && policy !== undefined) this.invalidate(partition, parts[parts.length - 2], policy)
  }

  /** Forgets a partition (its directory was removed). */
  forget(partition: number, policy = 0): void {
    this.partitions.delete(keyOf(partition, policy))
  }

  /** The suffix hashes of a partition, recomputing the invalid ones (and `recalculate`). */
  async get(partition: number, recalculate: readonly string[] = [], policy = 0): Promise<SuffixHashMap> {
    let p = this.partitions.get(keyOf(partition, policy))
    if (!p) {
      p = { hashes: new Map(), invalid: new Set(), complete: false }
      this.partitions.set(keyOf(partition, policy), p)
    }
    const dir = join(this.root, objectsDirName(policy), String(partition))
    for (const s of recalculate) if (SUFFIX.test(s)) p.invalid.add(s)
    if (!p.complete) {
      // Marked complete before the listing: a suffix created meanwhile is invalidated anyway.
      p.complete = true
      try {
        for (const s of await listDir(dir)) if (SUFFIX.test(s)) p.invalid.add(s)
      } catch (err) {
        p.complete = false
        throw err
      }
    }
    // Taken now: an invalidation during the hashing lands in the new set and is redone next time.
    const todo = [...p.invalid]
    p.invalid.clear()
    try {
      for (const suffix of todo) {
        const h = await hashSuffix(join(dir, suffix))
        if (h === undefined) p.hashes.delete(suffix)
        else p.hashes.set(suffix, h)
      }
    } catch (err) {
      for (const s of todo) p.invalid.add(s)
      throw err
    }
    return Object.fromEntries([...p.hashes].sort(([a], [b]) => (a < b ? -1 : 1)))
  }
}

/** md5 over each hash directory (in name order) and the names of its files that count;
 *  undefined when the suffix holds none. */
export async function hashSuffix(suffixDir: string): Promise<string | undefined> {
  const md5 = createHash('md5')
  let any = false
  for (const hash of (await listDir(suffixDir)).sort()) {
    if (!isObjectHash(hash)) continue
    const files = chooseOndiskFiles(await listDir(join(suffixDir, hash)))
    const names = [files.data?.name, files.meta?.name, files.ts?.name].filter((n): n is string => n !== undefined)
    if (names.length === 0) continue
    any = true
    md5.update(`${hash}:${names.join(',')};`)
  }
  return any ? md5.digest('hex') : undefined
}
