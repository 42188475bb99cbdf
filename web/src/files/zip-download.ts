/**
 * "Download as zip" in the file browser: the selected files and folders of the folder on
 * screen as one zip, streamed by the server (GET /api/zip, http/api/zip-download.ts) while it
 * reads them, so the browser's own download shows its progress and nothing is assembled in
 * the page. Folders go in whole, with paths relative to the folder shown.
 */
import type { Entry } from '../api/swift'

/** The server's cap on names in one zip (ZIP_MAX_NAMES). */
const MAX_NAMES = 500

/** The zip's URL for `entries` of `container`/`prefix`, or null when they cannot go in one (a container, too many). */
export function zipUrl(container: string, prefix: string, entries: Entry[]): string | null {
  if (!container || entries.length === 0 || entries.length > MAX_NAMES) return null
  const q = new URLSearchParams({ container })
  if (prefix) q.set('prefix', prefix)
  for (const e of entries) {
    if (e.type === 'container') return null
    q.append('name', (e.type === 'folder' ? e.prefix : e.object).slice(prefix.length))
  }
  return `/api/zip?${q}`
}

/** Whether a zip is worth offering: a folder, or more than one file. */
export function offersZip(entries: Entry[]): boolean {
  return entries.some((e) => e.type === 'folder') || entries.filter((e) => e.type === 'object').length > 1
}

export function downloadZip(url: string): void {
  const a = document.createElement('a')
  a.href = url
  a.download = ''
  document.body.appendChild(a)
  a.click()
  a.remove()
}
