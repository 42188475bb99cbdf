/**
 * Search by name across all of an account's containers, server-side, straight from the
 * container databases (no second index to keep in step):
 * - prefix: each container's listing from the prefix on, a key range in its database, so
 *   the cost is the results read, not the container's size (fast on millions of objects);
 * - substring (case-insensitive): a scan of names, bounded — it stops after `budgetMs` or
 *   `maxScanned` rows and says where it stopped (`resume`), so a huge account answers in
 *   bounded time and the caller may go on from there. The container database answers it
 *   (matchObjectNames): a container of 50,000 to 2M names from an in-memory index of its
 *   names (store/db/name-index.ts; a few ms at 1M names, rebuilt by the first search after
 *   a change), others by a scan of the names alone (keys, no row decoding), decoding just the
 *   rows that match (`tools/bench search` has the figures).
 * Hidden containers (versions, "\0…") are never searched; `canRead` decides each container.
 */
import type { ListingEntry, ListingParams, ContainerRow } from '../store/types.js'
import { VeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { NameMatch, NameMatchPage, ObjectRow } from '../store/types.js'

const PAGE = 1000
/** Names a substring search reads between two looks at the clock (some 20–50 ms). */
const SLICE = 100_000

export interface SearchHit {
  container: string
  name: string
  bytes: number
  contentType: string
  lastModified: string
}

export interface SearchResult {
  hits: SearchHit[]
  /** Rows read from the databases. */
  scanned: number
  /** False when the budget ran out before every container was read. */
  complete: boolean
  /** Where to go on (pass back as `resume`), when not complete. */
  resume?: { container: string; marker: string }
}

export interface SearchOptions {
  mode: 'prefix' | 'substring'
  limit: number
  budgetMs?: number
  maxScanned?: number
  resume?: { container: string; marker: string }
  canRead: (container: string) => boolean
}

/** Where names are read: the cluster's databases (swift.dbs), or one device's in the benchmark. */
export interface NameSource {
  listContainers(account: string, params: ListingParams): Promise<ListingEntry<ContainerRow>[]>
  listObjects(account: string, container: string, params: ListingParams): Promise<ListingEntry<ObjectRow>[]>
  matchObjectNames(account: string, container: string, m: NameMatch): Promise<NameMatchPage>
}

export class NameSearch {
  constructor(private readonly dbs: NameSource, private readonly now: () => number = () => performance.now()) {}

  async search(account: string, query: string, o: SearchOptions): Promise<SearchResult> {
    if (!query || query.length > 1024) throw new VeloxError('bad-request', 'give a name (1 to 1024 characters) to search for')
    const deadline = this.now() + (o.budgetMs ?? 2000)
    const maxScanned = o.maxScanned ?? 5_000_000
    const out: SearchResult = { hits: [], scanned: 0, complete: true }
    for await (const container of this.containers(account, o.resume?.container)) {
      if (!o.canRead(container)) continue
      const from = o.resume?.container === container ? o.resume.marker : undefined
      const where = o.mode === 'prefix' ? await this.prefixed(account, container, query, from, o, out, deadline, maxScanned) : await this.matching(account, container, query.toLowerCase(), from, o, out, deadline, maxScanned)
      if (where !== undefined) return stopped(out, container, where)
    }
    return out
  }

  /** Prefix: the container's key range from the prefix on. Returns where it stopped, if it did. */
  private async prefixed(account: string, container: string, prefix: string, from: string | undefined, o: SearchOptions, out: SearchResult, deadline: number, maxScanned: number): Promise<string | undefined> {
    let marker = from
    for (;;) {
      const entries = await this.dbs.listObjects(account, container, { limit: PAGE, marker, prefix })
      for (const row of entries) {
        if (!('name' in row) || row.deleted) continue
        out.scanned++
        marker = row.name
        out.hits.push(hitOf(container, row))
        if (out.hits.length >= o.limit) return marker
      }
      if (entries.length < PAGE) return undefined
      if (this.now() > deadline || out.scanned >= maxScanned) return marker as string
    }
  }

  /**
   * Substring: the container database reads names only and decodes the matching rows
   * (store/db/name-match.ts), in slices of SLICE names so that the time budget is checked
   * between them. Returns where it stopped, if it did.
   */
  private async matching(account: string, container: string, needle: string, from: string | undefined, o: SearchOptions, out: SearchResult, deadline: number, maxScanned: number): Promise<string | undefined> {
    let marker = from
    for (;;) {
      if (this.now() > deadline || out.scanned >= maxScanned) return marker ?? ''
      const page = await this.dbs.matchObjectNames(account, container, { needle, marker, limit: o.limit - out.hits.length, maxScanned: Math.min(SLICE, maxScanned - out.scanned) })
      out.scanned += page.scanned
      marker = page.last ?? marker
      for (const row of page.rows) out.hits.push(hitOf(container, row))
      if (out.hits.length >= o.limit) return marker ?? ''
      if (page.done) return undefined
    }
  }

  /** The account's containers from `from` on (inclusive), hidden ones left out. */
  private async *containers(account: string, from?: string): AsyncGenerator<string> {
    if (from) yield from
    let marker = from
    for (;;) {
      const rows = await this.dbs.listContainers(account, { limit: PAGE, marker })
      for (const row of rows) if ('name' in row && !row.deleted && !row.name.startsWith('\u0000')) yield row.name
      if (rows.length < PAGE) return
      const last = rows[rows.length - 1]
      marker = 'name' in last ? last.name : last.subdir
    }
  }
}

function stopped(out: SearchResult, container: string, marker: string): SearchResult {
  return { ...out, complete: false, resume: { container, marker } }
}

/**
 * A listing row as the app shows it: a large object's real size rides in the content type's
 * parameters (swift_bytes), a version link's in its etag's (symlink_target_bytes).
 */
function hitOf(container: string, row: ObjectRow): SearchHit {
  const [type, ...typeParams] = row.contentType.split(';')
  const params = [...typeParams, ...row.etag.split(';').slice(1)]
  let bytes = row.size
  for (const p of params) {
    const m = /^\s*(swift_bytes|symlink_target_bytes)=(\d+)\s*$/.exec(p)
    if (m) bytes = Number(m[2])
  }
  return { container, name: row.name, bytes, contentType: type.trim(), lastModified: Timestamp.parse(row.timestamp).isoListing }
}
