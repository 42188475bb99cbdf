/**
 * Substring search over one container database's live names (search by name, issue 16):
 * a keys-only range scan — LevelDB hands back the names without their row values, nothing
 * is JSON-decoded — and only the rows that match are read back and decoded (one getMany).
 * A listing pass reads and decodes every row; most of a search's time went there.
 *
 * Matching is case-insensitive as JavaScript's toLowerCase, as before. Profiled at 1M names:
 * most of what is left is LevelDB's own iteration.
 *
 * Large containers are searched from memory instead (name-index.ts); `eachNameBatch` feeds it.
 *
 * Owns: the scan and the match. Must not: write, or know the value format (`decode` is given).
 */
import { VeloxError } from '../../errors.js'
import type { NameMatch, NameMatchPage, ObjectRow } from '../types.js'
import type { LevelDb } from './device-store.js'
import { ROW_DELETED, seqRangeAfter, successor, utf8 } from './keys.js'

/** Names asked of LevelDB per nextv, and bytes it may buffer per call. */
const BATCH = 4096
const HIGH_WATER_MARK_BYTES = 1 << 20

/** Keys as text out of LevelDB, range bounds (Buffers) in as they are. */
const TEXT_KEYS = { name: 'velox-text-keys', format: 'utf8', encode: (bounds: Buffer) => bounds, decode: (text: string) => text }

interface TextKeyIterator {
  nextv(size: number): Promise<Array<[string, undefined]>>
  close(): Promise<void>
}

export interface NameScan {
  level: LevelDb
  /** Key prefix of the live rows of one database; a row's key is prefix + UTF-8 name. */
  keyPrefix: Buffer
  decode(name: string, value: string): ObjectRow
}

/** An iterator over the keys of `scan` after `marker`, as text; `start`: where a name begins in a key. */
function textKeys(scan: NameScan, marker: string | undefined) {
  // The keys come as text, made by LevelDB's native side (a Buffer per key cost twice the
  // time), while the range stays in bytes: TEXT_KEYS passes the bounds through untouched.
  // The row prefix ends in the state byte (0x00), so a key's text is the prefix's text then
  // the name's (a name starts a new UTF-8 character); `check` keeps it honest.
  const prefixText = scan.keyPrefix.toString('utf8')
  const end = successor(scan.keyPrefix) as Buffer
  const range = marker ? { gt: Buffer.concat([scan.keyPrefix, utf8(marker)]), lt: end } : { gte: scan.keyPrefix, lt: end }
  const it = scan.level.iterator({ ...range, keyEncoding: TEXT_KEYS, values: false, highWaterMarkBytes: HIGH_WATER_MARK_BYTES } as never) as unknown as TextKeyIterator
  const check = (key: string) => {
    if (!key.startsWith(prefixText)) throw new VeloxError('internal', 'a row key read as text lost its prefix')
  }
  return { it, check, start: prefixText.length, lowerStart: prefixText.toLowerCase().length }
}

export async function matchNames(scan: NameScan, m: NameMatch): Promise<NameMatchPage> {
  const { it, check, start, lowerStart } = textKeys(scan, m.marker)
  const hits: string[] = []
  let scanned = 0
  let lastKey: string | undefined
  let done = false
  try {
    while (hits.length < m.limit && scanned < m.maxScanned) {
      const keys = await it.nextv(Math.min(BATCH, m.maxScanned - scanned))
      if (keys.length === 0) {
        done = true
        break
      }
      for (const [key] of keys) {
        check(key)
        scanned++
        lastKey = key
        // (lower-casing the prefix's text with the name moves the name by lowerStart - start)
        if (key.toLowerCase().indexOf(m.needle, lowerStart) >= 0) {
          hits.push(key.slice(start))
          if (hits.length >= m.limit) break
        }
      }
    }
  } finally {
    await it.close()
  }
  return { rows: await readRows(scan, hits), scanned, last: lastKey?.slice(start), done }
}

/** Every live name, in key order, a batch at a time (for name-index.ts: the batches die young). */
export async function eachNameBatch(scan: NameScan, visit: (names: string[]) => void): Promise<void> {
  const { it, check, start } = textKeys(scan, undefined)
  try {
    for (;;) {
      const keys = await it.nextv(BATCH)
      if (keys.length === 0) return
      visit(
        keys.map(([key]) => {
          check(key)
          return key.slice(start)
        }),
      )
    }
  } finally {
    await it.close()
  }
}

/** The rows of the matching names, read now: a row gone since the scan is left out. */
export async function readRows(scan: NameScan, names: string[]): Promise<ObjectRow[]> {
  const values = names.length ? await scan.level.getMany(names.map((name) => Buffer.concat([scan.keyPrefix, utf8(name)]))) : []
  const rows: ObjectRow[] = []
  names.forEach((name, i) => {
    const value = values[i]
    if (value !== undefined) rows.push(scan.decode(name, value))
  })
  return rows
}

/**
 * The names of database `id` changed after sequence `seq`, with their state now (the change
 * log keeps one entry per name: its latest change), at most `limit` of them.
 */
export async function changedNames(level: LevelDb, id: number, seq: number, limit: number): Promise<Array<{ name: string; live: boolean }>> {
  const values = await level.values({ ...seqRangeAfter(id, seq), limit }).all()
  return values.map((v) => ({ name: v.slice(1), live: v[0] !== String(ROW_DELETED) }))
}
