/**
 * An in-memory index of a large container's names for substring search (issue 16): the
 * names in key order, joined into one string, and their lower-cased forms joined into
 * another, so a search is one `indexOf` run over memory instead of a LevelDB scan (under
 * 10 ms instead of about 0.5 s at 1M names, `tools/bench search`). The matching is exactly
 * the scan's (name.toLowerCase().includes(needle)): see NameIndexBuilder.
 *
 * It holds for one state of the database: the container's change sequence (`seq`). Every row
 * change moves the sequence; a search that finds the index behind first reads the names
 * changed since from the database's change log and applies them (only the chunks of 4,096
 * names they fall in are rebuilt), or, more than MAX_CHANGES behind, builds it anew from a
 * scan of the names. So the database's own change log keeps it in step. Only
 * containers of MIN_NAMES to MAX_NAMES names get one, and the process's one cache keeps at most
 * MAX_NAMES names in all, over every device (least recently used go first; unused for 15
 * minutes, let go): about 80 bytes a name (two strings of the names, two offset tables), so
 * some 80 MB for 1M names of 35 characters, 160 MB at most.
 *
 * Owns: the index and its cache. Must not: read LevelDB (name-match.ts does) or decide
 * staleness by anything but the sequence.
 */
import type { NameMatch } from '../types.js'
import { compareNames } from './keys.js'

const MIN_NAMES = 50_000
const MAX_NAMES = 2_000_000
/** An index more changes behind than this is built anew rather than brought up to date. */
export const MAX_CHANGES = 20_000

/** Whether a container of `objectCount` names gets an index (smaller ones: scanned; bigger: too). */
export function indexable(objectCount: number): boolean {
  return objectCount >= MIN_NAMES && objectCount <= MAX_NAMES
}

/** What a search of the index found: names, to be read back as rows by the caller. */
export interface IndexMatch {
  names: string[]
  scanned: number
  last?: string
  done: boolean
}

/** Names per chunk when built; a chunk that grows past this is split when rebuilt. */
const CHUNK = 4096

/**
 * A run of names in key order: `text` with "\n" between them, `lower` their lower cases the
 * same way. "\n" is neither a cased nor a case-ignorable character, so no name's lower case
 * depends on its neighbours (Greek final sigma) and `lower` is each name's own lower case,
 * made in one call; should that change the run's length (U+0130 → "i̇"), the names are
 * lower-cased one by one instead. Name j starts at starts[j] (lowerStarts[j]) and ends one
 * before starts[j + 1].
 */
interface Chunk {
  text: string
  lower: string
  starts: Uint32Array
  lowerStarts: Uint32Array
  count: number
}

function chunkOf(names: readonly string[]): Chunk {
  const text = joinLines(names)
  let lower = text.toLowerCase()
  const same = lower.length === text.length
  if (!same) lower = joinLines(names.map((n) => n.toLowerCase()))
  const starts = new Uint32Array(names.length + 1)
  const lowerStarts = same ? starts : new Uint32Array(names.length + 1)
  for (let j = 0; j < names.length; j++) {
    starts[j + 1] = starts[j] + names[j].length + 1
    if (!same) lowerStarts[j + 1] = lowerStarts[j] + names[j].toLowerCase().length + 1
  }
  return { text, lower, starts, lowerStarts, count: names.length }
}

/** The names with "\n" between: concatenated (Array.join took 4 times as long here). */
function joinLines(names: readonly string[]): string {
  let text = names.length ? names[0] : ''
  for (let j = 1; j < names.length; j++) text += '\n' + names[j]
  return text
}

function chunkName(c: Chunk, j: number): string {
  return c.text.slice(c.starts[j], c.starts[j + 1] - 1)
}

/** Builds an index from the names in key order, a batch at a time (the batches die young). */
export class NameIndexBuilder {
  private readonly chunks: Chunk[] = []

  /** `chunk`: names per chunk (small in tests, to cover many chunks). */
  constructor(private readonly chunk = CHUNK) {}

  add(names: readonly string[]): void {
    for (let i = 0; i < names.length; i += this.chunk) this.chunks.push(chunkOf(names.slice(i, i + this.chunk)))
  }

  finish(seq: number): NameIndex {
    return new NameIndex(seq, this.chunks, this.chunk)
  }
}

export class NameIndex {
  /** Index (over all chunks) of each chunk's first name. */
  private firsts: number[] = []
  size = 0

  constructor(
    /** The database's change sequence the index is of. */
    public seq: number,
    private chunks: Chunk[],
    private readonly chunk = CHUNK,
  ) {
    this.renumber()
  }

  static of(seq: number, names: readonly string[], chunk = CHUNK): NameIndex {
    const b = new NameIndexBuilder(chunk)
    b.add(names)
    return b.finish(seq)
  }

  private renumber(): void {
    this.chunks = this.chunks.filter((c) => c.count > 0)
    this.firsts = []
    let n = 0
    for (const c of this.chunks) {
      this.firsts.push(n)
      n += c.count
    }
    this.size = n
  }

  private name(i: number): string {
    const k = lastAtMost(this.chunks.length, (x) => this.firsts[x] <= i)
    return chunkName(this.chunks[k], i - this.firsts[k])
  }

  /** The scan's answer (name-match.ts) from memory: same order, limit, bound and marker. */
  match(m: NameMatch): IndexMatch {
    const first = m.marker ? this.after(m.marker) : 0
    const end = Math.min(this.size, first + m.maxScanned)
    const names: string[] = []
    for (let k = first < this.size ? lastAtMost(this.chunks.length, (x) => this.firsts[x] <= first) : this.chunks.length; k < this.chunks.length && this.firsts[k] < end; k++) {
      const c = this.chunks[k]
      const from = Math.max(0, first - this.firsts[k])
      const to = Math.min(c.count, end - this.firsts[k])
      const stop = c.lowerStarts[to]
      let pos = c.lowerStarts[from]
      for (;;) {
        const p = c.lower.indexOf(m.needle, pos)
        if (p < 0 || p >= stop) break
        const j = lastAtMost(c.count, (x) => c.lowerStarts[x] <= p)
        // A match running over a name's end (into the separator) is no match.
        if (p + m.needle.length > c.lowerStarts[j + 1] - 1) {
          pos = p + 1
          continue
        }
        names.push(chunkName(c, j))
        pos = c.lowerStarts[j + 1]
        if (names.length >= m.limit) return { names, scanned: this.firsts[k] + j + 1 - first, last: chunkName(c, j), done: false }
      }
    }
    return { names, scanned: end - first, last: end > first ? this.name(end - 1) : undefined, done: end === this.size }
  }

  /**
   * Brings the index to sequence `seq` from the names changed since (the change log holds each
   * changed name once, with its state now): a live one is added if missing, a deleted one
   * removed. Only the chunks touched are rebuilt.
   */
  apply(seq: number, changes: ReadonlyArray<{ name: string; live: boolean }>): void {
    const touched = new Map<number, string[]>()
    for (const { name, live } of changes) {
      const k = this.chunks.length ? lastAtMost(this.chunks.length, (x) => compareNames(chunkName(this.chunks[x], 0), name) <= 0) : -1
      if (k < 0) {
        if (live) this.chunks.push(chunkOf([name]))
        continue
      }
      let names = touched.get(k)
      if (!names) {
        const c = this.chunks[k]
        names = Array.from({ length: c.count }, (_, j) => chunkName(c, j))
        touched.set(k, names)
      }
      const j = firstAbove(names, name)
      const present = j > 0 && names[j - 1] === name
      if (live && !present) names.splice(j, 0, name)
      else if (!live && present) names.splice(j - 1, 1)
    }
    for (const [k, names] of touched) {
      // (a chunk's first name may change; the search for the next change's chunk uses the
      // rebuilt first names only after this loop, which is fine: names stay in key order)
      const parts: Chunk[] = []
      for (let i = 0; i < names.length; i += this.chunk) parts.push(chunkOf(names.slice(i, i + this.chunk)))
      this.chunks[k] = parts[0] ?? chunkOf([])
      if (parts.length > 1) this.extra.set(k, parts.slice(1))
    }
    if (this.extra.size) {
      this.chunks = this.chunks.flatMap((c, k) => [c, ...(this.extra.get(k) ?? [])])
      this.extra.clear()
    }
    this.renumber()
    this.seq = Math.max(this.seq, seq)
  }

  private readonly extra = new Map<number, Chunk[]>()

  /** Index of the first name after `marker` (UTF-8 byte order, as the keys). */
  private after(marker: string): number {
    let lo = 0
    let hi = this.size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareNames(this.name(mid), marker) <= 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Index of the first of the sorted `names` after `name`. */
function firstAbove(names: readonly string[], name: string): number {
  let lo = 0
  let hi = names.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compareNames(names[mid], name) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
/** The last of 0…n-1 for which `ok` holds (`ok` holds for 0 and then for a prefix); 0 if none. */
function lastAtMost(n: number, ok: (i: number) => boolean): number {
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (ok(mid)) lo = mid
    else hi = mid - 1
  }
  return Math.max(lo, 0)
}

/** How long an index nobody searched stays in memory. */
const IDLE_MS = 15 * 60 * 1000

/**
 * The indexes of every device's containers in this process (one budget of `maxNames`, not one
 * per device), by "<device>:<database id>", least recently used first out; an index not
 * searched for IDLE_MS is let go, so that memory goes back once people stop searching.
 */
export class NameIndexCache {
  /** Each index with its size when it was put (what `names` counts) and when it was last used. */
  private readonly byKey = new Map<string, { idx: NameIndex; size: number; used: number }>()
  private names = 0
  private sweeper?: NodeJS.Timeout

  constructor(
    private readonly maxNames = MAX_NAMES,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Names held now, over all indexes. */
  get size(): number {
    return this.names
  }

  /** The index of `key`, of whatever sequence (the caller brings it up to date). */
  get(key: string): NameIndex | undefined {
    const entry = this.byKey.get(key)
    if (!entry) return undefined
    this.byKey.delete(key)
    entry.used = this.now()
    this.byKey.set(key, entry) // most recently used last
    return entry.idx
  }

  /** Adds or replaces (also after an update: its size is counted anew). */
  put(key: string, idx: NameIndex): void {
    this.drop(key)
    if (idx.size > this.maxNames) return
    this.byKey.set(key, { idx, size: idx.size, used: this.now() })
    this.names += idx.size
    for (const old of this.byKey.keys()) {
      if (this.names <= this.maxNames) break
      this.drop(old)
    }
    this.sweeper ??= setInterval(() => this.sweep(), IDLE_MS / 3).unref()
  }

  drop(key: string): void {
    const entry = this.byKey.get(key)
    if (!entry) return
    this.byKey.delete(key)
    this.names -= entry.size
  }

  /** Lets go of the indexes not searched for IDLE_MS. */
  sweep(): void {
    const now = this.now()
    for (const [key, entry] of this.byKey) if (now - entry.used >= IDLE_MS) this.drop(key)
    if (this.byKey.size === 0 && this.sweeper) {
      clearInterval(this.sweeper)
      this.sweeper = undefined
    }
  }
}

/** The one cache of the process. */
export const nameIndexes = new NameIndexCache()
