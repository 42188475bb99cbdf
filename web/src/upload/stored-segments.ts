/**
 * Which segments of a large upload are already on the server, asked once per file: one
 * listing of `<container>_segments` under the file's segment prefix (page by page, 1,000
 * names each), instead of a HEAD per segment — 640 HEADs for a 10 GB file, each one a red
 * 404 in the browser's console before the first upload. A segment counts as stored when its
 * name is a segment number and its size is the size that segment must have.
 */
import type { SwiftClient } from '../api/swift'

/** Segment number → ETag of the stored segments whose size is right (`sizeOf(n)`). */
export async function storedSegments(swift: SwiftClient, segContainer: string, stem: string, sizeOf: (n: number) => number): Promise<Map<number, string>> {
  const found = new Map<number, string>()
  const prefix = `${stem}/`
  let marker: string | null = null
  do {
    const page: Awaited<ReturnType<SwiftClient['listFolder']>> = await swift.listFolder(segContainer, prefix, marker, 1000, '')
    for (const e of page.entries) {
      if (e.type !== 'object') continue
      const rest = e.object.slice(prefix.length)
      if (!/^\d{6,}$/.test(rest)) continue
      const n = Number(rest)
      if (e.bytes === sizeOf(n) && e.etag) found.set(n, e.etag)
    }
    marker = page.next
  } while (marker)
  return found
}
