/**
 * The LevelDB of one device (<deviceRoot>/db/) and the bookkeeping every database shares:
 * opening and closing, database records (cached, written through), id allocation, the
 * partition index, change sequences and one async lock per database so that updates of one
 * database are applied one at a time (read record and rows → compute → one atomic batch).
 *
 * Owns: the only `level` handle; translation of LevelDB failures into VeloxErrors.
 * Must not: decide Swift semantics (container-db.ts, account-db.ts, records.ts) or list rows
 * (listing.ts).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { VeloxError } from '../../errors.js'
import type { DbKind } from './keys.js'
import { idKey, idRange, partitionKey, partitionRange, recordKey } from './keys.js'
import type { DbRecord } from './records.js'

export type LevelDb = Level<Buffer, string>
export type BatchOp = { type: 'put'; key: Buffer; value: string } | { type: 'del'; key: Buffer }

/** Records kept in memory; beyond this the oldest are dropped (they reload on demand). */
const RECORD_CACHE_MAX = 50_000

export interface DatabaseRef {
  kind: DbKind
  account: string
  container: string
}

export class DeviceStore {
  private readonly records = new Map<string, DbRecord>()
  private readonly locks = new Map<string, Promise<void>>()
  private closed = false

  private constructor(
    readonly level: LevelDb,
    private nextId: number,
  ) {}

  static async open(deviceRoot: string): Promise<DeviceStore> {
    const location = join(deviceRoot, 'db')
    await mkdir(location, { recursive: true })
    const level: LevelDb = new Level<Buffer, string>(location, { keyEncoding: 'buffer', valueEncoding: 'utf8' })
    try {
      await level.open()
    } catch (err) {
      throw new VeloxError('unavailable', `cannot open database at ${location}`, { location }, { cause: err })
    }
    const last = await level.keys({ ...idRange(), reverse: true, limit: 1 }).all()
    const nextId = last.length ? last[0].readUInt32BE(1) + 1 : 1
    return new DeviceStore(level, nextId)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.all([...this.locks.values()])
    await this.level.close()
  }

  /** Runs `fn` holding the lock of one database; callers of the same database queue. */
  async exclusive<T>(kind: DbKind, account: string, container: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new VeloxError('unavailable', 'device databases are closed')
    const name = cacheKey(kind, account, container)
    const previous = this.locks.get(name) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => mine)
    this.locks.set(name, tail)
    await previous
    try {
      return await fn()
    } finally {
      release()
      if (this.locks.get(name) === tail) this.locks.delete(name)
    }
  }

  /** The record of a database (deleted ones too), or undefined when it never existed here. */
  async record(kind: DbKind, account: string, container: string): Promise<DbRecord | undefined> {
    const name = cacheKey(kind, account, container)
    const cached = this.records.get(name)
    if (cached) return cached
    const value = await this.guard(() => this.level.get(recordKey(kind, account, container)))
    if (value === undefined) return undefined
    const rec = JSON.parse(value) as DbRecord
    this.remember(name, rec)
    return rec
  }

  /** A fresh id for a new database; the batch that creates it must include `idOps`. */
  allocateId(): { id: number; idOps: BatchOp[] } {
    const id = this.nextId++
    return { id, idOps: [{ type: 'put', key: idKey(id), value: '' }] }
  }

  /** Ops that (re)index a record under its partition, given the partition it had before. */
  partitionOps(rec: DbRecord, previousPartition: number | undefined): BatchOp[] {
    const ops: BatchOp[] = []
    if (previousPartition !== undefined && previousPartition !== rec.partition) {
      ops.push({ type: 'del', key: partitionKey(previousPartition, rec.id) })
    }
    if (previousPartition !== rec.partition) {
      const ref: DatabaseRef = { kind: rec.kind, account: rec.account, container: rec.container }
      ops.push({ type: 'put', key: partitionKey(rec.partition, rec.id), value: JSON.stringify(ref) })
    }
    return ops
  }

  /** Writes `ops` and the record in one atomic batch, then updates the cache. Only call while
   *  holding the database's lock. */
  async commit(rec: DbRecord, ops: BatchOp[]): Promise<void> {
    const key = recordKey(rec.kind, rec.account, rec.container)
    const all: BatchOp[] = [...ops, { type: 'put', key, value: JSON.stringify(rec) }]
    const name = cacheKey(rec.kind, rec.account, rec.container)
    try {
      await this.guard(() => this.level.batch(all))
    } catch (err) {
      this.records.delete(name)
      throw err
    }
    this.remember(name, rec)
  }

  /** Deletes a database: `ops` (its rows, log and index entries) and its record, in one batch.
   *  Only call while holding the database's lock. */
  async remove(rec: DbRecord, ops: BatchOp[]): Promise<void> {
    const name = cacheKey(rec.kind, rec.account, rec.container)
    this.records.delete(name)
    await this.guard(() => this.level.batch([...ops, { type: 'del', key: recordKey(rec.kind, rec.account, rec.container) }]))
    this.records.delete(name)
  }

  /** Databases of a partition held on this device (for the replicator). */
  async databasesInPartition(partition: number): Promise<DatabaseRef[]> {
    const values = await this.guard(() => this.level.values(partitionRange(partition)).all())
    return values.map((v) => JSON.parse(v) as DatabaseRef)
  }

  /** Runs a LevelDB call, turning its failures into `unavailable` (the device errs). */
  async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (err) {
      if (err instanceof VeloxError) throw err
      throw new VeloxError('unavailable', `device database error: ${(err as Error).message}`, {}, { cause: err })
    }
  }

  private remember(name: string, rec: DbRecord): void {
    this.records.delete(name)
    this.records.set(name, rec)
    if (this.records.size > RECORD_CACHE_MAX) {
      const oldest = this.records.keys().next().value as string
      this.records.delete(oldest)
    }
  }
}

function cacheKey(kind: DbKind, account: string, container: string): string {
  return `${kind[0]}${account.length}:${account}/${container}`
}
