/**
 * Rename and move in a container that keeps versions (issue 16): Swift renames by COPY to the
 * new name, then DELETE of the old one, so the old name gets a delete marker over its
 * history and would sit in the Trash like a deleted file. Its history does not follow (Swift
 * keeps versions per name). This tells such an entry apart without another request: the
 * same `?versions` listing holds a current object with the same content (hash) written just
 * before the delete marker — that is where the file went.
 */
import type { VersionRow } from './trash-api'

/** How long a server-side COPY of one object may take before its DELETE. */
const MOVE_WINDOW_MS = 10 * 60 * 1000

export interface Moved {
  /** The name the file was moved or renamed to (in the same container). */
  movedTo?: string
}

export function markMoved<T extends { object: string; deletedAt: string; restoreId: string }>(items: T[], byName: Map<string, VersionRow[]>): Array<T & Moved> {
  const current = new Map<string, VersionRow[]>()
  for (const rows of byName.values()) {
    for (const r of rows) {
      if (!r.is_latest || r.content_type.startsWith('application/x-deleted')) continue
      const list = current.get(r.hash) ?? []
      list.push(r)
      current.set(r.hash, list)
    }
  }
  return items.map((t) => {
    const kept = byName.get(t.object)?.find((r) => r.version_id === t.restoreId)
    const deleted = Date.parse(t.deletedAt)
    const target = kept && current.get(kept.hash)?.find((r) => {
      const written = Date.parse(r.last_modified)
      return r.name !== t.object && r.bytes === kept.bytes && written <= deleted + 1000 && deleted - written <= MOVE_WINDOW_MS
    })
    return target ? { ...t, movedTo: target.name } : t
  })
}

/** What the rename/move dialog says in a container that keeps versions. */
export const VERSIONED_MOVE_HINT =
  'This container keeps versions: the file’s earlier versions stay under its old name (Swift keeps history per name); the Trash lists them as “moved”, not deleted, and “Delete forever” there removes them.'
