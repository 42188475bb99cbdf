/**
 * Container listings of a versioned container, as Swift's object_versioning writes them
 * (ContainerContext.handle_request and _list_versions): link records that point into the
 * versions container show the version's bytes and etag (`version_symlink`), and a `?versions`
 * listing merges the container's null versions with every version in the versions container,
 * marking `is_latest` and `version_id`. Pure functions over JSON listing records.
 */
import { Timestamp } from '../lib/timestamp.js'
import { DELETE_MARKER, RESERVED, splitVersionName } from './object-versioning.js'
import { pyQuote, pyUnquote } from './symlinks.js'

export type ListingRecord = Record<string, unknown>

interface Where {
  version: string
  account: string
  container: string
  versions: string
}

/** "/v1/<account>/<container>/<object>" of a record's symlink_path, unquoted; undefined if not that shape. */
function linkPath(record: ListingRecord): { path: string; container: string; object: string } | undefined {
  if (typeof record.symlink_path !== 'string') return undefined
  const path = pyUnquote(record.symlink_path)
  const parts = path.split('/')
  if (parts.length < 5 || parts[0] !== '') return undefined
  return { path, container: parts[3], object: parts.slice(4).join('/') }
}

/**
 * handle_request: a record linking into the versions container (a versioned name) takes the
 * version's bytes and etag; outside a `?versions` listing its symlink_path names the version
 * as a client would ask for it.
 */
export function rewriteLinkRecords(records: ListingRecord[], where: Where, forVersions: boolean): void {
  for (const item of records) {
    if (!('symlink_path' in item && 'symlink_etag' in item && 'symlink_bytes' in item)) continue
    const link = linkPath(item)
    if (!link || link.container !== where.versions) continue
    const hash = String(item.hash ?? '')
    const params = hash.includes(';') ? hash.slice(hash.indexOf(';')) : ''
    item.bytes = Number(item.symlink_bytes)
    delete item.symlink_bytes
    item.version_symlink = true
    item.hash = String(item.symlink_etag) + params
    delete item.symlink_etag
    const split = splitVersionName(link.object)
    if (split && !forVersions) {
      item.symlink_path = `${pyQuote(`/${where.version}/${where.account}/${where.container}/${split.object}`)}?version-id=${split.version.internal}`
    }
  }
}

/**
 * _list_versions: the container's own records (null versions, links to versions, subdirs)
 * merged with the versions container's records (undefined when it is gone), sorted by name,
 * reversed and cut to `limit` as the request asked.
 */
export function mergeVersionListing(primary: ListingRecord[], versionRecords: ListingRecord[] | undefined, where: Where, opts: { reverse: boolean; limit: number }): ListingRecord[] {
  const nulls: ListingRecord[] = []
  const subdirs = new Set<string>()
  const current = new Map<string, ListingRecord>()
  const latest = new Set<string>()
  for (const item of primary) {
    if (!('name' in item)) subdirs.add(String(item.subdir))
    else if (item.version_symlink) current.set(linkPath(item)?.path ?? '', item)
    else {
      nulls.push({ ...item, version_id: 'null', is_latest: true })
      latest.add(String(item.name))
    }
  }
  const versions: ListingRecord[] = []
  for (const item of versionRecords ?? []) {
    if (!('name' in item)) {
      const sub = String(item.subdir)
      subdirs.add(sub.startsWith(RESERVED) ? sub.slice(1).split(RESERVED)[0] : sub)
      continue
    }
    const split = splitVersionName(String(item.name))
    if (!split) continue
    const path = `/${where.version}/${where.account}/${where.versions}/${String(item.name)}`
    if (current.has(path)) {
      item.is_latest = true
      latest.add(split.object)
      current.delete(path)
    } else if (item.content_type === DELETE_MARKER && !latest.has(split.object)) {
      item.is_latest = true
      latest.add(split.object)
    } else item.is_latest = false
    item.name = split.object
    item.version_id = split.version.internal
    versions.push(item)
  }
  // Links whose version the listing did not reach (or that is gone): still the latest.
  const broken: ListingRecord[] = []
  for (const item of current.values()) {
    const split = splitVersionName(linkPath(item)?.object ?? '')
    if (!split) continue
    const isLatest = versionRecords !== undefined || !latest.has(split.object)
    latest.add(split.object)
    broken.push({ name: split.object, is_latest: isLatest, version_id: split.version.internal, content_type: item.content_type, bytes: item.bytes, hash: item.hash, last_modified: item.last_modified })
  }
  const key = (r: ListingRecord) => String('subdir' in r ? r.subdir : r.name)
  const all = [...nulls, ...versions, ...[...subdirs].map((subdir) => ({ subdir })), ...broken]
  const sorted = all.map((r, i) => ({ r, i })).sort((a, b) => (key(a.r) < key(b.r) ? -1 : key(a.r) > key(b.r) ? 1 : a.i - b.i))
  const ordered = sorted.map((x) => x.r)
  if (opts.reverse) ordered.reverse()
  return ordered.slice(0, opts.limit)
}

/**
 * The versions container listing parameters for a `?versions` listing: the prefix and marker
 * moved into the reserved namespace (version_marker picks the version after which to go on).
 */
export function versionsListingParams(q: URLSearchParams): { prefix?: string; marker?: string } {
  const out: { prefix?: string; marker?: string } = {}
  if (q.has('prefix')) out.prefix = RESERVED + (q.get('prefix') ?? '')
  const marker = q.get('marker')
  const versionMarker = q.get('version_marker')
  if (marker !== null && versionMarker === 'null') out.marker = marker
  else if (marker !== null && versionMarker !== null) {
    const ts = Timestamp.parse(versionMarker)
    out.marker = `${RESERVED}${marker}${RESERVED}${new Timestamp(999_999_999_999_999 - ts.ticks).internal}`
  } else if (marker !== null) out.marker = `${RESERVED}${marker}${RESERVED}:`
  return out
}
