/**
 * Account databases on a device, with Swift's account server semantics: an account is created
 * once (re-created only after a delete), its container rows merge as account/backend.py
 * merge_items (newest put and delete timestamps; a row is deleted when deleted after its last
 * put with no objects), and the account totals (containers, objects, bytes) move with every
 * row in the same atomic batch, so they stay exact whatever the order updates arrive in.
 *
 * Owns: the account lifecycle and container rows. Must not: open LevelDB (device-store.ts),
 * encode keys by hand (keys.ts), or decide when a container reports (swift/, cluster/).
 */
import { VeloxError } from '../../errors.js'
import type { AccountInfo, ContainerRow, DbMetadata, ListingEntry, ListingParams } from '../types.js'
import type { BatchOp, DeviceStore } from './device-store.js'
import { ROW_DELETED, ROW_LIVE, rowKey, rowPrefix, seqKey } from './keys.js'
import { listRows } from './listing.js'
import type { DbRecord } from './records.js'
import {
  containerRowStats,
  decodeContainerRow,
  listedContainerRow,
  encodeContainerRow,
  isRecordDeleted,
  mergeContainerRow,
  mergeMetadata,
  movePolicyStats,
  newRecord,
  noteRowTimestamp,
  policyStatsOf,
  newerTimestamp,
  parseTimestamp,
  visibleMetadata,
} from './records.js'

export class AccountDatabases {
  constructor(private readonly store: DeviceStore) {}

  async putAccount(partition: number, account: string, putTimestamp: string, metadata?: DbMetadata): Promise<{ created: boolean }> {
    parseTimestamp(putTimestamp)
    return this.store.exclusive('account', account, '', async () => {
      const existing = await this.store.record('account', account, '')
      if (!existing) {
        const { id, idOps } = this.store.allocateId()
        const rec = newRecord(id, 'account', partition, account, '', putTimestamp, 0)
        mergeMetadata(rec.metadata, metadata)
        await this.store.commit(rec, [...idOps, ...this.store.partitionOps(rec, undefined)])
        return { created: true }
      }
      const rec = structuredClone(existing)
      const recreated = isRecordDeleted(rec)
      rec.putTimestamp = newerTimestamp(rec.putTimestamp, putTimestamp)
      if (isRecordDeleted(rec)) throw new VeloxError('conflict', `account ${account} was deleted after ${putTimestamp}`, { timestamp: rec.deleteTimestamp })
      if (recreated) rec.createdAt = putTimestamp
      mergeMetadata(rec.metadata, metadata)
      rec.partition = partition
      await this.store.commit(rec, this.store.partitionOps(rec, existing.partition))
      return { created: recreated }
    })
  }

  async getAccount(account: string): Promise<AccountInfo | undefined> {
    const rec = await this.store.record('account', account, '')
    if (!rec || isRecordDeleted(rec)) return undefined
    return {
      account,
      putTimestamp: rec.putTimestamp,
      deleteTimestamp: rec.deleteTimestamp,
      createdAt: rec.createdAt,
      containerCount: rec.containerCount,
      objectCount: rec.objectCount,
      bytesUsed: rec.bytesUsed,
      metadata: visibleMetadata(rec.metadata),
      policyStats: structuredClone(policyStatsOf(rec)),
    }
  }

  async updateAccountMetadata(account: string, metadata: DbMetadata): Promise<void> {
    await this.store.exclusive('account', account, '', async () => {
      const rec = structuredClone(await this.live(account))
      if (mergeMetadata(rec.metadata, metadata)) await this.store.commit(rec, [])
    })
  }

  async putContainerRow(account: string, row: ContainerRow): Promise<void> {
    await this.mergeContainerRows(account, [row])
  }

  /** Merges container rows (container updates, replication) in one atomic batch; the account
   *  must exist and not be deleted, else `not-found`. Returns how many rows changed. */
  async mergeContainerRows(account: string, rows: readonly ContainerRow[]): Promise<number> {
    for (const row of rows) {
      if (!row.name) throw new VeloxError('bad-request', 'container row without a name')
      parseTimestamp(row.putTimestamp)
      parseTimestamp(row.deleteTimestamp)
    }
    return this.store.exclusive('account', account, '', async () => {
      const existing = await this.live(account)
      const rec = structuredClone(existing)
      rec.policyStats = structuredClone(policyStatsOf(existing))
      const current = new Map<string, ContainerRow & { seq: number }>()
      const ops: BatchOp[] = []
      for (const row of rows) {
        const old = current.has(row.name) ? current.get(row.name) : await this.storedRow(rec.id, row.name)
        const merged = mergeContainerRow(old, row)
        if (!merged) continue
        if (old) {
          ops.push({ type: 'del', key: rowKey(rec.id, old.deleted ? ROW_DELETED : ROW_LIVE, row.name) })
          ops.push({ type: 'del', key: seqKey(rec.id, old.seq) })
        }
        rec.seq++
        noteRowTimestamp(rec, merged.putTimestamp)
        noteRowTimestamp(rec, merged.deleteTimestamp)
        const state = merged.deleted ? ROW_DELETED : ROW_LIVE
        ops.push({ type: 'put', key: rowKey(rec.id, state, row.name), value: encodeContainerRow(merged, rec.seq) })
        ops.push({ type: 'put', key: seqKey(rec.id, rec.seq), value: `${state}${row.name}` })
        const before = containerRowStats(old)
        const after = containerRowStats(merged)
        rec.containerCount += after.containers - before.containers
        rec.objectCount += after.objects - before.objects
        rec.bytesUsed += after.bytes - before.bytes
        movePolicyStats(rec.policyStats, old, merged)
        current.set(row.name, { ...merged, seq: rec.seq })
      }
      if (ops.length === 0) return 0
      await this.store.commit(rec, ops)
      return current.size
    })
  }

  async listContainers(account: string, params: ListingParams): Promise<ListingEntry<ContainerRow>[]> {
    const rec = await this.live(account)
    const scan = {
      level: this.store.level,
      keyPrefix: rowPrefix(rec.id, ROW_LIVE),
      allowPath: false,
      decode: listedContainerRow,
    }
    return this.store.guard(() => listRows(scan, params))
  }

  private async live(account: string): Promise<DbRecord> {
    const rec = await this.store.record('account', account, '')
    if (!rec || isRecordDeleted(rec)) throw new VeloxError('not-found', `no account ${account}`)
    return rec
  }

  private async storedRow(id: number, name: string): Promise<(ContainerRow & { seq: number }) | undefined> {
    const [live, dead] = await this.store.guard(() => this.store.level.getMany([rowKey(id, ROW_LIVE, name), rowKey(id, ROW_DELETED, name)]))
    if (live !== undefined) return decodeContainerRow(name, live, false)
    if (dead !== undefined) return decodeContainerRow(name, dead, true)
    return undefined
  }
}
