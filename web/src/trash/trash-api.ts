/**
 * Trash and versions as the SPA reads them, all through the Swift API so that Swift clients
 * see the same history: a container keeps versions with X-Versions-Enabled (the app turns it
 * on for containers it makes); `?versions` listings give every version of every name; a
 * deleted file is a name whose latest version is a delete marker; `PUT ?version-id=` makes
 * the newest version current again (the Trash's restore); `COPY ?version-id=` copies an
 * earlier one onto its name (the versions dialog's); `DELETE ?version-id=` removes one.
 * How long the trash keeps files is the server's (/api/trash/settings).
 */
import { request, requestJson } from '../api/http'
import { encodePath, type SwiftClient } from '../api/swift'
import { markMoved, type Moved } from './moved'

const PAGE = 1000

export interface VersionRow {
  name: string
  version_id: string
  is_latest: boolean
  content_type: string
  bytes: number
  hash: string
  last_modified: string
}

export interface Version {
  id: string
  latest: boolean
  deleted: boolean
  bytes: number
  modified: string
  contentType: string
}

export interface TrashItem extends Moved {
  container: string
  object: string
  deletedAt: string
  /** The newest version before the delete, which a restore makes current again. */
  restoreId: string
  bytes: number
  /** Every version id of the name (the delete markers too), for "delete forever". */
  versionIds: string[]
}

export function isDeleteMarker(contentType: string): boolean {
  return contentType.startsWith('application/x-deleted')
}

/** Every `?versions` row of a container under `prefix`, page by page. */
export async function* versionRows(swift: SwiftClient, container: string, prefix = ''): AsyncGenerator<VersionRow> {
  let marker: { name: string; version: string } | null = null
  for (;;) {
    const q = new URLSearchParams({ versions: '', format: 'json', limit: String(PAGE) })
    if (prefix) q.set('prefix', prefix)
    if (marker) {
      q.set('marker', marker.name)
      q.set('version_marker', marker.version)
    }
    const r = await request(`${swift.containerUrl(container)}?${q}`, { headers: { Accept: 'application/json' }, accept: [204, 404], cache: 'no-store' })
    const rows = r.status === 200 ? ((await r.json()) as Array<VersionRow | { subdir: string }>) : []
    for (const row of rows) if ('name' in row) yield row
    const last = rows[rows.length - 1]
    if (rows.length < PAGE || !last || !('name' in last)) return
    marker = { name: last.name, version: last.version_id }
  }
}

/** The versions of one file, newest first. */
export async function listVersions(swift: SwiftClient, container: string, object: string): Promise<Version[]> {
  const out: Version[] = []
  for await (const row of versionRows(swift, container, object)) {
    if (row.name !== object) continue
    out.push({ id: row.version_id, latest: row.is_latest, deleted: isDeleteMarker(row.content_type), bytes: row.bytes, modified: row.last_modified, contentType: row.content_type })
  }
  return out
}

/** Whether a container keeps versions (undefined: it never did, so it has no trash). */
export async function versionsEnabled(swift: SwiftClient, container: string): Promise<boolean | undefined> {
  const r = await request(swift.containerUrl(container), { method: 'HEAD', accept: [404], cache: 'no-store' })
  const v = r.headers.get('X-Versions-Enabled')
  return v === null ? undefined : /^true$/i.test(v)
}

export async function enableVersions(swift: SwiftClient, container: string): Promise<void> {
  await request(swift.containerUrl(container), { method: 'POST', headers: { 'X-Versions-Enabled': 'true' } })
}

/** The deleted files of one container: names whose only latest versions are delete markers. */
export async function containerTrash(swift: SwiftClient, container: string): Promise<TrashItem[]> {
  const byName = new Map<string, VersionRow[]>()
  for await (const row of versionRows(swift, container)) {
    const list = byName.get(row.name) ?? []
    list.push(row)
    byName.set(row.name, list)
  }
  const out: TrashItem[] = []
  for (const [object, rows] of byName) {
    const latest = rows.filter((r) => r.is_latest)
    if (!latest.length || latest.some((r) => !isDeleteMarker(r.content_type))) continue
    const keep = rows.find((r) => !isDeleteMarker(r.content_type) && r.version_id !== 'null')
    if (!keep) continue
    out.push({ container, object, deletedAt: latest[0].last_modified, restoreId: keep.version_id, bytes: keep.bytes, versionIds: rows.filter((r) => r.version_id !== 'null').map((r) => r.version_id) })
  }
  return markMoved(out, byName)
}

export async function restoreVersion(swift: SwiftClient, container: string, object: string, versionId: string): Promise<void> {
  await request(`${swift.objectUrl(container, object)}?version-id=${encodeURIComponent(versionId)}`, { method: 'PUT', body: '' })
}

/**
 * An earlier version becomes the current one as a new version (a server-side COPY of it onto
 * its own name), as Drive and Nextcloud restore: the history keeps every step, and a later
 * delete then restores from the Trash what was current.
 */
export async function copyVersionToCurrent(swift: SwiftClient, container: string, object: string, versionId: string): Promise<void> {
  await request(`${swift.objectUrl(container, object)}?version-id=${encodeURIComponent(versionId)}`, {
    method: 'COPY',
    headers: { Destination: `${encodeURIComponent(container)}/${encodePath(object)}` },
  })
}

export async function deleteVersion(swift: SwiftClient, container: string, object: string, versionId: string): Promise<void> {
  await request(`${swift.objectUrl(container, object)}?version-id=${encodeURIComponent(versionId)}`, { method: 'DELETE', accept: [404] })
}

export function versionUrl(swift: SwiftClient, container: string, object: string, versionId: string): string {
  return `${swift.objectUrl(container, object)}?version-id=${encodeURIComponent(versionId)}`
}

/**
 * Before a versioned container can be deleted its versions must go (Swift answers 409
 * otherwise): every version of every name, delete markers included.
 */
export async function purgeVersions(swift: SwiftClient, container: string, onProgress?: () => void): Promise<void> {
  if ((await versionsEnabled(swift, container)) === undefined) return
  const rows: VersionRow[] = []
  for await (const row of versionRows(swift, container)) if (row.version_id !== 'null') rows.push(row)
  for (const row of rows) {
    await deleteVersion(swift, container, row.name, row.version_id)
    onProgress?.()
  }
}

export interface TrashSettings {
  days: number
}

export function trashSettings(): Promise<TrashSettings> {
  return requestJson<TrashSettings>('/api/trash/settings', { cache: 'no-store' })
}

export function setTrashDays(days: number): Promise<TrashSettings> {
  return requestJson<TrashSettings>('/api/admin/trash/settings', { method: 'PUT', json: { days } })
}

export function emptyDueNow(): Promise<{ purged: number }> {
  return requestJson<{ purged: number }>('/api/admin/trash/purge', { method: 'POST' })
}
