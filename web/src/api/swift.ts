/**
 * The Swift API as the SPA uses it, with the session cookie: listings (paged by marker),
 * containers, objects, server-side COPY, SLO manifests, thumbnails' URLs. Names are encoded
 * per path segment; a "folder" is a prefix ending in "/" (and, when made by hand, a
 * zero-byte marker object of that name so that an empty folder persists).
 */
import { readTextPrefix, request } from './http'

export interface ContainerRow {
  name: string
  count: number
  bytes: number
  last_modified?: string
}

export interface ObjectRow {
  name: string
  bytes: number
  hash: string
  content_type: string
  last_modified: string
  slo_etag?: string
  /** The file's own mtime (X-Object-Meta-Mtime, unix seconds): Velox's `velox_mtime=1` listing extension. */
  mtime?: string
}

export interface SubdirRow {
  subdir: string
}

/** A row of the file browser: a container, a folder (prefix) or an object. */
export type Entry =
  | { type: 'container'; name: string; path: string; bytes: number; count: number; modified?: string }
  | { type: 'folder'; name: string; path: string; container: string; prefix: string }
  | { type: 'object'; name: string; path: string; container: string; object: string; bytes: number; contentType: string; modified: string; etag: string; slo: boolean }

export interface Page {
  entries: Entry[]
  /** The marker for the next page, or null when this was the last. */
  next: string | null
}

/** Swift's segments containers are this suffix after the container they serve. */
export const SEGMENTS_SUFFIX = '_segments'

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

export class SwiftClient {
  constructor(readonly storageUrl: string) {}

  containerUrl(container: string): string {
    return `${this.storageUrl}/${encodeURIComponent(container)}`
  }

  objectUrl(container: string, object: string): string {
    return `${this.containerUrl(container)}/${encodePath(object)}`
  }

  thumbnailUrl(container: string, object: string, size: 256 | 1280 | 'color', etag?: string): string {
    // The etag only keys the browser's cache, so that a replaced object gets a new rendition.
    return `${this.objectUrl(container, object)}?thumbnail=${size}${etag ? `&v=${encodeURIComponent(etag)}` : ''}`
  }

  async listContainers(marker: string | null, limit: number): Promise<Page> {
    const q = new URLSearchParams({ format: 'json', limit: String(limit) })
    if (marker) q.set('marker', marker)
    const r = await request(`${this.storageUrl}?${q}`, { headers: { Accept: 'application/json' }, accept: [204], cache: 'no-store' })
    const rows = r.status === 204 ? [] : ((await r.json()) as ContainerRow[])
    const entries: Entry[] = rows.map((c) => ({ type: 'container', name: c.name, path: c.name, bytes: c.bytes, count: c.count, modified: c.last_modified }))
    return { entries, next: rows.length === limit ? rows[rows.length - 1].name : null }
  }

  /** One page of a folder: objects and sub-folders directly under `prefix`. */
  async listFolder(container: string, prefix: string, marker: string | null, limit: number, delimiter = '/'): Promise<Page> {
    // velox_mtime=1: each row carries the file's own date, kept in the container row (no HEAD per file).
    const q = new URLSearchParams({ format: 'json', limit: String(limit), velox_mtime: '1' })
    if (prefix) q.set('prefix', prefix)
    if (delimiter) q.set('delimiter', delimiter)
    if (marker) q.set('marker', marker)
    const r = await request(`${this.containerUrl(container)}?${q}`, { headers: { Accept: 'application/json' }, accept: [204], cache: 'no-store' })
    const rows = r.status === 204 ? [] : ((await r.json()) as Array<ObjectRow | SubdirRow>)
    const entries: Entry[] = []
    for (const row of rows) {
      if ('subdir' in row) {
        entries.push({ type: 'folder', name: baseName(row.subdir), path: `${container}/${row.subdir}`, container, prefix: row.subdir })
      } else if (row.name !== prefix) {
        // (the folder's own marker object is the folder, not a file in it)
        entries.push(objectEntry(container, row))
      }
    }
    const last = rows[rows.length - 1]
    const next = rows.length === limit ? ('subdir' in last ? last.subdir : last.name) : null
    return { entries, next }
  }

  /** Every object under a prefix (no delimiter), page by page: for folder delete, move and copy. */
  async *walk(container: string, prefix: string, pageSize = 1000): AsyncGenerator<Extract<Entry, { type: 'object' }>> {
    let marker: string | null = null
    do {
      const page: Page = await this.listFolder(container, prefix, marker, pageSize, '')
      for (const e of page.entries) if (e.type === 'object') yield e
      // The folder's own marker object is skipped by listFolder; walk must include it.
      if (!marker && prefix.endsWith('/')) {
        const r = await request(this.objectUrl(container, prefix), { method: 'HEAD', accept: [404] })
        if (r.status !== 404) yield { type: 'object', name: baseName(prefix), path: `${container}/${prefix}`, container, object: prefix, bytes: 0, contentType: '', modified: '', etag: '', slo: false }
      }
      marker = page.next
    } while (marker)
  }

  /**
   * A container the person makes keeps versions (X-Versions-Enabled), so that a deleted file
   * goes to the Trash by default; the uploader's `_segments` containers do not (a large
   * object's history is its manifest's, whose segments stay referenced).
   */
  async createContainer(container: string, opts: { versions?: boolean } = {}): Promise<void> {
    const headers: Record<string, string> = opts.versions ? { 'X-Versions-Enabled': 'true' } : {}
    await request(this.containerUrl(container), { method: 'PUT', headers })
  }

  async deleteContainer(container: string): Promise<void> {
    await request(this.containerUrl(container), { method: 'DELETE', accept: [404] })
  }

  /** A zero-byte "folder/" marker, so that an empty folder shows in listings. */
  async createFolder(container: string, prefix: string): Promise<void> {
    await request(this.objectUrl(container, prefix), { method: 'PUT', body: '', headers: { 'Content-Type': 'application/directory' } })
  }

  async head(container: string, object: string): Promise<Response> {
    return request(this.objectUrl(container, object), { method: 'HEAD', accept: [404], cache: 'no-store' })
  }

  async deleteObject(container: string, object: string, slo: boolean): Promise<void> {
    const q = slo ? '?multipart-manifest=delete' : ''
    await request(this.objectUrl(container, object) + q, { method: 'DELETE', accept: [404] })
  }

  /**
   * Rename/move: a server-side COPY then a DELETE of the source. A Static Large Object is
   * moved as its manifest (the segments stay where they are and are still referenced).
   */
  async move(from: { container: string; object: string; slo: boolean }, to: { container: string; object: string }): Promise<void> {
    if (from.slo) {
      const manifest = await request(`${this.objectUrl(from.container, from.object)}?multipart-manifest=get&format=raw`)
      const body = await manifest.text()
      await request(`${this.objectUrl(to.container, to.object)}?multipart-manifest=put`, { method: 'PUT', body, headers: manifestHeaders(manifest) })
      await request(this.objectUrl(from.container, from.object), { method: 'DELETE', accept: [404] })
      return
    }
    await request(this.objectUrl(from.container, from.object), {
      method: 'COPY',
      headers: { Destination: `${encodeURIComponent(to.container)}/${encodePath(to.object)}` },
    })
    await request(this.objectUrl(from.container, from.object), { method: 'DELETE', accept: [404] })
  }

  /** The first `bytes` of an object as text (text/code preview). */
  async readText(container: string, object: string, bytes: number): Promise<{ text: string; truncated: boolean }> {
    const r = await request(this.objectUrl(container, object), { headers: { Range: `bytes=0-${bytes - 1}` }, accept: [416] })
    return readTextPrefix(r, bytes)
  }
}

/**
 * The headers a large object's manifest is written anew with (move, copy): its metadata, such
 * as the file's own X-Object-Meta-Mtime, and its type, from a `multipart-manifest=get` answer.
 */
export function manifestHeaders(manifest: Response): Record<string, string> {
  const kept: Record<string, string> = {}
  manifest.headers.forEach((value, name) => {
    if (/^x-object-meta-|^content-disposition$|^content-encoding$/i.test(name)) kept[name] = value
  })
  return { ...kept, 'Content-Type': manifest.headers.get('Content-Type') ?? 'application/octet-stream' }
}

export function objectEntry(container: string, row: ObjectRow): Extract<Entry, { type: 'object' }> {
  return {
    type: 'object',
    name: baseName(row.name),
    path: `${container}/${row.name}`,
    container,
    object: row.name,
    bytes: row.bytes,
    contentType: row.content_type,
    modified: ownDate(row.mtime) ?? row.last_modified,
    etag: row.slo_etag ?? row.hash,
    slo: row.slo_etag !== undefined,
  }
}

/**
 * The file's own date (X-Object-Meta-Mtime) in the listings' zone-less UTC form, so that it
 * shows and sorts beside Swift's last_modified; undefined when the object has none.
 */
export function ownDate(mtime: string | undefined): string | undefined {
  const ms = mtime === undefined ? NaN : Number(mtime) * 1000
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, -1) : undefined
}

export function baseName(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}
