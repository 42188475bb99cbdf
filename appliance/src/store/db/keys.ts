/**
 * Binary key layout of a device's LevelDB (one per device, at <deviceRoot>/db/).
 *
 * Owns: the byte encoding of every key, so that LevelDB's bytewise order is the order Swift
 * lists in (names compared as UTF-8 bytes, i.e. by code point; JavaScript's `<` on strings
 * compares UTF-16 units and would put U+E000–U+FFFF after astral characters).
 * Must not: touch LevelDB itself, or know what a value holds.
 *
 * Key spaces (first byte is the tag):
 *   0x02 kind account-len account container   → the database record (JSON, see records.ts)
 *   0x03 partition(u32) id(u32)               → which database a partition holds (JSON)
 *   0x04 id(u32) state(u8) name               → one row; state 0 = live, 1 = deleted, so a
 *                                               listing scans only live rows (Swift's
 *                                               (deleted, name) index)
 *   0x05 id(u32) seq(u64)                     → change log: which row changed at seq
 *   0x06 id(u32)                              → id allocation (the highest id in use)
 */
export type DbKind = 'account' | 'container'

const TAG_RECORD = 0x02
const TAG_PARTITION = 0x03
const TAG_ROW = 0x04
const TAG_SEQ = 0x05
const TAG_ID = 0x06

/** The first byte of every partition index key (db-replication.ts lists them all). */
export const TAG_PARTITION_PREFIX = TAG_PARTITION

export const ROW_LIVE = 0
export const ROW_DELETED = 1

export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8')
}

/** The smallest byte string greater than every string that starts with `bytes`
 *  (undefined when there is none: all 0xff). */
export function successor(bytes: Uint8Array): Buffer | undefined {
  const out = Buffer.from(bytes)
  let end = out.length
  while (end > 0 && out[end - 1] === 0xff) end--
  if (end === 0) return undefined
  out[end - 1]++
  return out.subarray(0, end)
}

/** Key of a database record; account names up to 64 KiB (Swift allows 256 bytes). */
export function recordKey(kind: DbKind, account: string, container: string): Buffer {
  const a = utf8(account)
  const c = utf8(container)
  const head = Buffer.alloc(4)
  head[0] = TAG_RECORD
  head[1] = kind === 'account' ? 0x61 : 0x63
  head.writeUInt16BE(a.length, 2)
  return Buffer.concat([head, a, c])
}

export function partitionKey(partition: number, id: number): Buffer {
  const key = Buffer.alloc(9)
  key[0] = TAG_PARTITION
  key.writeUInt32BE(partition, 1)
  key.writeUInt32BE(id, 5)
  return key
}

/** Range [gte, lt) of the partition index for one partition. */
export function partitionRange(partition: number): { gte: Buffer; lt: Buffer } {
  const gte = Buffer.alloc(5)
  gte[0] = TAG_PARTITION
  gte.writeUInt32BE(partition, 1)
  return { gte, lt: successor(gte) as Buffer }
}

/** Prefix of the rows of database `id` in one state; a name's key is prefix + UTF-8 name. */
export function rowPrefix(id: number, state: number): Buffer {
  const key = Buffer.alloc(6)
  key[0] = TAG_ROW
  key.writeUInt32BE(id, 1)
  key[5] = state
  return key
}

export function rowKey(id: number, state: number, name: string): Buffer {
  return Buffer.concat([rowPrefix(id, state), utf8(name)])
}

export const ROW_PREFIX_LENGTH = 6

export function seqKey(id: number, seq: number): Buffer {
  const key = Buffer.alloc(13)
  key[0] = TAG_SEQ
  key.writeUInt32BE(id, 1)
  key.writeBigUInt64BE(BigInt(seq), 5)
  return key
}

/** Range (gt, lt) of the change log of database `id` after `seq`. */
export function seqRangeAfter(id: number, seq: number): { gt: Buffer; lt: Buffer } {
  const gt = seqKey(id, seq)
  const lt = Buffer.alloc(5)
  lt[0] = TAG_SEQ
  lt.writeUInt32BE(id + 1, 1)
  return { gt, lt }
}

export function seqFromKey(key: Buffer): number {
  return Number(key.readBigUInt64BE(5))
}

export function idKey(id: number): Buffer {
  const key = Buffer.alloc(5)
  key[0] = TAG_ID
  key.writeUInt32BE(id, 1)
  return key
}

/** Range of the id allocation keys: the last one is the highest id in use. */
export function idRange(): { gte: Buffer; lt: Buffer } {
  return { gte: Buffer.from([TAG_ID]), lt: Buffer.from([TAG_ID + 1]) }
}

/** Compares two names as Swift does (UTF-8 bytes, equivalently code points). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(utf8(a), utf8(b))
}
