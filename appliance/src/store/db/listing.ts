/**
 * Container and account listings as one ordered range scan over a database's live rows,
 * with Swift's semantics (container/backend.py list_objects_iter, account/backend.py
 * list_containers_iter): marker and end_marker exclusive; reverse swaps them; a delimiter
 * (with an empty prefix if none) folds each subtree into one `{subdir}` entry, and the scan
 * then seeks past the whole subtree instead of reading it; `path` is prefix = path + '/' with
 * delimiter '/', where nested names are skipped without a subdir and the path itself is
 * left out.
 *
 * Names are compared as UTF-8 bytes throughout (keys.ts), never as JavaScript strings.
 * Owns: turning ListingParams into bounds and seeks. Must not: write, or decode row values
 * (the caller passes `decode`).
 */
import type { ListingEntry, ListingParams } from '../types.js'
import { successor, utf8 } from './keys.js'
import type { LevelDb } from './device-store.js'

/** Rows read per step right after a seek (a delimiter listing may seek again at once); the
 *  step doubles while no seek interrupts it. */
const STEP_MIN = 16
const STEP_MAX = 1024

export interface ListingScan<Row> {
  level: LevelDb
  /** Key prefix of the live rows of one database; a row's key is prefix + UTF-8 name. */
  keyPrefix: Buffer
  decode(name: string, value: string): Row
  /** Accounts ignore `path`, as Swift's account server does. */
  allowPath: boolean
}

/** The parameters as Swift rewrites them before querying: bounds after the reverse swap. */
interface Plan {
  prefix?: Buffer
  delimiter?: Buffer
  /** Lower bound (exclusive) after the swap; also Swift's `orig_marker`. */
  marker?: Buffer
  /** Upper bound (exclusive) after the swap. */
  endMarker?: Buffer
  path?: Buffer
  reverse: boolean
  limit: number
}

function plan(params: ListingParams, allowPath: boolean): Plan {
  const reverse = params.reverse === true
  let marker = params.marker ? utf8(params.marker) : undefined
  let endMarker = params.endMarker ? utf8(params.endMarker) : undefined
  if (reverse) [marker, endMarker] = [endMarker, marker]
  let prefix = params.prefix !== undefined ? utf8(params.prefix) : undefined
  let delimiter = params.delimiter ? utf8(params.delimiter) : undefined
  let path: Buffer | undefined
  if (allowPath && params.path !== undefined) {
    const trimmed = params.path.replace(/\/+$/, '')
    path = params.path ? utf8(`${trimmed}/`) : utf8('')
    prefix = path
    delimiter = utf8('/')
  } else if (delimiter && !prefix) {
    prefix = Buffer.alloc(0)
  }
  return { prefix, delimiter, marker, endMarker, path, reverse, limit: Math.max(0, params.limit) }
}

/** LevelDB range options for the plan, in full keys. */
function range(p: Plan, keyPrefix: Buffer): { gt?: Buffer; gte?: Buffer; lt: Buffer; reverse: boolean } {
  const whole = (name: Buffer): Buffer => Buffer.concat([keyPrefix, name])
  const prefix = p.prefix?.length ? p.prefix : undefined
  const endPrefix = prefix ? successor(prefix) : undefined
  let lt = successor(keyPrefix) as Buffer
  if (p.endMarker && (!endPrefix || Buffer.compare(p.endMarker, endPrefix) < 0)) lt = whole(p.endMarker)
  else if (endPrefix) lt = whole(endPrefix)
  if (p.marker && (!prefix || Buffer.compare(p.marker, prefix) >= 0)) return { gt: whole(p.marker), lt, reverse: p.reverse }
  return { gte: whole(prefix ?? Buffer.alloc(0)), lt, reverse: p.reverse }
}

export async function listRows<Row>(scan: ListingScan<Row>, params: ListingParams): Promise<ListingEntry<Row>[]> {
  const p = plan(params, scan.allowPath)
  if (p.limit === 0) return []
  const it = scan.level.iterator(range(p, scan.keyPrefix))
  try {
    if (p.prefix === undefined || !p.delimiter) {
      const rows = await it.nextv(p.limit)
      return rows.map(([key, value]) => scan.decode(key.toString('utf8', scan.keyPrefix.length), value))
    }
    return await listWithDelimiter(scan, p, p.delimiter, p.prefix, it)
  } finally {
    await it.close()
  }
}

/** What the delimiter loop needs of a LevelDB iterator. */
interface RowIterator {
  nextv(size: number): Promise<Array<[Buffer, string]>>
  seek(target: Buffer): void
}

/** The delimiter loop of list_objects_iter: rows in order; at the first name with the
 *  delimiter after the prefix, emit its subdir (unless it equals the marker) and seek past
 *  the subtree. */
async function listWithDelimiter<Row>(scan: ListingScan<Row>, p: Plan, delimiter: Buffer, prefix: Buffer, it: RowIterator): Promise<ListingEntry<Row>[]> {
  const results: ListingEntry<Row>[] = []
  const start = scan.keyPrefix.length
  /** Name excluded after a seek: seeks land inclusively, Swift's new bound may be exclusive. */
  let skipName: Buffer | undefined
  let step = STEP_MIN
  for (;;) {
    const batch = await it.nextv(step)
    if (batch.length === 0) return results
    let sought = false
    for (const [key, value] of batch) {
      if (results.length >= p.limit) return results
      const name = key.subarray(start)
      if (skipName && name.equals(skipName)) continue
      skipName = undefined
      const end = name.indexOf(delimiter, prefix.length)
      if (p.path !== undefined) {
        if (p.path.length && name.equals(p.path)) continue
        if (end >= 0 && name.length > end + delimiter.length) {
          skipName = seekPastSubtree(it, scan.keyPrefix, name, end, delimiter, p.reverse, true)
          sought = true
          break
        }
      } else if (end >= 0) {
        const dir = name.subarray(0, end + delimiter.length)
        if (!p.marker || !dir.equals(p.marker)) results.push({ subdir: dir.toString('utf8') })
        skipName = seekPastSubtree(it, scan.keyPrefix, name, end, delimiter, p.reverse, false)
        sought = true
        break
      }
      results.push(scan.decode(name.toString('utf8'), value))
    }
    if (results.length >= p.limit) return results
    step = sought ? STEP_MIN : Math.min(step * 2, STEP_MAX)
  }
}

/**
 * Moves the iterator past every name that starts with name[:end] + delimiter, the way Swift
 * rewrites its bounds, and returns the name to skip if the seek lands on it:
 * - reverse: end_marker = name[:end + len(delimiter)], exclusive;
 * - forward: marker = name[:end] + delimiter with its last character incremented, inclusive
 *   for a delimiter listing but exclusive for a `path` listing (Swift does not force >= there,
 *   so a name equal to that marker, e.g. "a/b0" after "a/b/…", is not listed; kept for parity).
 */
function seekPastSubtree(it: RowIterator, keyPrefix: Buffer, name: Buffer, end: number, delimiter: Buffer, reverse: boolean, pathMode: boolean): Buffer | undefined {
  if (reverse) {
    const dir = Buffer.from(name.subarray(0, end + delimiter.length))
    it.seek(Buffer.concat([keyPrefix, dir]))
    return dir
  }
  const target = Buffer.concat([name.subarray(0, end), successor(delimiter) as Buffer])
  it.seek(Buffer.concat([keyPrefix, target]))
  return pathMode ? target : undefined
}
