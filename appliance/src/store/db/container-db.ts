/**
 * Container databases on a device, with Swift's container server semantics: create vs
 * existing vs re-create after delete (container/server.py _update_or_create), delete only
 * when empty (`conflict` otherwise) which blanks the metadata (db.py delete_db), object rows
 * merged newest-timestamp-wins (merge_items) with the object count and bytes used kept exact
 * in the same atomic batch, and a change sequence per database for replication.
 *
 * Owns: the container lifecycle and object rows. Must not: open LevelDB (device-store.ts),
 * encode keys by hand (keys.ts), or touch object files (store/objects/).
 */
import { VeloxError } from '../../errors.js'
import type { ContainerInfo, DbMetadata, ListingEntry, ListingParams, NameMatch, NameMatchPage, ObjectRow } from '../types.js'
import type { BatchOp, DeviceStore } from './device-store.js'
import { ROW_DELETED, ROW_LIVE, rowKey, rowPrefix, seqKey } from './keys.js'
import { listRows } from './listing.js'
import { indexable, MAX_CHANGES, NameIndexBuilder, nameIndexes } from './name-index.js'
import { changedNames, eachNameBatch, matchNames, readRows, type NameScan } from './name-match.js'
import type { DbRecord } from './records.js'
import {
  clearMetadata,
  compareTimestamps,
  decodeObjectRow,
  listedObjectRow,
  encodeObjectRow,
  isRecordDeleted,
  mergeMetadata,
  newRecord,
  newerTimestamp,
  noteRowTimestamp,
  objectRowStats,
  parseTimestamp,
  visibleMetadata,
} from './records.js'

/** Numbers each device's databases apart in the shared name index cache. */
let devicesSeen = 0

export class ContainerDatabases {
  /** This device's part of the process's name index cache (name-index.ts): keys "<n>:<database id>". */
  private readonly cacheKey = `${++devicesSeen}:`
  private readonly indexBuilds = new Map<number, Promise<void>>()

  constructor(private readonly store: DeviceStore) {}

  async putContainer(partition: number, account: string, container: string, putTimestamp: string, metadata?: DbMetadata, storagePolicyIndex?: number): Promise<{ created: boolean }> {
    parseTimestamp(putTimestamp)
    return this.store.exclusive('container', account, container, async () => {
      const existing = await this.store.record('container', account, container)
      if (!existing) {
        const { id, idOps } = this.store.allocateId()
        const rec = newRecord(id, 'container', partition, account, container, putTimestamp, storagePolicyIndex ?? 0)
        mergeMetadata(rec.metadata, metadata)
        await this.store.commit(rec, [...idOps, ...this.store.partitionOps(rec, undefined)])
        return { created: true }
      }
      const rec = structuredClone(existing)
      const recreated = isRecordDeleted(rec)
      if (recreated && storagePolicyIndex !== undefined) rec.storagePolicyIndex = storagePolicyIndex
      rec.putTimestamp = newerTimestamp(rec.putTimestamp, putTimestamp)
      // A put older than the delete leaves the container deleted: Swift answers 409.
      if (isRecordDeleted(rec)) throw new VeloxError('conflict', `container ${account}/${container} was deleted after ${putTimestamp}`, { timestamp: rec.deleteTimestamp })
      if (recreated) rec.createdAt = putTimestamp
      mergeMetadata(rec.metadata, metadata)
      rec.partition = partition
      await this.store.commit(rec, this.store.partitionOps(rec, existing.partition))
      return { created: recreated }
    })
  }

  async getContainer(account: string, container: string): Promise<ContainerInfo | undefined> {
    const rec = await this.store.record('container', account, container)
    if (!rec || isRecordDeleted(rec)) return undefined
    return {
      account,
      container,
      putTimestamp: rec.putTimestamp,
      deleteTimestamp: rec.deleteTimestamp,
      createdAt: rec.createdAt,
      objectCount: rec.objectCount,
      bytesUsed: rec.bytesUsed,
      metadata: visibleMetadata(rec.metadata),
      storagePolicyIndex: rec.storagePolicyIndex,
    }
  }

  async updateContainerMetadata(account: string, container: string, metadata: DbMetadata): Promise<void> {
    await this.store.exclusive('container', account, container, async () => {
      const rec = structuredClone(await this.live(account, container))
      if (mergeMetadata(rec.metadata, metadata)) await this.store.commit(rec, [])
    })
  }

  async deleteContainer(account: string, container: string, timestamp: string): Promise<void> {
    parseTimestamp(timestamp)
    await this.store.exclusive('container', account, container, async () => {
      const existing = await this.store.record('container', account, container)
      if (!existing) throw new VeloxError('not-found', `no container ${account}/${container}`)
      if (existing.objectCount > 0) throw new VeloxError('conflict', `container ${account}/${container} is not empty`, { objectCount: existing.objectCount })
      const existed = !isRecordDeleted(existing)
      const rec = structuredClone(existing)
      clearMetadata(rec.metadata, timestamp)
      rec.deleteTimestamp = newerTimestamp(rec.deleteTimestamp, timestamp)
      if (!isRecordDeleted(rec)) throw new VeloxError('conflict', `container ${account}/${container} was put after ${timestamp}`, { timestamp: rec.putTimestamp })
      await this.store.commit(rec, [])
      if (!existed) throw new VeloxError('not-found', `container ${account}/${container} was already deleted`, { timestamp: existing.deleteTimestamp })
    })
  }

  async putObjectRow(account: string, container: string, row: ObjectRow): Promise<void> {
    await this.mergeObjectRows(account, container, [row])
  }

  /**
   * Merges many rows into one container in one atomic batch (replication, bulk loads): for
   * each name the row with the strictly newest timestamp wins, over the stored one too. Rows
   * may go to a deleted container (Swift accepts them; a live row makes it visible again);
   * a container never created here → `not-found`. Returns how many rows changed.
   */
  async mergeObjectRows(account: string, container: string, rows: readonly ObjectRow[]): Promise<number> {
    const incoming = newestByName(rows)
    return this.store.exclusive('container', account, container, async () => {
      const existing = await this.store.record('container', account, container)
      if (!existing) throw new VeloxError('not-found', `no container ${account}/${container}`)
      const rec = structuredClone(existing)
      const stored = await this.storedRows(rec.id, [...incoming.keys()])
      const ops: BatchOp[] = []
      for (const [name, row] of incoming) {
        const old = stored.get(name)
        if (old && compareTimestamps(row.timestamp, old.timestamp) <= 0) continue
        if (old) {
          ops.push({ type: 'del', key: rowKey(rec.id, old.deleted ? ROW_DELETED : ROW_LIVE, name) })
          ops.push({ type: 'del', key: seqKey(rec.id, old.seq) })
        }
        rec.seq++
        noteRowTimestamp(rec, row.timestamp)
        const state = row.deleted ? ROW_DELETED : ROW_LIVE
        ops.push({ type: 'put', key: rowKey(rec.id, state, name), value: encodeObjectRow(row, rec.seq) })
        ops.push({ type: 'put', key: seqKey(rec.id, rec.seq), value: `${state}${name}` })
        const before = objectRowStats(old)
        const after = objectRowStats(row)
        rec.objectCount += after.objects - before.objects
        rec.bytesUsed += after.bytes - before.bytes
      }
      if (ops.length === 0) return 0
      await this.store.commit(rec, ops)
      return rec.seq - existing.seq
    })
  }

  async listObjects(account: string, container: string, params: ListingParams): Promise<ListingEntry<ObjectRow>[]> {
    const rec = await this.live(account, container)
    const scan = {
      level: this.store.level,
      keyPrefix: rowPrefix(rec.id, ROW_LIVE),
      allowPath: true,
      decode: listedObjectRow,
    }
    return this.store.guard(() => listRows(scan, params))
  }

  /**
   * Substring search over the live names: a keys-only scan (name-match.ts), or for a large
   * container its in-memory index (name-index.ts), brought up to date from the change log;
   * one missing (or too far behind) is built in the background while this search scans.
   */
  async matchObjectNames(account: string, container: string, m: NameMatch): Promise<NameMatchPage> {
    const rec = await this.live(account, container)
    const scan = { level: this.store.level, keyPrefix: rowPrefix(rec.id, ROW_LIVE), decode: listedObjectRow }
    if (!indexable(rec.objectCount)) {
      nameIndexes.drop(this.cacheKey + rec.id)
      return this.store.guard(() => matchNames(scan, m))
    }
    let index = nameIndexes.get(this.cacheKey + rec.id)
    if (index && index.seq !== rec.seq) {
      const behind = index
      const changes = rec.seq - behind.seq <= MAX_CHANGES ? await this.store.guard(() => changedNames(this.store.level, rec.id, behind.seq, MAX_CHANGES + 1)) : undefined
      if (changes && changes.length <= MAX_CHANGES) {
        behind.apply(rec.seq, changes)
        nameIndexes.put(this.cacheKey + rec.id, behind)
      } else index = undefined
    }
    if (!index) {
      // Built in the background: this search scans (and keeps to its time budget), later ones use it.
      this.buildNameIndex(rec.id, rec.seq, scan)
      return this.store.guard(() => matchNames(scan, m))
    }
    const found = index.match(m)
    return { rows: await this.store.guard(() => readRows(scan, found.names)), scanned: found.scanned, last: found.last, done: found.done }
  }

  /** Starts building database `id`'s name index unless that is under way. */
  private buildNameIndex(id: number, seq: number, scan: NameScan): void {
    if (this.indexBuilds.has(id)) return
    const builder = new NameIndexBuilder()
    const build = this.store
      .guard(() => eachNameBatch(scan, (names) => builder.add(names)))
      .then(
        () => nameIndexes.put(this.cacheKey + id, builder.finish(seq)),
        () => undefined, // (the database closed or failed meanwhile: the next search tries again)
      )
      .finally(() => this.indexBuilds.delete(id))
    this.indexBuilds.set(id, build)
  }

  /** Resolves once the name indexes being built are (tests, the benchmark). */
  async nameIndexesBuilt(): Promise<void> {
    await Promise.all(this.indexBuilds.values())
  }

  /** The record of a container that exists and is not deleted, else `not-found`. */
  private async live(account: string, container: string): Promise<DbRecord> {
    const rec = await this.store.record('container', account, container)
    if (!rec || isRecordDeleted(rec)) throw new VeloxError('not-found', `no container ${account}/${container}`)
    return rec
  }

  /** The stored row (live or tombstone) of each name, with its sequence. */
  private async storedRows(id: number, names: string[]): Promise<Map<string, ObjectRow & { seq: number }>> {
    const keys = names.flatMap((name) => [rowKey(id, ROW_LIVE, name), rowKey(id, ROW_DELETED, name)])
    const values = await this.store.guard(() => this.store.level.getMany(keys))
    const out = new Map<string, ObjectRow & { seq: number }>()
    names.forEach((name, i) => {
      const live = values[2 * i]
      const dead = values[2 * i + 1]
      const rows = [live && decodeObjectRow(name, live, false), dead && decodeObjectRow(name, dead, true)].filter((r) => !!r)
      // A name has one row: each change deletes the old key in the batch that writes the new.
      rows.sort((a, b) => compareTimestamps(b.timestamp, a.timestamp))
      if (rows[0]) out.set(name, rows[0])
    })
    return out
  }
}

/** For each name, the incoming row with the newest timestamp (first wins a tie, as Swift). */
function newestByName(rows: readonly ObjectRow[]): Map<string, ObjectRow> {
  const out = new Map<string, ObjectRow>()
  for (const row of rows) {
    if (!row.name) throw new VeloxError('bad-request', 'object row without a name')
    parseTimestamp(row.timestamp)
    const seen = out.get(row.name)
    if (!seen || compareTimestamps(row.timestamp, seen.timestamp) > 0) out.set(row.name, row)
  }
  return out
}
