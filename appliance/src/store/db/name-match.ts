/**
 * Substring search over one container database's live names (search by name, issue 16):
 * a keys-only range scan — LevelDB hands back the names without their row values, nothing
 * is JSON-decoded — and only the rows that match are read back and decoded (one getMany).
 * A listing pass reads and decodes every row; most of a search's time went there.
 *
 * Matching is case-insensitive as JavaScript's toLowerCase, as before. Profiled at 1M names:
 * most of what is left is LevelDB's own iteration.
 *
 * Owns: the scan and the match. Must not: write, or know the value format (`decode` is given).
 */
import { VeloxError } from '../../errors.js'
import type { NameMatch, NameMatchPage, ObjectRow } from '../types.js'
import type { LevelDb } from './device-store.js'
import { successor, utf8 } from './keys.js'

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

export async function matchNames(scan: NameScan, m: NameMatch): Promise<NameMatchPage> {
  // The keys come as text, made by LevelDB's native side (a Buffer per key cost twice the
  // time), while the range stays in bytes: TEXT_KEYS passes the bounds through untouched.
  // The row prefix ends in the state byte (0x00), so a key's text is the prefix's text then
  // the name's (a name starts a new UTF-8 character); the check below keeps it honest.
  const prefixText = scan.keyPrefix.toString('utf8')
  const start = prefixText.length
  const end = successor(scan.keyPrefix) as Buffer
  const range = m.marker ? { gt: Buffer.concat([scan.keyPrefix, utf8(m.marker)]), lt: end } : { gte: scan.keyPrefix, lt: end }
  const it = scan.level.iterator({ ...range, keyEncoding: TEXT_KEYS, values: false, highWaterMarkBytes: HIGH_WATER_MARK_BYTES } as never) as unknown as TextKeyIterator
  const hits: string[] = []
  let scanned = 0
  let last: string | undefined
  let done = false
  try {
    while (hits.length < m.limit && scanned < m.maxScanned) {
      const keys = await it.nextv(Math.min(BATCH, m.maxScanned - scanned))
      if (keys.length === 0) {
        done = true
        break
      }
      for (const [key] of keys) {
        if (!key.startsWith(prefixText)) throw new VeloxError('internal', 'a row key read as text lost its prefix')
        scanned++
        last = key.slice(start)
        if (last.toLowerCase().includes(m.needle)) {
          hits.push(last)
          if (hits.length >= m.limit) break
        }
      }
    }
  } finally {
    await it.close()
  }
  // Rows changed between the scan and this read are left out (gone) or read as they are now.
  const values = hits.length ? await scan.level.getMany(hits.map((name) => Buffer.concat([scan.keyPrefix, utf8(name)]))) : []
  const rows: ObjectRow[] = []
  hits.forEach((name, i) => {
    const value = values[i]
    if (value !== undefined) rows.push(scan.decode(name, value))
  })
  return { rows, scanned, last, done }
}
