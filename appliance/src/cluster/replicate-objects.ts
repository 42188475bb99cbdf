/**
 * One object partition of one local device, replicated (Swift obj/replicator.py `update` and
 * `update_deleted`, with ssync's missing check): compare suffix hashes with each other holder
 * the ring names; in the suffixes that differ, compare object by object and push what the peer
 * lacks — data, tombstone, newer .meta — with the original timestamps. A partition this device
 * holds although the ring does not assign it here (a handoff) is pushed to all its primaries
 * and each object is removed once every primary holds it or something newer.
 * Owns the per-partition decisions; it must not walk devices or schedule passes (replicator.ts).
 */
import { isVeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { RingDevice } from '../ring/types.js'
import type { DeviceObjectStore } from '../store/objects/device-object-store.js'
import { hashDirOf } from '../store/objects/layout.js'
import { hashStates, readReplica, removeHashDirIfUnchanged, type HashState } from '../store/objects/replica-files.js'
import type { ObjectLocation } from '../store/types.js'
import type { ReplicationNode } from './replication-node.js'

/** What the replicator lends each partition sync: peers, pace and counters. */
export interface SyncContext {
  resolve(dev: RingDevice): ReplicationNode | undefined
  /** Waits for the rate limits to allow one more file of `bytes`. */
  pace(bytes: number): Promise<void>
  counts: SyncCounts
  signal: AbortSignal
  /** Pushes in flight at once within a partition. */
  concurrency: number
  /**
   * Whether this push of an object to a peer may go ahead: false when another device of this
   * box already pushes (or pushed, in this pass) the same object to the same peer — after a
   * disk joins, every other holder finds it lacking the same objects. `undo` gives a failed
   * push's claim back, so that another holder may try.
   */
  claim?(key: string): boolean
  undo?(key: string): void
}

export interface SyncCounts {
  objectsPushed: number
  tombstonesPushed: number
  metasPushed: number
  bytesPushed: number
  handoffObjectsRemoved: number
  errors: number
}

function cmp(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0
  if (a === undefined) return -1
  if (b === undefined) return 1
  return Timestamp.parse(a).compare(Timestamp.parse(b))
}

function newest(s: HashState | undefined): string | undefined {
  if (!s) return undefined
  return cmp(s.data, s.ts) >= 0 ? s.data : s.ts
}

/** True when `remote` holds `local`'s state or a newer one (the local copy may go). */
export function covers(remote: HashState | undefined, local: HashState): boolean {
  const c = cmp(newest(remote), newest(local))
  if (c !== 0) return c > 0
  return local.meta === undefined || cmp(remote?.meta, local.meta) >= 0
}

/**
 * Replicates `partition` of `local` to `holders` (the ring's primaries, this device excluded),
 * in storage policy `policy`'s objects dir (whose ring named the holders).
 * Returns whether every holder was reached and now covers every local object.
 */
export async function syncObjectPartition(ctx: SyncContext, local: DeviceObjectStore, partition: number, holders: readonly RingDevice[], handoff: boolean, policy = 0): Promise<boolean> {
  const localHashes = await local.suffixHashes.get(partition, [], policy)
  const suffixes = Object.keys(localHashes)
  if (suffixes.length === 0) return true
  let complete = true
  for (const dev of holders) {
    if (ctx.signal.aborted) return false
    const peer = ctx.resolve(dev)
    if (!peer) {
      complete = false
      continue
    }
    try {
      const remoteHashes = await peer.suffixHashes(partition, [], policy)
      const differ = suffixes.filter((s) => remoteHashes[s] !== localHashes[s])
      if (differ.length === 0) continue
      const [mine, theirs] = await Promise.all([hashStates(local, partition, differ, policy), peer.hashStates(partition, differ, policy)])
      const todo = [...mine].filter(([hash, state]) => !covers(theirs[hash], state))
      await eachLimited(todo, ctx.concurrency, async ([hash]) => {
        const key = `${dev.ip}:${dev.port}/${dev.device}/${policy}/${partition}/${hash}`
        if (ctx.claim && !ctx.claim(key)) return
        if (!(await pushObject(ctx, local, peer, { partition, hash, policy }, theirs[hash]))) ctx.undo?.(key)
      })
    } catch (err) {
      if (ctx.signal.aborted) return false
      ctx.counts.errors++
      complete = false
    }
  }
  if (!handoff || !complete || ctx.signal.aborted) return complete
  return removeHandoffObjects(ctx, local, partition, suffixes, holders, policy)
}

/**
 * Pushes one object's files to a peer; a conflict (the peer has it or newer) is no error.
 * Returns false when it did not get through (an error, or stopped).
 */
async function pushObject(ctx: SyncContext, local: DeviceObjectStore, peer: ReplicationNode, at: { partition: number; hash: string; policy: number }, theirs: HashState | undefined): Promise<boolean> {
  if (ctx.signal.aborted) return false
  const { partition, hash, policy } = at
  const files = await readReplica(local, partition, hash, policy).catch(() => {
    ctx.counts.errors++
    return undefined
  })
  if (!files) return false
  const loc: ObjectLocation = { partition, hash, name: files.name, ...(policy !== 0 ? { policy } : {}) }
  try {
    const lagging = cmp(newest(theirs), newest(files.state)) < 0
    if (lagging && files.ts) {
      await ctx.pace(0)
      await quietConflict(peer.objects.delete(loc, files.ts.timestamp))
      ctx.counts.tombstonesPushed++
    } else if (lagging && files.data) {
      const m = files.data.meta
      await ctx.pace(m.size)
      const put = { timestamp: m.timestamp, contentType: m.contentType, headers: m.headers, etag: m.etag, size: m.size, dropCache: true }
      if (await quietConflict(peer.objects.put(loc, put, files.data.stream()))) {
        ctx.counts.objectsPushed++
        ctx.counts.bytesPushed += m.size
      }
    }
    if (files.meta && cmp(theirs?.meta, files.meta.timestamp) < 0) {
      await ctx.pace(0)
      await quietConflict(peer.objects.post(loc, files.meta.timestamp, files.meta.headers ?? {}))
      ctx.counts.metasPushed++
    }
    return !ctx.signal.aborted
  } catch (err) {
    // A source that fails its own checksum on the way out is quarantined, never pushed.
    if (isVeloxError(err, 'etag-mismatch')) await local.quarantine(hashDirOf(local.root, partition, hash, policy), 'replication: body MD5 differs from metadata')
    ctx.counts.errors++
    return false
  } finally {
    await files.close()
  }
}

/** true when written; false when the peer already had it or newer (or no data for a .meta). */
async function quietConflict(p: Promise<unknown>): Promise<boolean> {
  try {
    await p
    return true
  } catch (err) {
    if (isVeloxError(err, 'conflict') || isVeloxError(err, 'not-found')) return false
    throw err
  }
}

/** After a handoff's pushes: each object every primary covers is removed here. */
async function removeHandoffObjects(ctx: SyncContext, local: DeviceObjectStore, partition: number, suffixes: string[], holders: readonly RingDevice[], policy: number): Promise<boolean> {
  const mine = await hashStates(local, partition, suffixes, policy)
  const theirs = await Promise.all(holders.map((dev) => ctx.resolve(dev)!.hashStates(partition, suffixes, policy)))
  let all = true
  for (const [hash, state] of mine) {
    if (!theirs.every((t) => covers(t[hash], state))) {
      all = false
      continue
    }
    const files = [state.data && `${state.data}.data`, state.meta && `${state.meta}.meta`, state.ts && `${state.ts}.ts`].filter((n): n is string => !!n)
    if (await removeHashDirIfUnchanged(local, partition, hash, files, policy)) ctx.counts.handoffObjectsRemoved++
    else all = false
  }
  return all
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
