/**
 * A folder link's preview limit on its share page (issue 16): the server refuses inline
 * previews past the link's `maxPreviews` (404, "this link's preview limit was reached"), which
 * showed as a broken picture or an empty viewer. The page keeps count of what is left — the
 * server says it with every folder page it lists (`previewsLeft`), and the page takes one off
 * for each preview that reads the file itself — and once none is left it shows this notice,
 * with the download (limited apart), instead of a preview that cannot load.
 */
import { useState } from 'react'
import { fileKind, formatBytes } from '../ui/format'
import { Dialog } from '../ui/dialog'
import type { PreviewItem } from '../ui/preview'

/**
 * Whether opening `item` in the preview reads the file itself (a counted preview), rather than
 * only its thumbnail (pictures with one; a picture zoomed in reads the file, not counted here).
 */
export function readsFile(item: PreviewItem): boolean {
  const kind = fileKind(item.name, item.contentType)
  if (kind === 'video' || kind === 'audio' || kind === 'text') return true
  if (kind === 'image') return !item.stillUrl
  return kind === 'pdf' && navigator.pdfViewerEnabled !== false
}

/** What is left of a link's previews: undefined for a link without a limit. */
export function usePreviewsLeft(initial: number | undefined) {
  const [left, setLeft] = useState(initial)
  return {
    left,
    /** The server's figure, with each folder page. */
    update: (n: number | undefined) => setLeft(n),
    /** May `item` be previewed? Takes one off when it reads the file. */
    take: (item: PreviewItem): boolean => {
      if (left === undefined || !readsFile(item)) return true
      if (left <= 0) return false
      setLeft(left - 1)
      return true
    },
  }
}

export function PreviewLimitNotice(props: { item: PreviewItem; onClose: () => void }) {
  const { item } = props
  return (
    <Dialog title={item.name} onClose={props.onClose} className="preview-limit">
      <p data-testid="preview-limit">This link's preview limit was reached: download the file to view it.</p>
      <div className="dialog-actions">
        <button className="btn" type="button" onClick={props.onClose}>Close</button>
        <a className="btn btn-primary" href={item.downloadUrl} download={item.name}>Download ({formatBytes(item.bytes)})</a>
      </div>
    </Dialog>
  )
}
