/**
 * Search by name across all of an account's containers, server-side, straight from the
 * container databases (no second index to keep in step):
 * - prefix: each container's listing from the prefix on, a key range in its database, so
 *   the cost is the results read, not the container's size (fast on millions of objects);
 * - substring (case-insensitive): a scan of names, bounded — it stops after `budgetMs` or
 *   `maxScanned` rows and says where it stopped (`resume`), so a huge account answers in
 *   bounded time and the caller may go on from there.
 * Hidden containers (versions, "\0…") are never searched; `canRead` decides each container.
 */
import type { SwiftServices } from '../swift/index.js'
import { VeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { ObjectRow } from '../store/types.js'

const PAGE = 1000

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

export class NameSearch {
  constructor(private readonly swift: Pick<SwiftServices, 'accounts' | 'containers'>, private readonly now: () => number = () => performance.now()) {}

  async search(account: string, query: string, o: SearchOptions): Promise<SearchResult> {
    if (!query || query.length > 1024) throw new VeloxError('bad-request', 'give a name (1 to 1024 characters) to search for')
    const deadline = this.now() + (o.budgetMs ?? 2000)
    const maxScanned = o.maxScanned ?? 5_000_000
    const needle = query.toLowerCase()
    const out: SearchResult = { hits: [], scanned: 0, complete: true }
    for await (const container of this.containers(account, o.resume?.container)) {
      if (!o.canRead(container)) continue
      let marker = o.resume?.container === container ? o.resume.marker : undefined
      for (;;) {
        const prefix = o.mode === 'prefix' ? query : undefined
        const { entries } = await this.swift.containers.list(account, container, { limit: PAGE, marker, prefix })
        for (const row of entries) {
          if (!('name' in row)) continue
          out.scanned++
          marker = row.name
          if (o.mode === 'prefix' || row.name.toLowerCase().includes(needle)) {
            out.hits.push(hitOf(container, row))
            if (out.hits.length >= o.limit) return stopped(out, container, marker)
          }
        }
        if (entries.length < PAGE) break
        if (this.now() > deadline || out.scanned >= maxScanned) return stopped(out, container, marker as string)
      }
    }
    return out
  }

  /** The account's containers from `from` on (inclusive), hidden ones left out. */
  private async *containers(account: string, from?: string): AsyncGenerator<string> {
    if (from) yield from
    let marker = from
    for (;;) {
      const page = await this.swift.accounts.list(account, { limit: PAGE, marker }).catch((err: unknown) => {
        if (err instanceof VeloxError && err.kind === 'not-found') return undefined
        throw err
      })
      const rows = page?.entries ?? []
      for (const row of rows) if ('name' in row && !row.name.startsWith('\u0000')) yield row.name
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
