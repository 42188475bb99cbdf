/**
 * `DeviceDatabases` for one device: the account and container databases of the device, all in
 * one LevelDB at <deviceRoot>/db/ — plus what the replicator needs on top of the contract:
 * the databases of a partition, a database's raw record (deleted ones included) and its rows
 * changed after a sequence number (tombstones included), in sequence order.
 *
 * Owns: composing the per-kind modules behind the contract. Must not: hold Swift rules itself
 * (container-db.ts, account-db.ts, records.ts) or be imported above store/ except through the
 * `DeviceDatabases` type.
 */
import { VeloxError } from '../../errors.js'
import type { AccountInfo, ContainerInfo, ContainerRow, DbFreshness, DbMetadata, DeviceDatabases, ListingEntry, ListingParams, NameMatch, NameMatchPage, ObjectRow } from '../types.js'
import { AccountDatabases } from './account-db.js'
import { ContainerDatabases } from './container-db.js'
import { dropDatabase, mergeDatabaseRecord, partitionsWithDatabases, type DatabaseSummary } from './db-replication.js'
import type { DatabaseRef } from './device-store.js'
import { DeviceStore } from './device-store.js'
import { ROW_DELETED, ROW_LIVE, rowKey, seqFromKey, seqRangeAfter } from './keys.js'
import type { DbRecord } from './records.js'
import { decodeContainerRow, decodeObjectRow, freshnessOf } from './records.js'

export type { DatabaseRef } from './device-store.js'
export type { DbRecord } from './records.js'
export type { DatabaseSummary } from './db-replication.js'

/** One row change of a database, for replication. */
export type RowChange<Row> = { seq: number; row: Row }

export class LevelDeviceDatabases implements DeviceDatabases {
  private readonly containers: ContainerDatabases
  private readonly accounts: AccountDatabases

  private constructor(private readonly store: DeviceStore) {
    this.containers = new ContainerDatabases(store)
    this.accounts = new AccountDatabases(store)
  }

  /** Opens (creating if needed) the databases of the device mounted at `deviceRoot`. */
  static async open(deviceRoot: string): Promise<LevelDeviceDatabases> {
    return new LevelDeviceDatabases(await DeviceStore.open(deviceRoot))
  }

  putContainer(partition: number, account: string, container: string, putTimestamp: string, metadata?: DbMetadata, storagePolicyIndex?: number): Promise<{ created: boolean }> {
    return this.containers.putContainer(partition, account, container, putTimestamp, metadata, storagePolicyIndex)
  }

  getContainer(account: string, container: string): Promise<ContainerInfo | undefined> {
    return this.containers.getContainer(account, container)
  }

  updateContainerMetadata(account: string, container: string, metadata: DbMetadata): Promise<void> {
    return this.containers.updateContainerMetadata(account, container, metadata)
  }

  deleteContainer(account: string, container: string, timestamp: string): Promise<void> {
    return this.containers.deleteContainer(account, container, timestamp)
  }

  putObjectRow(account: string, container: string, row: ObjectRow): Promise<void> {
    return this.containers.putObjectRow(account, container, row)
  }

  /** Bulk path of putObjectRow (same rules, one batch): replication and bulk loads. */
  mergeObjectRows(account: string, container: string, rows: readonly ObjectRow[]): Promise<number> {
    return this.containers.mergeObjectRows(account, container, rows)
  }

  listObjects(account: string, container: string, params: ListingParams): Promise<ListingEntry<ObjectRow>[]> {
    return this.containers.listObjects(account, container, params)
  }

  matchObjectNames(account: string, container: string, m: NameMatch): Promise<NameMatchPage> {
    return this.containers.matchObjectNames(account, container, m)
  }

  /** Resolves once the name indexes being built for search are (tests, the benchmark). */
  nameIndexesBuilt(): Promise<void> {
    return this.containers.nameIndexesBuilt()
  }

  putAccount(partition: number, account: string, putTimestamp: string, metadata?: DbMetadata): Promise<{ created: boolean }> {
    return this.accounts.putAccount(partition, account, putTimestamp, metadata)
  }

  getAccount(account: string): Promise<AccountInfo | undefined> {
    return this.accounts.getAccount(account)
  }

  updateAccountMetadata(account: string, metadata: DbMetadata): Promise<void> {
    return this.accounts.updateAccountMetadata(account, metadata)
  }

  putContainerRow(account: string, row: ContainerRow): Promise<void> {
    return this.accounts.putContainerRow(account, row)
  }

  /** Bulk path of putContainerRow (same rules, one batch). */
  mergeContainerRows(account: string, rows: readonly ContainerRow[]): Promise<number> {
    return this.accounts.mergeContainerRows(account, rows)
  }

  listContainers(account: string, params: ListingParams): Promise<ListingEntry<ContainerRow>[]> {
    return this.accounts.listContainers(account, params)
  }

  /** The databases of one partition on this device. */
  databasesInPartition(partition: number): Promise<DatabaseRef[]> {
    return this.store.databasesInPartition(partition)
  }

  freshness(account: string, container = ''): Promise<DbFreshness | undefined> {
    return this.store.record(container ? 'container' : 'account', account, container).then((rec) => rec && freshnessOf(rec))
  }

  /** A database's record as stored, deleted or not (container '' = the account database). */
  async getDatabaseRecord(account: string, container = ''): Promise<DbRecord | undefined> {
    const rec = await this.store.record(container ? 'container' : 'account', account, container)
    return rec && structuredClone(rec)
  }

  /** Object rows (tombstones too) of a container changed after `seq`, oldest change first. */
  async objectChangesSince(account: string, container: string, seq: number, limit: number): Promise<RowChange<ObjectRow>[]> {
    const id = await this.databaseId(account, container)
    return this.changesSince(id, seq, limit, (name, value, deleted) => {
      const { seq: _seq, ...row } = decodeObjectRow(name, value, deleted)
      return row
    })
  }

  /** Container rows (deleted ones too) of an account changed after `seq`, oldest first. */
  async containerChangesSince(account: string, seq: number, limit: number): Promise<RowChange<ContainerRow>[]> {
    const id = await this.databaseId(account, '')
    return this.changesSince(id, seq, limit, (name, value, deleted) => {
      const { seq: _seq, ...row } = decodeContainerRow(name, value, deleted)
      return row
    })
  }

  /** Replication: creates or merges a database's record as another replica holds it. */
  mergeDatabaseRecord(summary: DatabaseSummary): Promise<{ created: boolean }> {
    return mergeDatabaseRecord(this.store, summary)
  }

  /** Replication: removes a handoff database if `unchanged(record)` (checked under its lock). */
  dropDatabase(account: string, container: string, unchanged: (rec: DbRecord) => boolean): Promise<boolean> {
    return dropDatabase(this.store, container ? 'container' : 'account', account, container, unchanged)
  }

  /** Replication: every partition holding a database on this device. */
  partitionsWithDatabases(): Promise<number[]> {
    return partitionsWithDatabases(this.store)
  }

  async close(): Promise<void> {
    await this.containers.nameIndexesBuilt()
    return this.store.close()
  }

  private async databaseId(account: string, container: string): Promise<number> {
    const rec = await this.store.record(container ? 'container' : 'account', account, container)
    if (!rec) throw new VeloxError('not-found', `no database ${account}/${container}`)
    return rec.id
  }

  private async changesSince<Row>(id: number, seq: number, limit: number, decode: (name: string, value: string, deleted: boolean) => Row): Promise<RowChange<Row>[]> {
    const entries = await this.store.guard(() => this.store.level.iterator({ ...seqRangeAfter(id, seq), limit }).all())
    const refs = entries.map(([key, value]) => ({ seq: seqFromKey(key), deleted: value[0] === String(ROW_DELETED), name: value.slice(1) }))
    const values = await this.store.guard(() => this.store.level.getMany(refs.map((r) => rowKey(id, r.deleted ? ROW_DELETED : ROW_LIVE, r.name))))
    const out: RowChange<Row>[] = []
    refs.forEach((ref, i) => {
      const value = values[i]
      if (value !== undefined) out.push({ seq: ref.seq, row: decode(ref.name, value, ref.deleted) })
    })
    return out
  }
}
