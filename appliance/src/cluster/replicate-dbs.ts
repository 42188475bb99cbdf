/**
 * The account and container databases of one local device, replicated by change sequence
 * (Swift common/db_replicator.py, its `usync` of rows after a sync point): each database's
 * record goes to the other holders the ring names (created there when absent), then its rows
 * changed since the last sequence that holder received, in batches, oldest first; row merges
 * are newest-timestamp-wins, so listings and the stats kept beside them converge. A database
 * held here although the ring does not assign it here (a handoff) is removed once all its
 * primaries received every row and nothing changed meanwhile.
 *
 * Sync points live in memory, keyed by source device, database and peer device: a restart or
 * a new ring sends each database's rows once more (merges ignore what a peer already has),
 * where Swift keeps incoming_sync rows in every database.
 * Owns: the per-database decisions. Must not: walk object files or schedule passes.
 */
import { isVeloxError } from '../errors.js'
import type { RingDevice } from '../ring/types.js'
import type { DatabaseRef, DatabaseSummary, DbRecord, LevelDeviceDatabases } from '../store/db/device-databases.js'
import type { Rings } from './placement.js'
import type { ReplicationNode } from './replication-node.js'

const BATCH_ROWS = 1000

export interface DbSyncContext {
  resolve(dev: RingDevice): ReplicationNode | undefined
  pace(bytes: number): Promise<void>
  signal: AbortSignal
  counts: DbSyncCounts
  /** source device + database + peer device → last sequence the peer received. */
  syncPoints: Map<string, number>
}

export interface DbSyncCounts {
  databasesChecked: number
  /** Rows sent that changed the peer (a row it had already costs a send, not a count). */
  rowsPushed: number
  handoffDatabasesRemoved: number
  errors: number
}

/** Replicates every database of a local device once. */
export async function syncDatabases(ctx: DbSyncContext, device: string, dbs: LevelDeviceDatabases, rings: Rings): Promise<void> {
  for (const partition of await dbs.partitionsWithDatabases()) {
    for (const ref of await dbs.databasesInPartition(partition)) {
      if (ctx.signal.aborted) return
      try {
        await syncDatabase(ctx, device, dbs, rings, ref)
      } catch (err) {
        if (ctx.signal.aborted) return
        ctx.counts.errors++
      }
    }
  }
}

async function syncDatabase(ctx: DbSyncContext, device: string, dbs: LevelDeviceDatabases, rings: Rings, ref: DatabaseRef): Promise<void> {
  const rec = await dbs.getDatabaseRecord(ref.account, ref.container)
  if (!rec) return
  ctx.counts.databasesChecked++
  const ring = rings[ref.kind]
  const { partition, nodes } = ref.kind === 'account' ? ring.getNodes(ref.account) : ring.getNodes(ref.account, ref.container)
  const handoff = !nodes.some((n) => n.device === device)
  const summary: DatabaseSummary = {
    kind: rec.kind,
    partition,
    account: rec.account,
    container: rec.container,
    putTimestamp: rec.putTimestamp,
    deleteTimestamp: rec.deleteTimestamp,
    createdAt: rec.createdAt,
    metadata: rec.metadata,
    storagePolicyIndex: rec.storagePolicyIndex,
  }
  let complete = true
  for (const dev of nodes) {
    if (dev.device === device) continue
    const peer = ctx.resolve(dev)
    if (!peer) {
      complete = false
      continue
    }
    try {
      await pushRows(ctx, `${device}|${rec.kind}|${rec.account}|${rec.container}|${dev.device}`, dbs, rec, summary, peer)
    } catch (err) {
      if (ctx.signal.aborted) return
      ctx.counts.errors++
      complete = false
    }
  }
  if (handoff && complete && !ctx.signal.aborted) {
    const same = (now: DbRecord) => now.seq === rec.seq && JSON.stringify(summaryOf(now)) === JSON.stringify(summaryOf(rec))
    if (await dbs.dropDatabase(rec.account, rec.container, same)) ctx.counts.handoffDatabasesRemoved++
  }
}

function summaryOf(r: DbRecord): unknown {
  return [r.putTimestamp, r.deleteTimestamp, r.createdAt, r.metadata, r.storagePolicyIndex]
}

/** The record, then every row after the peer's sync point, in batches. */
async function pushRows(ctx: DbSyncContext, key: string, dbs: LevelDeviceDatabases, rec: DbRecord, summary: DatabaseSummary, peer: ReplicationNode): Promise<void> {
  const { created } = await peer.mergeDatabase(summary)
  let seq = created ? 0 : (ctx.syncPoints.get(key) ?? 0)
  if (seq >= rec.seq) return
  for (;;) {
    if (ctx.signal.aborted) return
    if (rec.kind === 'container') {
      const changes = await dbs.objectChangesSince(rec.account, rec.container, seq, BATCH_ROWS)
      if (changes.length === 0) break
      await ctx.pace(0)
      ctx.counts.rowsPushed += await peer.mergeObjectRows(rec.account, rec.container, changes.map((c) => c.row))
      seq = changes[changes.length - 1].seq
    } else {
      const changes = await dbs.containerChangesSince(rec.account, seq, BATCH_ROWS)
      if (changes.length === 0) break
      await ctx.pace(0)
      try {
        ctx.counts.rowsPushed += await peer.mergeContainerRows(rec.account, changes.map((c) => c.row))
      } catch (err) {
        // A deleted account takes no container rows (Swift's account server answers 404 too).
        if (isVeloxError(err, 'not-found')) return
        throw err
      }
      seq = changes[changes.length - 1].seq
    }
    ctx.syncPoints.set(key, seq)
  }
}
