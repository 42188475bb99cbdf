/**
 * Database records and Swift's rules over them, as pure functions: when a database counts as
 * deleted, how metadata merges (newest timestamp per key wins), how a row replaces another
 * (strictly newer timestamp wins, as Swift's merge_items) and how the stats move with it.
 *
 * Owns: the shape of a database record and of row values as stored (JSON).
 * Must not: touch LevelDB, hold state, or know about key bytes (keys.ts).
 */
import { VeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import type { ContainerRow, DbFreshness, DbMetadata, ObjectRow, PolicyStats } from '../types.js'
import type { DbKind } from './keys.js'

/** Swift's initial delete_timestamp. */
export const ZERO_TIMESTAMP = '0000000000.00000'

/** One account or container database: its identity, lifecycle and exact totals. */
export interface DbRecord {
  /** Internal id, the prefix of this database's rows. */
  id: number
  kind: DbKind
  partition: number
  account: string
  /** '' for an account database. */
  container: string
  putTimestamp: string
  deleteTimestamp: string
  createdAt: string
  /** Containers: live object rows. Accounts: sum of the container rows' object counts. */
  objectCount: number
  bytesUsed: number
  /** Accounts only: container rows not deleted. */
  containerCount: number
  metadata: DbMetadata
  storagePolicyIndex: number
  /**
   * Accounts only: the totals per storage policy index. Absent in records written before
   * policies: then everything counted so far is policy 0's (policyStatsOf).
   */
  policyStats?: Record<string, PolicyStats>
  /** Last change sequence handed out to a row of this database (0 = none yet). */
  seq: number
  /** The newest timestamp of a row applied here (containers: object rows; accounts: container
   *  rows' put/delete), which tells a replica that missed updates from one that did not.
   *  Absent in records written before it. */
  newestRow?: string
}

export function parseTimestamp(text: string): Timestamp {
  const ts = Timestamp.tryParse(text)
  if (!ts) throw new VeloxError('bad-request', `bad timestamp: ${text}`)
  return ts
}

export function compareTimestamps(a: string, b: string): number {
  return parseTimestamp(a).compare(parseTimestamp(b))
}

export function newerTimestamp(a: string, b: string): string {
  return compareTimestamps(a, b) >= 0 ? a : b
}

/** Swift's is_deleted: empty (no objects, or for accounts no containers) and deleted after
 *  the last put. */
export function isRecordDeleted(rec: DbRecord): boolean {
  const count = rec.kind === 'container' ? rec.objectCount : rec.containerCount
  return count === 0 && compareTimestamps(rec.deleteTimestamp, rec.putTimestamp) > 0
}

/** Swift's update_metadata: a key is replaced only by a strictly newer timestamp. Returns
 *  whether anything changed. */
export function mergeMetadata(target: DbMetadata, updates: DbMetadata | undefined): boolean {
  let changed = false
  for (const [key, update] of Object.entries(updates ?? {})) {
    const old = target[key]
    if (!old || compareTimestamps(update.timestamp, old.timestamp) > 0) {
      target[key] = { value: update.value, timestamp: update.timestamp }
      changed = true
    }
  }
  return changed
}

/** Swift's delete_db: every key is blanked at the delete timestamp (newest still wins). */
export function clearMetadata(target: DbMetadata, timestamp: string): void {
  const blanks: DbMetadata = {}
  for (const key of Object.keys(target)) blanks[key] = { value: '', timestamp }
  mergeMetadata(target, blanks)
}

/** What clients see: removed keys (empty value) are left out. */
export function visibleMetadata(metadata: DbMetadata): DbMetadata {
  const out: DbMetadata = {}
  for (const [key, entry] of Object.entries(metadata)) if (entry.value !== '') out[key] = { ...entry }
  return out
}

export function newRecord(id: number, kind: DbKind, partition: number, account: string, container: string, putTimestamp: string, storagePolicyIndex: number): DbRecord {
  return {
    id,
    kind,
    partition,
    account,
    container,
    putTimestamp,
    deleteTimestamp: ZERO_TIMESTAMP,
    createdAt: putTimestamp,
    objectCount: 0,
    bytesUsed: 0,
    containerCount: 0,
    metadata: {},
    storagePolicyIndex,
    seq: 0,
  }
}

/** Row value of a container database: [timestamp, size, contentType, etag, seq, mtime?]
 *  (rows written before the file's own mtime was kept, or of files without one, have five). */
export function encodeObjectRow(row: ObjectRow, seq: number): string {
  const v: unknown[] = [row.timestamp, row.size, row.contentType, row.etag, seq]
  if (row.mtime !== undefined) v.push(row.mtime)
  return JSON.stringify(v)
}

export function decodeObjectRow(name: string, value: string, deleted: boolean): ObjectRow & { seq: number } {
  const [timestamp, size, contentType, etag, seq, mtime] = JSON.parse(value) as [string, number, string, string, number, string?]
  const row: ObjectRow & { seq: number } = { name, timestamp, size, contentType, etag, deleted, seq }
  if (mtime !== undefined) row.mtime = mtime
  return row
}

/** A live row as listed (no sequence): the listing hot path, so no spreads or copies. */
export function listedObjectRow(name: string, value: string): ObjectRow {
  const v = JSON.parse(value) as [string, number, string, string, number, string?]
  const row: ObjectRow = { name, timestamp: v[0], size: v[1], contentType: v[2], etag: v[3], deleted: false }
  if (v[5] !== undefined) row.mtime = v[5]
  return row
}

/** Row value of an account database: [putTimestamp, deleteTimestamp, objectCount, bytesUsed, seq, policy index]
 *  (rows written before storage policies have no index: policy 0). */
export function encodeContainerRow(row: ContainerRow, seq: number): string {
  return JSON.stringify([row.putTimestamp, row.deleteTimestamp, row.objectCount, row.bytesUsed, seq, row.storagePolicyIndex ?? 0])
}

export function decodeContainerRow(name: string, value: string, deleted: boolean): ContainerRow & { seq: number } {
  const [putTimestamp, deleteTimestamp, objectCount, bytesUsed, seq, policy] = JSON.parse(value) as [string, string, number, number, number, number?]
  const row: ContainerRow & { seq: number } = { name, putTimestamp, deleteTimestamp, objectCount, bytesUsed, deleted, seq }
  if (policy) row.storagePolicyIndex = policy
  return row
}

export function listedContainerRow(name: string, value: string): ContainerRow {
  const v = JSON.parse(value) as [string, string, number, number, number, number?]
  return { name, putTimestamp: v[0], deleteTimestamp: v[1], objectCount: v[2], bytesUsed: v[3], deleted: false }
}

/** An account record's totals per policy; a record from before policies counted everything as policy 0's. */
export function policyStatsOf(rec: DbRecord): Record<string, PolicyStats> {
  if (rec.policyStats) return rec.policyStats
  return rec.containerCount > 0 || rec.objectCount > 0 ? { 0: { containerCount: rec.containerCount, objectCount: rec.objectCount, bytesUsed: rec.bytesUsed } } : {}
}

/** Moves an account's per-policy totals by a row's change (`before` → `after`). */
export function movePolicyStats(stats: Record<string, PolicyStats>, before: ContainerRow | undefined, after: ContainerRow): void {
  const add = (row: ContainerRow | undefined, sign: number) => {
    if (!row) return
    const s = containerRowStats(row)
    const key = String(row.storagePolicyIndex ?? 0)
    const p = (stats[key] ??= { containerCount: 0, objectCount: 0, bytesUsed: 0 })
    p.containerCount += sign * s.containers
    p.objectCount += sign * s.objects
    p.bytesUsed += sign * s.bytes
  }
  add(before, -1)
  add(after, 1)
}

/** Swift's account merge_items: put and delete timestamps each keep the newest; a deleted row
 *  is one deleted after its last put with no objects. The counts are the incoming report's,
 *  unless that report is older than the stored row's newest timestamp (a stale report from
 *  before a re-create or delete), which would otherwise undo newer stats. */
export function mergeContainerRow(existing: ContainerRow | undefined, incoming: ContainerRow): ContainerRow | undefined {
  const merged: ContainerRow = { ...incoming }
  if (existing) {
    merged.putTimestamp = newerTimestamp(existing.putTimestamp, incoming.putTimestamp)
    merged.deleteTimestamp = newerTimestamp(existing.deleteTimestamp, incoming.deleteTimestamp)
    const incomingNewest = newerTimestamp(incoming.putTimestamp, incoming.deleteTimestamp)
    const existingNewest = newerTimestamp(existing.putTimestamp, existing.deleteTimestamp)
    if (compareTimestamps(incomingNewest, existingNewest) < 0) {
      merged.objectCount = existing.objectCount
      merged.bytesUsed = existing.bytesUsed
      merged.storagePolicyIndex = existing.storagePolicyIndex
    }
  }
  merged.deleted = merged.objectCount === 0 && compareTimestamps(merged.deleteTimestamp, merged.putTimestamp) > 0
  if (
    existing &&
    existing.putTimestamp === merged.putTimestamp &&
    existing.deleteTimestamp === merged.deleteTimestamp &&
    existing.objectCount === merged.objectCount &&
    existing.bytesUsed === merged.bytesUsed &&
    existing.deleted === merged.deleted &&
    (existing.storagePolicyIndex ?? 0) === (merged.storagePolicyIndex ?? 0)
  ) {
    return undefined
  }
  return merged
}

/** A row's contribution to its database's totals. */
export function objectRowStats(row: ObjectRow | undefined): { objects: number; bytes: number } {
  return row && !row.deleted ? { objects: 1, bytes: row.size } : { objects: 0, bytes: 0 }
}

export function containerRowStats(row: ContainerRow | undefined): { containers: number; objects: number; bytes: number } {
  if (!row) return { containers: 0, objects: 0, bytes: 0 }
  return { containers: row.deleted ? 0 : 1, objects: row.objectCount, bytes: row.bytesUsed }
}

/** Notes a row's timestamp as the record's newest when it is. */
export function noteRowTimestamp(rec: DbRecord, timestamp: string): void {
  if (!rec.newestRow || compareTimestamps(timestamp, rec.newestRow) > 0) rec.newestRow = timestamp
}

/** How up to date a replica of a database is (types.ts DbFreshness). */
export function freshnessOf(rec: DbRecord): DbFreshness {
  let metadata = ''
  for (const v of Object.values(rec.metadata)) if (!metadata || compareTimestamps(v.timestamp, metadata) > 0) metadata = v.timestamp
  return { rows: rec.newestRow ?? '', lifecycle: newerTimestamp(rec.putTimestamp, rec.deleteTimestamp), metadata, deleted: isRecordDeleted(rec) }
}
