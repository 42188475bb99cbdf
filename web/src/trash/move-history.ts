/**
 * Rename a file with its history (issue 16), when the person asks for it in the rename
 * dialog of a container that keeps versions. Swift keeps versions per name, so the history
 * is copied: each earlier version, oldest first, is copied server-side onto the new name
 * (each copy becomes a version there, dated now; the file's own X-Object-Meta-Mtime goes
 * along), then the ordinary move; then every version of the old name and its delete marker
 * are removed, so that nothing of it waits in the Trash. Only within one container (another
 * one may keep no versions) and not for large objects (a copy of an SLO version would be
 * its whole content): those move as usual.
 */
import { request } from '../api/http'
import { encodePath, type SwiftClient } from '../api/swift'
import { deleteVersion, listVersions, versionUrl } from './trash-api'

export async function moveWithHistory(swift: SwiftClient, from: { container: string; object: string; slo: boolean }, to: { container: string; object: string }): Promise<void> {
  if (from.slo || from.container !== to.container) return swift.move(from, to)
  const older = (await listVersions(swift, from.container, from.object)).filter((v) => !v.latest && !v.deleted && v.id !== 'null').reverse()
  for (const v of older) {
    await request(versionUrl(swift, from.container, from.object, v.id), {
      method: 'COPY',
      headers: { Destination: `${encodeURIComponent(to.container)}/${encodePath(to.object)}` },
    })
  }
  await swift.move(from, to)
  for (const v of await listVersions(swift, from.container, from.object)) {
    if (v.id !== 'null') await deleteVersion(swift, from.container, from.object, v.id)
  }
}
