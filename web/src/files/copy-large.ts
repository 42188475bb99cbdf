/**
 * Copy of a large (segmented, Static Large Object) file (issue 16): a copy of the manifest
 * alone would share the segments, and deleting either file (the app deletes with
 * multipart-manifest=delete) would break the other. So the copy gets its own segments:
 * each one copied server-side (COPY, no bytes through the browser) to
 * `<container>_segments/<name>/copy-<time>/<n>`, as the uploader names them, a few at a
 * time with progress; then a new manifest, carrying the file's metadata (its own date,
 * X-Object-Meta-Mtime) as a move does. A failure on the way leaves no manifest and deletes the
 * segments made so far.
 */
import { request } from '../api/http'
import { encodePath, manifestHeaders, SEGMENTS_SUFFIX, type SwiftClient } from '../api/swift'

const IN_FLIGHT = 4

/** One segment as `multipart-manifest=get&format=raw` gives it (the form a PUT takes). */
interface ManifestItem {
  path: string
  etag?: string | null
  size_bytes?: number | null
  range?: string
}

export interface ObjectRef {
  container: string
  object: string
}

/** "/photos_segments/a/b/000001" → its container and object name. */
function splitSegmentPath(path: string): ObjectRef {
  const p = path.replace(/^\/+/, '')
  const i = p.indexOf('/')
  if (i <= 0 || i === p.length - 1) throw new Error(`The large file names a segment “${path}” that is not container/object.`)
  return { container: p.slice(0, i), object: p.slice(i + 1) }
}

/**
 * Copies the large object `from` to `to`; `onSegment(done, total)` after each segment.
 * Resolves once the new manifest is stored.
 */
export async function copyLargeObject(swift: SwiftClient, from: ObjectRef, to: ObjectRef, onSegment?: (done: number, total: number) => void): Promise<void> {
  const got = await request(`${swift.objectUrl(from.container, from.object)}?multipart-manifest=get&format=raw`, { cache: 'no-store' })
  const kept = manifestHeaders(got)
  const items = (await got.json()) as ManifestItem[]
  const segContainer = to.container + SEGMENTS_SUFFIX
  await swift.createContainer(segContainer)
  const stem = `${to.object}/copy-${Date.now()}`
  const made = new Set<string>()
  const copied: ManifestItem[] = new Array(items.length)
  try {
    let next = 0
    let done = 0
    let failed = false
    const worker = async () => {
      while (next < items.length && !failed) {
        const n = next++
        const source = splitSegmentPath(items[n].path)
        const name = `${stem}/${String(n).padStart(6, '0')}`
        made.add(name)
        const r = await request(swift.objectUrl(source.container, source.object), {
          method: 'COPY',
          headers: { Destination: `${encodeURIComponent(segContainer)}/${encodePath(name)}` },
        })
        // The copy's own ETag (a segment that is itself a large object is copied whole).
        const etag = r.headers.get('Etag')?.replace(/"/g, '') || items[n].etag || null
        copied[n] = { path: `/${segContainer}/${name}`, etag, size_bytes: null, ...(items[n].range ? { range: items[n].range } : {}) }
        onSegment?.(++done, items.length)
      }
    }
    // Every worker is waited for (none still making a segment while they are deleted).
    const ran = await Promise.allSettled(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, () => worker().catch((err: unknown) => {
      failed = true
      throw err
    })))
    const failure = ran.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failure) throw failure.reason
    await request(`${swift.objectUrl(to.container, to.object)}?multipart-manifest=put`, { method: 'PUT', body: JSON.stringify(copied), headers: kept })
  } catch (err) {
    // No half copy: the segments made so far go (a missing one is fine).
    await Promise.all([...made].map((name) => request(swift.objectUrl(segContainer, name), { method: 'DELETE', accept: [404] }).catch(() => undefined)))
    throw err
  }
}
