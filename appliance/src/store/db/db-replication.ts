/**
 * What the replicator needs of a device's databases beyond the contract (types.ts): merging a
 * database's record as another replica holds it (creating it here when absent, newest put and
 * delete timestamps and metadata keys winning, as Swift's `merge_timestamps` and
 * `update_metadata`), dropping a handoff database once its primaries hold every row, and the
 * list of partitions that hold databases. Rows themselves merge through the existing
 * mergeObjectRows / mergeContainerRows (newest timestamp wins), so a row replicated twice
 * changes nothing.
 * Owns: these record-level operations, each under the database's lock. Must not: decide which
 * replica is a handoff (cluster/) or change how rows merge (container-db.ts, account-db.ts).
 */
import { VeloxError } from '../../errors.js'
import type { BatchOp, DeviceStore } from './device-store.js'
import type { DbKind } from './keys.js'
import { ROW_DELETED, ROW_LIVE, partitionKey, rowPrefix, seqRangeAfter, successor, TAG_PARTITION_PREFIX } from './keys.js'
import { type DbRecord, mergeMetadata, newRecord, newerTimestamp, parseTimestamp } from './records.js'

/** A database's identity and lifecycle as one replica sends it to another (its record
 *  without the local id, totals and sequence, which each replica keeps for itself). */
export type DatabaseSummary = Pick<DbRecord, 'kind' | 'partition' | 'account' | 'container' | 'putTimestamp' | 'deleteTimestamp' | 'createdAt' | 'metadata' | 'storagePolicyIndex'>

/** Creates or merges a database's record; returns whether it was created here. */
export function mergeDatabaseRecord(store: DeviceStore, s: DatabaseSummary): Promise<{ created: boolean }> {
  parseTimestamp(s.putTimestamp)
  parseTimestamp(s.deleteTimestamp)
  if (s.kind === 'account' && s.container !== '') throw new VeloxError('bad-request', 'an account database has no container')
  return store.exclusive(s.kind, s.account, s.container, async () => {
    const existing = await store.record(s.kind, s.account, s.container)
    if (!existing) {
      const { id, idOps } = store.allocateId()
      const rec = newRecord(id, s.kind, s.partition, s.account, s.container, s.putTimestamp, s.storagePolicyIndex)
      rec.deleteTimestamp = s.deleteTimestamp
      rec.createdAt = s.createdAt
      mergeMetadata(rec.metadata, s.metadata)
      await store.commit(rec, [...idOps, ...store.partitionOps(rec, undefined)])
      return { created: true }
    }
    const rec = structuredClone(existing)
    rec.putTimestamp = newerTimestamp(rec.putTimestamp, s.putTimestamp)
    rec.deleteTimestamp = newerTimestamp(rec.deleteTimestamp, s.deleteTimestamp)
    // created_at follows the newest put (a re-created container reports its re-creation).
    if (rec.putTimestamp === s.putTimestamp) rec.createdAt = s.createdAt
    const metaChanged = mergeMetadata(rec.metadata, s.metadata)
    const changed = metaChanged || rec.putTimestamp !== existing.putTimestamp || rec.deleteTimestamp !== existing.deleteTimestamp || rec.createdAt !== existing.createdAt
    if (changed) await store.commit(rec, [])
    return { created: false }
  })
}

/**
 * Removes a database with all its rows, its change log and its partition entry, but only if
 * `unchanged(record)` says nothing changed since its primaries received it. Returns whether it did.
 */
export function dropDatabase(store: DeviceStore, kind: DbKind, account: string, container: string, unchanged: (rec: DbRecord) => boolean): Promise<boolean> {
  return store.exclusive(kind, account, container, async () => {
    const rec = await store.record(kind, account, container)
    if (!rec) return true
    if (!unchanged(rec)) return false
    const ops: BatchOp[] = []
    for (const state of [ROW_LIVE, ROW_DELETED]) {
      const prefix = rowPrefix(rec.id, state)
      const keys = await store.guard(() => store.level.keys({ gte: prefix, lt: successor(prefix) }).all())
      for (const key of keys) ops.push({ type: 'del', key })
    }
    const log = await store.guard(() => store.level.keys(seqRangeAfter(rec.id, 0)).all())
    for (const key of log) ops.push({ type: 'del', key })
    ops.push({ type: 'del', key: partitionKey(rec.partition, rec.id) })
    await store.remove(rec, ops)
    return true
  })
}

/** Every partition with at least one database on this device, ascending. */
export async function partitionsWithDatabases(store: DeviceStore): Promise<number[]> {
  const out = new Set<number>()
  const gte = Buffer.from([TAG_PARTITION_PREFIX])
  const keys = await store.guard(() => store.level.keys({ gte, lt: successor(gte) }).all())
  for (const key of keys) out.add(key.readUInt32BE(1))
  return [...out].sort((a, b) => a - b)
}
