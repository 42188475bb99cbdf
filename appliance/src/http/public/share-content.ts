/**
 * What a share link shows: the object a path names within the link, the shared file's
 * facts (a HEAD through the Swift read path), and folder listings relative to the link's
 * prefix (`prefix`/`delimiter` navigation with `path`, paging with `marker`). Used by the
 * public JSON API and the /s/ endpoints alike.
 */
import type { IncomingMessage } from 'node:http'
import { VeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import type { OpenShare } from '../../sharing/shares.js'
import type { ObjectRow } from '../../store/types.js'
import type { SwiftServices } from '../../swift/index.js'
import { linkPlaces, swiftSubrequest } from './swift-subrequest.js'

export interface FileInfo {
  name: string
  size: number
  contentType: string
  etag: string
  lastModified: string
}

export type FolderEntry =
  | { type: 'folder'; name: string; path: string }
  | { type: 'file'; name: string; path: string; size: number; contentType: string; etag: string; lastModified: string }

export interface FolderPage {
  /** The folder shown, relative to the link ('' or ending in '/'). */
  path: string
  entries: FolderEntry[]
  /** Pass as `marker` for the next page; absent on the last page. */
  nextMarker?: string
}

const notFound = () => new VeloxError('not-found', 'no such file in this link')

/** The object that `path` (relative, decoded) names within a readable link. */
export function objectOf(share: OpenShare, path: string): string {
  const { rec } = share
  if (rec.kind === 'file') {
    if (path !== '') throw notFound()
    return rec.target.object as string
  }
  if (rec.kind !== 'folder' || path === '' || path.endsWith('/')) throw notFound()
  return `${rec.target.prefix ?? ''}${path}`
}

/** The last segment of an object name. */
export function baseName(object: string): string {
  return object.slice(object.lastIndexOf('/') + 1)
}

/** The shared file's facts, read with a HEAD through the Swift read path. */
export async function fileInfo(s: SwiftServices, share: OpenShare, raw: IncomingMessage, transId: string, scheme: string): Promise<FileInfo> {
  const object = objectOf(share, '')
  const { account, container } = share.rec.target
  const r = await swiftSubrequest(s, { method: 'HEAD', account, container, object, headers: {}, raw, transId, scheme, within: linkPlaces(share.rec.target) })
  if (r.status !== 200) throw notFound()
  return {
    name: baseName(object),
    size: Number(r.length ?? 0),
    contentType: String(r.headers['Content-Type'] ?? 'application/octet-stream'),
    etag: String(r.headers.Etag ?? ''),
    lastModified: new Date(String(r.headers['Last-Modified'])).toISOString(),
  }
}

/** One page of a folder link's listing at `path` (relative; '' is the link's root). */
export async function listFolder(s: SwiftServices, share: OpenShare, path: string, marker: string | undefined, limit: number): Promise<FolderPage> {
  const { target } = share.rec
  const base = target.prefix ?? ''
  const dir = path === '' || path.endsWith('/') ? path : `${path}/`
  const prefix = `${base}${dir}`
  const max = Math.min(Math.max(1, limit), s.constraints.container_listing_limit)
  const { entries } = await s.containers.list(target.account, target.container, {
    prefix,
    delimiter: '/',
    marker: marker ? `${base}${marker}` : undefined,
    limit: max,
  })
  const out: FolderEntry[] = entries.map((e) => {
    if ('subdir' in e) return { type: 'folder', name: e.subdir.slice(prefix.length).replace(/\/$/, ''), path: e.subdir.slice(base.length) }
    return { type: 'file', ...fileFacts(e, base), name: e.name.slice(prefix.length) }
  })
  const last = entries[entries.length - 1]
  const nextMarker = entries.length === max && last ? ('subdir' in last ? last.subdir : last.name).slice(base.length) : undefined
  return { path: dir, entries: out, nextMarker }
}

/** Every object under a folder link, in name order, a listing page at a time. */
export async function* walkFolder(s: SwiftServices, share: OpenShare): AsyncGenerator<{ object: string; path: string; size: number; contentType: string; lastModified: Date }> {
  const { target } = share.rec
  const base = target.prefix ?? ''
  const limit = s.constraints.container_listing_limit
  let marker: string | undefined
  for (;;) {
    const { entries } = await s.containers.list(target.account, target.container, { prefix: base, marker, limit })
    for (const e of entries) {
      if ('subdir' in e) continue
      yield { object: e.name, path: e.name.slice(base.length), size: e.size, contentType: e.contentType, lastModified: new Date(Timestamp.parse(e.timestamp).ms) }
    }
    if (entries.length < limit) return
    const last = entries[entries.length - 1]
    marker = 'subdir' in last ? last.subdir : last.name
  }
}

function fileFacts(row: ObjectRow, base: string): { path: string; size: number; contentType: string; etag: string; lastModified: string } {
  return {
    path: row.name.slice(base.length),
    size: row.size,
    contentType: row.contentType,
    etag: row.etag,
    // The file's own date (X-Object-Meta-Mtime) when the row keeps one, else when it was stored.
    lastModified: new Date(row.mtime !== undefined ? Number(row.mtime) * 1000 : Timestamp.parse(row.timestamp).ms).toISOString(),
  }
}
