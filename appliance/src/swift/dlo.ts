/**
 * Dynamic Large Objects (Swift's dlo.py): an object whose X-Object-Manifest names
 * "container/prefix" reads as the concatenation of the objects listed under that prefix, in
 * listing order. Validates the header on PUT, lists the segments as the caller (a read of the
 * segment container), computes the ETag (md5 of the segment etags) and length from a
 * complete first listing page, and yields the segment reads for a byte range. No HTTP types.
 */
import { createHash } from 'node:crypto'
import { VeloxError } from '../errors.js'
import type { ObjectRow } from '../store/types.js'
import type { ContainerService } from './containers.js'
import type { ObjectService } from './objects.js'
import { SegmentReader, type ObjectRead, type SegmentCaller } from './segments.js'

/** Swift's CONTAINER_LISTING_LIMIT: a shorter first page is the whole listing. */
const PAGE = 10000

export interface DloListing {
  container: string
  prefix: string
  firstPage: ObjectRow[]
  /** True when the first page holds every segment (ETag and length are then known). */
  complete: boolean
  /** Sum of the first page's sizes. */
  size: number
  /** Quoted md5 of the segment etags, when complete. */
  etag?: string
}

export class DloService {
  readonly reader: SegmentReader

  constructor(
    private readonly containers: ContainerService,
    objects: ObjectService,
  ) {
    this.reader = new SegmentReader(objects)
  }

  /** `bad-request` unless the value is "container/prefix" (dlo.py _validate_x_object_manifest_header). */
  checkManifestHeader(value: string): void {
    const slash = value.indexOf('/')
    const container = slash < 0 ? '' : value.slice(0, slash)
    const prefix = slash < 0 ? '' : value.slice(slash + 1)
    if (!container || !prefix || value.includes('?') || value.includes('&') || prefix.startsWith('/')) {
      throw new VeloxError('bad-request', 'X-Object-Manifest must be in the format container/prefix', { explain: 'html' })
    }
  }

  /** Lists the first page of segments as the caller; the listing's own error when it fails. */
  async list(account: string, manifest: string, caller: SegmentCaller): Promise<DloListing> {
    let value = manifest
    try {
      value = decodeURIComponent(manifest)
    } catch {
      // Swift's wsgi_unquote leaves bad escapes as they are.
    }
    const slash = value.indexOf('/')
    const container = value.slice(0, slash)
    const prefix = value.slice(slash + 1)
    await caller.authorize('GET', { account, container }, prefix)
    const firstPage = await this.page(account, container, prefix)
    const complete = firstPage.length < PAGE
    const size = firstPage.reduce((n, r) => n + r.size, 0)
    let etag: string | undefined
    if (complete) {
      const h = createHash('md5')
      for (const r of firstPage) h.update(r.etag.replace(/^"(.*)"$/, '$1'))
      etag = `"${h.digest('hex')}"`
    }
    return { container, prefix, firstPage, complete, size, etag }
  }

  private async page(account: string, container: string, prefix: string, marker?: string): Promise<ObjectRow[]> {
    const { entries } = await this.containers.list(account, container, { prefix, marker, limit: PAGE })
    return entries.filter((e): e is ObjectRow => !('subdir' in e))
  }

  /** The segment reads for bytes [first, last] (inclusive; last may be Infinity), paging on. */
  async *reads(account: string, l: DloListing, first = 0, last = Infinity): AsyncGenerator<ObjectRead> {
    let rows = l.firstPage
    for (;;) {
      for (const r of rows) {
        if (first >= r.size) {
          first = Math.max(first - r.size, -1)
          last = Math.max(last - r.size, -1)
          continue
        }
        if (last < 0) return
        yield { kind: 'object', ref: { account, container: l.container, object: r.name }, first: first <= 0 ? undefined : first, last: last >= r.size - 1 ? undefined : last }
        first = Math.max(first - r.size, -1)
        last = Math.max(last - r.size, -1)
      }
      if (rows.length < PAGE || last < 0) return
      rows = await this.page(account, l.container, l.prefix, rows[rows.length - 1].name)
    }
  }
}
