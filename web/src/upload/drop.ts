/**
 * Files out of a drop or a picker, with their paths relative to the drop: whole folders
 * through `webkitGetAsEntry()` (read page by page: readEntries answers at most 100 entries
 * a call), folder pickers through `webkitRelativePath`.
 */

export interface PickedFile {
  file: File
  /** "holiday/img_001.jpg" for a file inside a dropped folder, else just its name. */
  relativePath: string
}

export async function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  // Entries must be taken synchronously, before the event handler returns.
  const entries: FileSystemEntry[] = []
  const loose: File[] = []
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue
    const entry = item.webkitGetAsEntry?.()
    if (entry) entries.push(entry)
    else {
      const f = item.getAsFile()
      if (f) loose.push(f)
    }
  }
  const out: PickedFile[] = loose.map((file) => ({ file, relativePath: file.name }))
  for (const e of entries) await walkEntry(e, '', out)
  return out
}

async function walkEntry(entry: FileSystemEntry, parent: string, out: PickedFile[]): Promise<void> {
  const path = parent + entry.name
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))
    out.push({ file, relativePath: path })
    return
  }
  if (!entry.isDirectory) return
  const reader = (entry as FileSystemDirectoryEntry).createReader()
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject))
    if (batch.length === 0) break
    for (const child of batch) await walkEntry(child, `${path}/`, out)
  }
}

export function filesFromInput(list: FileList | null): PickedFile[] {
  return Array.from(list ?? []).map((file) => ({ file, relativePath: file.webkitRelativePath || file.name }))
}
