/**
 * What the preview shows of a listed object, read through a Swift client (the files app's, or
 * a folder shared with me): inline URL, download URL, its text, its 1280 px still.
 */
import type { Entry, SwiftClient } from '../api/swift'
import { hasThumbnail } from '../ui/format'
import type { PreviewItem } from '../ui/preview'

export function previewItemOf(swift: SwiftClient, o: Extract<Entry, { type: 'object' }>): PreviewItem {
  return {
    name: o.name,
    contentType: o.contentType,
    bytes: o.bytes,
    url: swift.objectUrl(o.container, o.object),
    downloadUrl: swift.objectUrl(o.container, o.object),
    readText: (n: number) => swift.readText(o.container, o.object, n),
    stillUrl: hasThumbnail(o.name, o.contentType) ? swift.thumbnailUrl(o.container, o.object, 1280, o.etag) : undefined,
  }
}
