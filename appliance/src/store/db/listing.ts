/**
 * Container and account listings as one ordered range scan over a database's live rows,
 * with Swift's semantics (container/backend.py list_objects_iter, account/backend.py
 * list_containers_iter): marker and end_marker exclusive; reverse swaps them; a delimiter
 * (with an empty prefix if none) folds each subtree into one `{subdir}` entry, and the scan
 * then seeks past the subtree instead of reading it (small subtrees, cheaper to read than to
 * seek, are skipped in memory); `path` is prefix = path + '/' with
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

/** Rows read per nextv: after a seek in seek mode (the next row may start another subtree),
 *  and at most. The step doubles while batches end without a seek. */
const STEP_AFTER_SEEK = 8
const STEP_MAX = 1024
/** Reading a row costs about 1 µs, a seek (one more native call) about 25 µs: subtrees
 *  averaging more rows than this are sought past at once, smaller ones read through. */
const SEEK_ROWS = 24
/** Bytes one nextv may buffer: a 10,000-row page of ~200-byte rows in a few calls. */
const HIGH_WATER_MARK_BYTES = 1 << 20

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
  const it = scan.level.iterator({ ...range(p, scan.keyPrefix), highWaterMarkBytes: HIGH_WATER_MARK_BYTES })
  try {
    if (p.prefix === undefined || !p.delimiter) {
      const results: Row[] = []
      // nextv may yield fewer than asked (highWaterMarkBytes); only an empty batch ends the range.
      while (results.length < p.limit) {
        const rows = await it.nextv(Math.min(p.limit - results.length, STEP_MAX * 16))
        if (rows.length === 0) break
        for (const [key, value] of rows) results.push(scan.decode(key.toString('utf8', scan.keyPrefix.length), value))
      }
      return results
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

/** A subtree being passed over: names starting with `dir` (plus, for a forward `path` listing,
 *  the one name `target`, Swift's exclusive marker). */
interface Skip {
  dir: Buffer
  target: Buffer
  exclusive: boolean
  rows: number
}

/**
 * The delimiter loop of list_objects_iter: rows in order; at the first name with the
 * delimiter after the prefix, emit its subdir (unless it equals the marker) and pass over the
 * subtree. Rows of the subtree already read in the current batch are skipped in memory; if
 * the batch ends inside the subtree, or subtrees have been large, the iterator seeks past it,
 * so a large subtree costs one seek instead of a scan of its rows.
 */
async function listWithDelimiter<Row>(scan: ListingScan<Row>, p: Plan, delimiter: Buffer, prefix: Buffer, it: RowIterator): Promise<ListingEntry<Row>[]> {
  const results: ListingEntry<Row>[] = []
  const start = scan.keyPrefix.length
  let skip: Skip | undefined
  /** After a seek to an exclusive target, the name the seek may land on and must not list. */
  let landed: Buffer | undefined
  /** Moving average of rows per subtree, deciding between reading through and seeking. */
  let subtreeRows = 0
  let step = STEP_AFTER_SEEK
  for (;;) {
    const batch = await it.nextv(step)
    if (batch.length === 0) return results
    let seekNow = false
    for (const [key, value] of batch) {
      const name = key.subarray(start)
      if (landed) {
        const same = name.equals(landed)
        landed = undefined
        if (same) continue
      }
      if (skip) {
        if (startsWith(name, skip.dir) || (skip.exclusive && name.equals(skip.target))) {
          skip.rows++
          continue
        }
        subtreeRows = (subtreeRows * 3 + skip.rows) / 4
        skip = undefined
      }
      if (results.length >= p.limit) return results
      const end = name.indexOf(delimiter, prefix.length)
      if (p.path !== undefined) {
        if (p.path.length && name.equals(p.path)) continue
        if (end < 0 || name.length <= end + delimiter.length) {
          results.push(scan.decode(name.toString('utf8'), value))
          continue
        }
        skip = subtree(name, end, delimiter, p.reverse, true)
      } else if (end >= 0) {
        skip = subtree(name, end, delimiter, p.reverse, false)
        if (!p.marker || !skip.dir.equals(p.marker)) results.push({ subdir: skip.dir.toString('utf8') })
      } else {
        results.push(scan.decode(name.toString('utf8'), value))
        continue
      }
      if (subtreeRows >= SEEK_ROWS) {
        seekNow = true
        break
      }
    }
    if (results.length >= p.limit) return results
    if (!skip) {
      step = Math.min(step * 2, STEP_MAX)
      continue
    }
    // Still inside a subtree: seek past the rest of it, as Swift re-queries after a subdir.
    if (!seekNow) subtreeRows = (subtreeRows * 3 + skip.rows) / 4
    it.seek(Buffer.concat([scan.keyPrefix, skip.target]))
    if (skip.exclusive) landed = skip.target
    step = seekNow ? STEP_AFTER_SEEK : Math.min(step * 2, STEP_MAX)
    skip = undefined
  }
}

function startsWith(name: Buffer, dir: Buffer): boolean {
  return name.length >= dir.length && name.compare(dir, 0, dir.length, 0, dir.length) === 0
}

/**
 * The subtree of name[:end] + delimiter and where Swift's next query starts after it:
 * - reverse: end_marker = name[:end + len(delimiter)], exclusive;
 * - forward: marker = name[:end] + delimiter with its last character incremented, inclusive
 *   for a delimiter listing but exclusive for a `path` listing (Swift does not force >= there,
 *   so a name equal to that marker, e.g. "a/b0" after "a/b/…", is not listed; kept for parity).
 */
function subtree(name: Buffer, end: number, delimiter: Buffer, reverse: boolean, pathMode: boolean): Skip {
  const dir = Buffer.from(name.subarray(0, end + delimiter.length))
  if (reverse) return { dir, target: dir, exclusive: true, rows: 0 }
  const target = Buffer.concat([name.subarray(0, end), successor(delimiter) as Buffer])
  return { dir, target, exclusive: pathMode, rows: 0 }
}
