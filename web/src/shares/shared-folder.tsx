/**
 * A folder another Velox user shared with me, in the file browser's own list (issue 16):
 * breadcrumbs rooted at the shared folder, sort, preview, download; upload, new folder,
 * rename and delete only on a read+write grant. It reads and writes through
 * `/api/shared/<grant id>`, a Swift API the server keeps to the shared folder (and refuses
 * once the grant is revoked), so the same Swift client and actions as the files app apply.
 * Uploads are one PUT per file (no segments): a file over 5 GB is refused with a message.
 */
import { useCallback, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { request } from '../api/http'
import { SwiftClient, type Entry } from '../api/swift'
import { sharedPath, shareStorageUrl, type UserShare } from '../api/user-shares'
import { deleteEntries, moveEntry } from '../files/actions'
import { ListView, sortEntries, type Sort } from '../files/file-views'
import { useFolderTitle } from '../files/folder-keys'
import { previewItemOf } from '../files/preview-items'
import { useListing } from '../files/use-listing'
import { useVirtualRows } from '../files/virtual-rows'
import { ConfirmDialog, PromptDialog } from '../ui/dialog'
import { UploadIcon } from '../ui/icons'
import { Preview, type PreviewItem } from '../ui/preview'
import { linkProps, navigate } from '../ui/router'
import { mtimeHeader } from '../upload/uploader'
import './user-share.css'

type ObjectEntry = Extract<Entry, { type: 'object' }>
type Dialog = { type: 'rename'; entry: Entry } | { type: 'delete'; entries: Entry[] } | { type: 'new-folder' } | null

/** The largest file one PUT stores (Swift's max_file_size); larger ones need segments, not offered here. */
const MAX_SINGLE_UPLOAD = 5 * 1024 * 1024 * 1024

export function SharedFolder(props: { share: UserShare; path: string }) {
  const { share } = props
  const path = props.path && !props.path.endsWith('/') ? `${props.path}/` : props.path
  // (keyed by the grant's id: "Shared with me" reloads its list, and the folder must not reload with it)
  const storageUrl = shareStorageUrl(share)
  const swift = useMemo(() => new SwiftClient(storageUrl), [storageUrl])
  const container = share.container
  const prefix = `${share.prefix}${path}`
  const listing = useListing(swift, container, prefix)
  const [sort, setSort] = useState<Sort>({ key: 'name', desc: false })
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [preview, setPreview] = useState<number | null>(null)
  const [dialog, setDialog] = useState<Dialog>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const listRef = useRef<HTMLElement>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  useFolderTitle(container, prefix)

  const visible = useMemo(() => sortEntries(listing.entries, sort), [listing.entries, sort])
  const objects = useMemo(() => visible.filter((e): e is ObjectEntry => e.type === 'object'), [visible])
  const chosen = visible.filter((e) => selected.has(e.path))
  const rows = useVirtualRows(listRef, visible.length, 'list')
  const relative = useCallback((p: string) => p.slice(share.prefix.length), [share.prefix])
  const folderHref = useCallback((e: Entry) => (e.type === 'folder' ? sharedPath(share.id, relative(e.prefix)) : sharedPath(share.id)), [share.id, relative])

  const previewItems: PreviewItem[] = useMemo(
    () =>
      preview === null ? [] : objects.map((o) => previewItemOf(swift, o)),
    [objects, swift, preview],
  )

  const open = (e: Entry) => {
    if (e.type === 'folder') navigate(folderHref(e))
    else if (e.type === 'object') setPreview(objects.findIndex((o) => o.path === e.path))
  }
  const toggle = (e: Entry) => setSelected((old) => {
    const next = new Set(old)
    if (next.has(e.path)) next.delete(e.path)
    else next.add(e.path)
    return next
  })
  const onKey = (ev: KeyboardEvent<HTMLElement>, e: Entry, i: number) => {
    const move = (to: number) => rows.reveal(Math.max(0, Math.min(visible.length - 1, to)))
    if (ev.key === 'Enter') open(e)
    else if (ev.key === ' ') toggle(e)
    else if (ev.key === 'ArrowDown') move(i + 1)
    else if (ev.key === 'ArrowUp') move(i - 1)
    else if ((ev.key === 'Backspace' || (ev.key === 'ArrowUp' && ev.altKey)) && path) navigate(sharedPath(share.id, parentOf(path)))
    else if (ev.key === 'Delete' && share.write) setDialog({ type: 'delete', entries: chosen.length ? chosen : [e] })
    else return
    ev.preventDefault()
  }
  const afterChange = (gone: Entry[]) => {
    setSelected(new Set())
    listing.changed(gone.map((g) => g.path))
  }

  const upload = async (files: FileList | null) => {
    if (!files?.length) return
    setError(null)
    const existing = new Set(objects.map((o) => o.name))
    const skipped: string[] = []
    let done = 0
    try {
      for (const file of Array.from(files)) {
        if (file.size > MAX_SINGLE_UPLOAD) throw new Error(`${file.name} is larger than 5 GB: a shared folder takes files up to 5 GB (ask its owner to upload larger ones).`)
        // (someone else's folder: never replace a file silently)
        if (existing.has(file.name)) {
          skipped.push(file.name)
          continue
        }
        const r = await request(swift.objectUrl(container, prefix + file.name), { method: 'PUT', body: file, accept: [412], headers: { 'Content-Type': file.type || 'application/octet-stream', 'If-None-Match': '*', ...mtimeHeader(file) } })
        if (r.status === 412) skipped.push(file.name)
        else done++
      }
    } catch (err) {
      setError((err as Error).message)
    }
    setNotice([done ? `Uploaded ${done} file${done > 1 ? 's' : ''}.` : '', skipped.length ? `Skipped ${skipped.join(', ')}: a file of that name is already here (rename or delete it first).` : ''].filter(Boolean).join(' '))
    listing.changed([])
  }

  const crumbs = path.split('/').filter(Boolean)
  const rootName = share.prefix ? share.prefix.slice(0, -1).split('/').pop() : share.container
  return (
    <section className="page files-page shared-folder" data-shared-folder={share.id}>
      <div className="page-head files-head">
        <nav className="breadcrumbs" aria-label="Folder">
          <ol>
            <li><a {...linkProps('/shared')}>Shared with me</a></li>
            {[rootName, ...crumbs].map((label, i) => {
              const to = sharedPath(share.id, crumbs.slice(0, i).map((c) => `${c}/`).join(''))
              return <li key={to}>{i === crumbs.length ? <span aria-current="page">{label}</span> : <a {...linkProps(to)}>{label}</a>}</li>
            })}
          </ol>
        </nav>
        {share.write && (
          <div className="toolbar">
            <button className="btn" onClick={() => setDialog({ type: 'new-folder' })}>New folder</button>
            <button className="btn btn-primary" onClick={() => fileInput.current?.click()}><UploadIcon /> Upload files</button>
            <input ref={fileInput} type="file" multiple hidden name="shared-upload" onChange={(e) => { void upload(e.target.files); e.target.value = '' }} />
          </div>
        )}
      </div>
      <p className="muted small">Shared by {share.owner} · {share.write ? 'you can add, rename and delete files here' : 'read only'}</p>

      {chosen.length > 0 && (
        <div className="selection-bar" role="toolbar" aria-label="Selection">
          <strong>{chosen.length} selected</strong>
          {share.write && chosen.length === 1 && <button className="btn btn-ghost" onClick={() => setDialog({ type: 'rename', entry: chosen[0] })}>Rename</button>}
          {share.write && <button className="btn btn-danger-ghost" onClick={() => setDialog({ type: 'delete', entries: chosen })}>Delete</button>}
          <span className="spacer" />
          <button className="btn btn-ghost" onClick={() => setSelected(new Set())}>Clear</button>
        </div>
      )}
      {notice && <p className="notice" role="status">{notice} <button className="btn btn-ghost small" onClick={() => setNotice(null)}>Dismiss</button></p>}
      {(error ?? listing.error) && <p className="error" role="alert">{error ?? listing.error}</p>}
      {visible.length === 0 && !listing.loading && !listing.error && <div className="empty"><p>This folder is empty.{share.write ? ' Use “Upload files” to add some.' : ''}</p></div>}
      {visible.length > 0 && (
        <ListView swift={swift} entries={visible} rows={rows} listRef={listRef} selected={selected} onToggle={toggle} onOpen={open} onKey={onKey} folderHref={folderHref} sort={sort} onSort={(k) => setSort((s) => ({ key: k, desc: s.key === k ? !s.desc : k !== 'name' }))} />
      )}
      <div className="list-end">
        {listing.loading && <span className="muted">Loading…</span>}
        {listing.hasMore && !listing.loading && <button className="btn" onClick={listing.loadMore}>Load more</button>}
      </div>

      {preview !== null && previewItems[preview] && <Preview items={previewItems} index={preview} onIndex={setPreview} onClose={() => setPreview(null)} />}
      {dialog?.type === 'new-folder' && (
        <PromptDialog
          title="New folder"
          label="Name"
          initial=""
          confirm="Create"
          validate={(v) => (!v.trim() || v.includes('/') ? 'Give it a name without “/”.' : null)}
          onSubmit={async (v) => {
            await swift.createFolder(container, `${prefix}${v.trim()}/`)
            listing.changed([])
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.type === 'rename' && (
        <PromptDialog
          title={`Rename “${dialog.entry.name}”`}
          label="New name"
          initial={dialog.entry.name}
          confirm="Rename"
          validate={(v) => (!v.trim() || v.includes('/') ? 'Give it a name without “/”.' : v.trim() === dialog.entry.name ? 'That is its name already.' : null)}
          onSubmit={async (v) => {
            await moveEntry(swift, dialog.entry, `${container}/${prefix}${v.trim()}${dialog.entry.type === 'folder' ? '/' : ''}`, () => undefined)
            afterChange([dialog.entry])
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.type === 'delete' && (
        <ConfirmDialog
          title={`Delete ${dialog.entries.length === 1 ? `“${dialog.entries[0].name}”` : `${dialog.entries.length} items`}?`}
          message={<p>{dialog.entries.some((e) => e.type === 'folder') ? 'Folders are deleted with everything in them. ' : ''}This is {share.owner}’s folder: files go to their Trash when the container keeps versions.</p>}
          confirm="Delete"
          danger
          onConfirm={async () => {
            await deleteEntries(swift, dialog.entries, () => undefined)
            afterChange(dialog.entries)
          }}
          onClose={() => setDialog(null)}
        />
      )}
    </section>
  )
}

/** "a/b/" → "a/"; "a/" → "". */
function parentOf(path: string): string {
  return path.slice(0, path.slice(0, -1).lastIndexOf('/') + 1)
}
