/**
 * An object's listing row as its container update writes it: Swift's container-update
 * overrides let a feature list an object with another etag or size. Shared by the object
 * service and the listing checks (listing-updates.ts).
 */
import type { ObjectMetadata, ObjectRow } from '../store/types.js'

/** Swift's container-update override: a feature may list an object with another etag (symlinks add their target). */
export const OVERRIDE_ETAG_KEY = 'x-object-sysmeta-container-update-override-etag'

/** …and another size (an SLO manifest lists with the size of the assembled object). */
export const OVERRIDE_SIZE_KEY = 'x-object-sysmeta-container-update-override-size'

/** The user metadata swiftclient, rclone and the web app keep a file's own modification time in. */
export const MTIME_META = 'x-object-meta-mtime'

/** The file's own mtime from an object's headers, when it is a unix time in seconds. */
export function ownMtime(headers: Record<string, string | undefined>): string | undefined {
  const v = headers[MTIME_META]
  return v !== undefined && /^\d{1,12}(\.\d{1,9})?$/.test(v) ? v : undefined
}

export function rowOf(meta: ObjectMetadata): ObjectRow {
  const name = meta.name.split('/').slice(3).join('/')
  const etag = meta.headers[OVERRIDE_ETAG_KEY] ?? meta.etag
  const size = meta.headers[OVERRIDE_SIZE_KEY] !== undefined ? Number(meta.headers[OVERRIDE_SIZE_KEY]) : meta.size
  const row: ObjectRow = { name, timestamp: meta.timestamp, size, contentType: meta.headers['content-type'] ?? meta.contentType, etag, deleted: false }
  const mtime = ownMtime(meta.headers)
  if (mtime !== undefined) row.mtime = mtime
  return row
}
