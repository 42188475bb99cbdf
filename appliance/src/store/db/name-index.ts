/**
 * An in-memory index of a large container's names for substring search (issue 16): the
 * names in key order, joined into one string, and their lower-cased forms joined into
 * another, so a search is one `indexOf` run over memory instead of a LevelDB scan (under
 * 10 ms instead of about 0.5 s at 1M names, `tools/bench search`). The matching is exactly
 * the scan's (name.toLowerCase().includes(needle)): see NameIndexBuilder.
 *
 * It holds for one state of the database: the container's change sequence (`seq`) when it
 * was built. Every row change moves the sequence, and an index whose sequence is not the
 * database's is never used: the next search reads the names anew and rebuilds it. So a
 * container being written to searches at scan cost, a quiet one from memory. Only
 * containers of MIN_NAMES to MAX_NAMES names get one, and the cache keeps at most MAX_NAMES
 * names in all (least recently used go first): about 80 bytes a name (two strings of the
 * names, two offset tables), so some 80 MB for 1M names of 35 characters, 160 MB at most.
 *
 * Owns: the index and its cache. Must not: read LevelDB (name-match.ts does) or decide
 * staleness by anything but the sequence.
 */
import type { NameMatch } from '../types.js'
import { compareNames } from './keys.js'

const MIN_NAMES = 50_000
const MAX_NAMES = 2_000_000

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

/**
 * Builds an index from the names in key order, a batch at a time. Each batch is joined with
 * "\n" between names and lower-cased whole (one call, not one per name): "\n" is neither a
 * cased nor a case-ignorable character, so no name's lower case depends on its neighbours
 * (Greek final sigma) and the text is each name's own lower case. Should lower-casing change a
 * batch's length (U+0130 → "i̇"), that batch's names are lower-cased one by one instead.
 */
export class NameIndexBuilder {
  private readonly chunks: Chunk[] = []
  private starts = new Uint32Array(1024)
  private lowerStarts = new Uint32Array(1024)
  private count = 0
  private end = 0
  private lowerEnd = 0

  add(names: readonly string[]): void {
    if (names.length === 0) return
    const text = names.join('\n')
    let lower = text.toLowerCase()
    const same = lower.length === text.length
    if (!same) lower = names.map((n) => n.toLowerCase()).join('\n')
    this.grow(this.count + names.length + 1)
    for (const name of names) {
      this.starts[this.count] = this.end
      this.lowerStarts[this.count] = this.lowerEnd
      this.end += name.length + 1
      this.lowerEnd += (same ? name.length : name.toLowerCase().length) + 1
      this.count++
    }
    this.chunks.push({ text, lower, first: this.count - names.length, base: this.starts[this.count - names.length], lowerBase: this.lowerStarts[this.count - names.length] })
  }

  finish(seq: number): NameIndex {
    this.starts[this.count] = this.end
    this.lowerStarts[this.count] = this.lowerEnd
    return new NameIndex(seq, this.count, this.chunks, this.starts.subarray(0, this.count + 1), this.lowerStarts.subarray(0, this.count + 1))
  }

  private grow(n: number): void {
    if (n <= this.starts.length) return
    const size = Math.max(n, this.starts.length * 2)
    for (const key of ['starts', 'lowerStarts'] as const) {
      const bigger = new Uint32Array(size)
      bigger.set(this[key])
      this[key] = bigger
    }
  }
}

/**
 * One batch of names: `text` with "\n" between them, `lower` their lower cases the same way;
 * `first` the index of its first name, `base`/`lowerBase` where the texts start in the
 * positions of the whole index (as if all batches were joined with "\n": they are not, as
 * joining them would copy 70 MB at 1M names, and no match runs over two names anyway).
 */
interface Chunk {
  text: string
  lower: string
  first: number
  base: number
  lowerBase: number
}

export class NameIndex {
  /** Name i starts at starts[i] (lowerStarts[i]) and ends one before starts[i + 1]. */
  constructor(
    readonly seq: number,
    readonly size: number,
    private readonly chunks: readonly Chunk[],
    private readonly starts: Uint32Array,
    private readonly lowerStarts: Uint32Array,
  ) {}

  static of(seq: number, names: readonly string[]): NameIndex {
    const b = new NameIndexBuilder()
    b.add(names)
    return b.finish(seq)
  }

  private name(i: number): string {
    const c = this.chunks[lastAtMost(this.chunks.length, (k) => this.chunks[k].first <= i)]
    return c.text.slice(this.starts[i] - c.base, this.starts[i + 1] - 1 - c.base)
  }

  /** The first match at or after position `pos`, before `stop`; -1 if none. */
  private find(needle: string, pos: number, stop: number): number {
    for (let k = lastAtMost(this.chunks.length, (j) => this.chunks[j].lowerBase <= pos); k < this.chunks.length; k++) {
      const c = this.chunks[k]
      if (c.lowerBase >= stop) return -1
      const local = c.lower.indexOf(needle, Math.max(0, pos - c.lowerBase))
      if (local >= 0) return c.lowerBase + local
    }
    return -1
  }

  /** The scan's answer (name-match.ts) from memory: same order, limit, bound and marker. */
  match(m: NameMatch): IndexMatch {
    const n = this.size
    const first = m.marker ? this.after(m.marker) : 0
    const end = Math.min(n, first + m.maxScanned)
    const stop = this.lowerStarts[end]
    const names: string[] = []
    let pos = this.lowerStarts[first]
    while (names.length < m.limit) {
      const p = this.find(m.needle, pos, stop)
      if (p < 0 || p >= stop) break
      const i = this.lineAt(p)
      // A match running over a name's end (into the separator) is no match.
      if (p + m.needle.length > this.lowerStarts[i + 1] - 1) {
        pos = p + 1
        continue
      }
      names.push(this.name(i))
      pos = this.lowerStarts[i + 1]
      if (names.length >= m.limit) return { names, scanned: i + 1 - first, last: this.name(i), done: false }
    }
    return { names, scanned: end - first, last: end > first ? this.name(end - 1) : undefined, done: end === n }
  }

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

  /** The name whose lower-cased text holds position p. */
  private lineAt(p: number): number {
    return lastAtMost(this.size, (i) => this.lowerStarts[i] <= p)
  }
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

/** The indexes of one device's containers, by database id, least recently used first out. */
export class NameIndexCache {
  private readonly byId = new Map<number, NameIndex>()
  private names = 0

  constructor(private readonly maxNames = MAX_NAMES) {}

  /** The index of database `id` if it is of sequence `seq`, else undefined (and dropped). */
  get(id: number, seq: number): NameIndex | undefined {
    const idx = this.byId.get(id)
    if (!idx) return undefined
    this.drop(id)
    if (idx.seq !== seq) return undefined
    this.byId.set(id, idx) // most recently used last
    this.names += idx.size
    return idx
  }

  put(id: number, idx: NameIndex): void {
    this.drop(id)
    if (idx.size > this.maxNames) return
    this.byId.set(id, idx)
    this.names += idx.size
    for (const old of this.byId.keys()) {
      if (this.names <= this.maxNames) break
      this.drop(old)
    }
  }

  private drop(id: number): void {
    const idx = this.byId.get(id)
    if (!idx) return
    this.byId.delete(id)
    this.names -= idx.size
  }
}
