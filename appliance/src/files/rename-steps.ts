/**
 * The two Swift steps of a container rename (container-rename.ts owns the job around
 * them): moving one object with its copy checked before the original goes, and removing
 * the old container's history (versions, delete markers) so that Swift lets it be deleted.
 */
import { VeloxError } from '../errors.js'
import { bareEtag, encodeName, type ListedObject, type LoopbackSwift } from './loopback-swift.js'

const PAGE = 500
const PURGE_CONCURRENCY = 4

/**
 * Moves `row` from container `from` to `to` under the same name. A large object moves as its
 * manifest (`multipart-manifest=get` then `put`): its segments stay where they are and stay
 * valid. An object already at the target with the same ETag counts as moved (a copy made
 * before a restart); one with another ETag is never overwritten. True when the object is at
 * the target now, false when it was gone from both (deleted meanwhile).
 */
export async function moveObject(swift: LoopbackSwift, from: string, to: string, row: ListedObject): Promise<boolean> {
  const src = `${encodeURIComponent(from)}/${encodeName(row.name)}`
  const dst = `${encodeURIComponent(to)}/${encodeName(row.name)}`
  let ours: string | undefined // (the ETag of the copy this call made: that one it may replace)
  for (let attempt = 0; attempt < 3; attempt++) {
    const source = await swift.head(src)
    if (!source) return (await swift.head(dst)) !== undefined // (moved before a restart, or deleted meanwhile)
    const there = await swift.head(dst)
    if (there && bareEtag(there) !== bareEtag(source) && bareEtag(there) !== ours) {
      throw new VeloxError('conflict', `“${to}” already holds a different “${row.name}”; it was left in “${from}”, not overwritten`)
    }
    if (!there || bareEtag(there) !== bareEtag(source)) {
      if (row.slo_etag !== undefined || /^true$/i.test(source.get('x-static-large-object') ?? '')) await copyManifest(swift, src, dst)
      else await swift.call('COPY', src, { headers: { Destination: dst } })
      const copied = await swift.head(dst)
      if (!copied || bareEtag(copied) !== bareEtag(source)) {
        throw new VeloxError('etag-mismatch', `the copy of “${row.name}” does not match the original (ETag); the original was kept`)
      }
      ours = bareEtag(copied)
    }
    // Written again while it was copied: copy the new content rather than delete it.
    const now = await swift.head(src)
    if (!now) return true
    if (bareEtag(now) === bareEtag(source)) {
      await swift.call('DELETE', src, { accept: [404] }) // (a manifest alone: never ?multipart-manifest=delete)
      return true
    }
  }
  throw new VeloxError('conflict', `“${row.name}” keeps changing in “${from}”; stop writing to it, then continue`)
}

async function copyManifest(swift: LoopbackSwift, src: string, dst: string): Promise<void> {
  const r = await swift.call('GET', src, { query: { 'multipart-manifest': 'get', format: 'raw' } })
  const body = await r.text()
  const headers: Record<string, string> = { 'Content-Type': r.headers.get('content-type') ?? 'application/octet-stream' }
  r.headers.forEach((v, k) => {
    if (/^x-object-meta-|^content-disposition$|^content-encoding$/i.test(k)) headers[k] = v
  })
  await swift.call('PUT', dst, { query: { 'multipart-manifest': 'put' }, headers, body })
}

/**
 * Deletes every version and delete marker a versioned container keeps (Swift refuses to
 * delete a container whose history is not empty). Only called once every object was moved.
 */
export async function purgeHistory(swift: LoopbackSwift, container: string): Promise<void> {
  const c = encodeURIComponent(container)
  const info = await swift.head(c)
  if (!info || info.get('x-versions-enabled') === null) return
  let marker: { name: string; version: string } | undefined
  for (;;) {
    const query: Record<string, string> = { versions: '', format: 'json', limit: String(PAGE) }
    if (marker) Object.assign(query, { marker: marker.name, version_marker: marker.version })
    const r = await swift.call('GET', c, { query, accept: [404] })
    const rows = r.status === 200 ? ((await r.json()) as Array<{ name?: string; version_id?: string }>) : []
    const gone = rows.filter((row): row is { name: string; version_id: string } => row.name !== undefined && !!row.version_id && row.version_id !== 'null')
    let next = 0
    const worker = async () => {
      while (next < gone.length) {
        const row = gone[next++]
        await swift.call('DELETE', `${c}/${encodeName(row.name)}`, { query: { 'version-id': row.version_id }, accept: [404] })
      }
    }
    await Promise.all(Array.from({ length: PURGE_CONCURRENCY }, worker))
    const last = rows[rows.length - 1]
    if (rows.length < PAGE || last?.name === undefined || !last.version_id) return
    marker = { name: last.name, version: last.version_id }
  }
}
