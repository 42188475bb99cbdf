/**
 * The file browser: containers as top-level folders, folders as prefixes, list or grid,
 * sort and filter (over the pages loaded so far), multi-select with a bar of actions,
 * uploads by drop or picker into the folder on screen, preview, share; its dialogs are in
 * file-dialogs.tsx.
 *
 * Folders: "New folder" writes a zero-byte `name/` marker object (type application/directory)
 * so that an empty folder survives a reload; folders that only exist as a prefix of other
 * objects show the same way. At the top level "New folder" makes a container.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react'
import type { Entry, SwiftClient } from '../api/swift'
import { filesFromDrop, filesFromInput, type PickedFile } from '../upload/drop'
import { UploadPanel } from '../upload/upload-panel'
import type { Uploader } from '../upload/uploader'
import { Preview, type PreviewItem } from '../ui/preview'
import { GridIcon, ListIcon, UploadIcon } from '../ui/icons'
import { filesPath, navigate } from '../ui/router'
import { moveInto, saveText } from './actions'
import { OpenRenames } from './container-rename'
import { Breadcrumbs, GridView, ListView, sortEntries, type Sort, type SortKey } from './file-views'
import { useListing } from './use-listing'
import { useVirtualRows } from './virtual-rows'
import { downloadZip, offersZip, zipUrl } from './zip-download'
import { useUploadConflicts } from '../upload/conflicts'
import { goUp, isUpKey, openFromKeyboard, useFolderFocus, useFolderTitle } from './folder-keys'
import { useDragMove } from './drag-move'
import { ContextMenu, type MenuAction } from './context-menu'
import { StorageUsage } from '../quota/storage-usage'
import { previewItemOf } from './preview-items'
import { FileDialogs, type DialogState } from './file-dialogs'

type ObjectEntry = Extract<Entry, { type: 'object' }>


export function FilesPage(props: { swift: SwiftClient; uploader: Uploader; container: string; prefix: string }) {
  const { swift, uploader, container, prefix } = props
  const listing = useListing(swift, container, prefix)
  const [view, setView] = useState<'list' | 'grid'>(() => (localStorage.getItem('velox.view') === 'grid' ? 'grid' : 'list'))
  const [sort, setSort] = useState<Sort>({ key: 'name', desc: false })
  const [filter, setFilter] = useState('')
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [dialog, setDialog] = useState<DialogState>(null)
  const [preview, setPreview] = useState<number | null>(null)
  const [dragging, setDragging] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const [menu, setMenu] = useState<{ x: number; y: number; entry: Entry } | null>(null)
  const lastToggled = useRef<string | null>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const folderInput = useRef<HTMLInputElement>(null)
  const sentinel = useRef<HTMLDivElement>(null)
  const listRef = useRef<HTMLElement>(null)

  useEffect(() => {
    setSelected(new Set())
    setFilter('')
    setPreview(null)
  }, [container, prefix])

  useEffect(() => localStorage.setItem('velox.view', view), [view])

  // A finished upload into this folder (or below it) refreshes the listing, at most twice a second.
  const { reload } = listing
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const off = uploader.onCompleted((item) => {
      if (item.container !== container || !item.object.startsWith(prefix)) return
      if (!timer) timer = setTimeout(() => { timer = undefined; reload() }, 500)
    })
    return () => {
      off()
      if (timer) clearTimeout(timer)
    }
  }, [uploader, container, prefix, reload])

  // The next page loads when the end of the list scrolls into view.
  const { hasMore, loading, loadMore } = listing
  useEffect(() => {
    const el = sentinel.current
    if (!el || !hasMore) return
    const io = new IntersectionObserver((es) => {
      if (es.some((e) => e.isIntersecting) && !loading) loadMore()
    }, { rootMargin: '400px' })
    io.observe(el)
    return () => io.disconnect()
  }, [hasMore, loading, loadMore])

  const visible = useMemo(() => {
    const f = filter.trim().toLowerCase()
    const shown = f ? listing.entries.filter((e) => e.name.toLowerCase().includes(f)) : listing.entries
    return sortEntries(shown, sort)
  }, [listing.entries, filter, sort])

  const objects = useMemo(() => visible.filter((e): e is ObjectEntry => e.type === 'object'), [visible])
  const selectedEntries = useMemo(() => visible.filter((e) => selected.has(e.path)), [visible, selected])

  const rows = useVirtualRows(listRef, visible.length, view)
  useFolderFocus(container, prefix, visible, listing.loading, rows.reveal)
  useFolderTitle(container, prefix)

  // (built only while a preview is open: a folder may hold 100,000 entries)
  const previewing = preview !== null
  const previewItems: PreviewItem[] = useMemo(
    () =>
      !previewing ? [] : objects.map((o) => ({
        ...previewItemOf(swift, o),
        save: async (text: string) => {
          await saveText(swift, o, text)
          reload()
        },
      })),
    [objects, swift, previewing, reload],
  )

  const open = useCallback(
    (e: Entry) => {
      if (e.type === 'container') navigate(filesPath(e.name))
      else if (e.type === 'folder') navigate(filesPath(e.container, e.prefix))
      else setPreview(objects.findIndex((o) => o.path === e.path))
    },
    [objects],
  )

  /** Closes the preview and puts the focus back on the row of the file last shown (keyboard users go on from there). */
  const closePreview = () => {
    const shown = preview !== null ? objects[preview] : undefined
    setPreview(null)
    const at = shown ? visible.findIndex((v) => v.path === shown.path) : -1
    if (at >= 0) requestAnimationFrame(() => rows.reveal(at))
  }

  const toggle = (e: Entry, range: boolean) => {
    setSelected((old) => {
      const next = new Set(old)
      const anchor = lastToggled.current ? visible.findIndex((v) => v.path === lastToggled.current) : -1
      const at = visible.findIndex((v) => v.path === e.path)
      if (range && anchor >= 0 && at >= 0) {
        const [a, b] = anchor < at ? [anchor, at] : [at, anchor]
        for (const v of visible.slice(a, b + 1)) next.add(v.path)
      } else if (next.has(e.path)) next.delete(e.path)
      else next.add(e.path)
      lastToggled.current = e.path
      return next
    })
  }

  const onRowKey = (ev: KeyboardEvent<HTMLElement>, e: Entry, i: number) => {
    const perRow = rows.perRow
    const move = (to: number) => rows.reveal(Math.max(0, Math.min(visible.length - 1, to)))
    if (ev.key === 'ContextMenu' || (ev.key === 'F10' && ev.shiftKey)) {
      const r = ev.currentTarget.getBoundingClientRect()
      ev.preventDefault()
      return setMenu({ x: r.left + 24, y: r.top + r.height / 2, entry: e })
    }
    if (isUpKey(ev)) {
      if (goUp(container, prefix)) ev.preventDefault()
      return
    }
    switch (ev.key) {
      case 'Enter': openFromKeyboard(e); open(e); break
      case ' ': toggle(e, ev.shiftKey); break
      case 'ArrowDown': move(i + perRow); break
      case 'ArrowUp': move(i - perRow); break
      case 'ArrowRight': if (view === 'grid') move(i + 1); else return; break
      case 'ArrowLeft': if (view === 'grid') move(i - 1); else return; break
      case 'PageDown': move(i + perRow * rows.rowsPerScreen); break
      case 'PageUp': move(i - perRow * rows.rowsPerScreen); break
      case 'Home': move(0); break
      case 'End': move(visible.length - 1); break
      case 'Delete': setDialog({ type: 'delete', entries: selectedEntries.length ? selectedEntries : [e] }); break
      case 'Escape': setSelected(new Set()); break
      case 'a': if (ev.ctrlKey || ev.metaKey) setSelected(new Set(visible.map((v) => v.path))); else return; break
      default: return
    }
    ev.preventDefault()
  }

  const conflicts = useUploadConflicts(swift)
  const startUpload = (files: PickedFile[]) => {
    if (!files.length) return
    if (!container) {
      setNotice('Open a container (or make one with “New folder”) to upload into it.')
      return
    }
    const batch = files.map((f) => ({ file: f.file, container, object: prefix + f.relativePath }))
    const mine = uploader.items().filter((i) => i.container === container && (i.status === 'done' || i.status === 'queued' || i.status === 'uploading')).map((i) => i.object)
    void conflicts.resolve(batch, prefix, listing.entries, !listing.hasMore, mine).then((list) => list.length > 0 && uploader.add(list), (err: Error) => setNotice(err.message))
  }

  const onDrop = async (ev: DragEvent) => {
    ev.preventDefault()
    setDragging(false)
    startUpload(await filesFromDrop(ev.dataTransfer))
  }

  const download = (entries: Entry[]) => {
    for (const e of entries) {
      if (e.type !== 'object') continue
      const a = document.createElement('a')
      a.href = swift.objectUrl(e.container, e.object)
      a.download = e.name
      document.body.appendChild(a)
      a.click()
      a.remove()
    }
  }

  const progress = (verb: string) => (n: number) => setNotice(`${verb} ${n} object${n === 1 ? '' : 's'}…`)
  const afterChange = (gone: Entry[] = []) => {
    setSelected(new Set())
    setNotice(null)
    listing.changed(gone.map((e) => e.path))
  }

  const here = container ? `${container}/${prefix}` : ''
  const menuActions = (e: Entry): MenuAction[] => [
    { label: 'Open', run: () => open(e) },
    ...(e.type === 'object' ? [{ label: 'Download', run: () => download([e]) }] : []),
    { label: 'Rename', run: () => setDialog({ type: 'rename', entry: e }) },
    ...(container ? [{ label: 'Move to…', run: () => setDialog({ type: 'move', entries: [e] }) }, { label: 'Copy to…', run: () => setDialog({ type: 'copy', entries: [e] }) }] : []),
    { label: 'Share', run: () => setDialog({ type: 'share', entry: e }) },
    { label: 'Details', run: () => setDialog({ type: 'details', entry: e }) },
    { label: 'Delete', run: () => setDialog({ type: 'delete', entries: [e] }), danger: true },
  ]
  const dnd = useDragMove({
    selected,
    entries: visible,
    canMove: !!container,
    onMove: (entries, target) => {
      moveInto(swift, entries, target, progress('Moved')).then(() => afterChange(entries), (err: Error) => setNotice(`Not moved: ${err.message}`))
    },
  })
  const one = selectedEntries.length === 1 ? selectedEntries[0] : null

  return (
    <section
      className={`page files ${dragging ? 'dragging' : ''}`}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return
        e.preventDefault()
        setDragging(true)
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target || !e.currentTarget.contains(e.relatedTarget as Node)) setDragging(false)
      }}
      onDrop={onDrop}
      onContextMenu={(ev) => {
        const path = (ev.target as HTMLElement).closest('[data-row]')?.getAttribute('data-row')
        const entry = path ? visible.find((v) => v.path === path) : undefined
        if (!entry) return
        ev.preventDefault()
        setMenu({ x: ev.clientX, y: ev.clientY, entry })
      }}
    >
      <div className="page-head files-head">
        <Breadcrumbs container={container} prefix={prefix} dnd={dnd} />
        <div className="toolbar">
          <button className="btn" onClick={() => setDialog({ type: 'new-folder' })}>New folder</button>
          <button className="btn btn-primary" onClick={() => fileInput.current?.click()} disabled={!container} title={container ? '' : 'Open a container first'}>
            <UploadIcon /> Upload files
          </button>
          <button className="btn" onClick={() => folderInput.current?.click()} disabled={!container}>Upload folder</button>
          <input ref={fileInput} type="file" multiple hidden data-testid="file-input" onChange={(e) => { startUpload(filesFromInput(e.target.files)); e.target.value = '' }} />
          <input ref={(el) => { folderInput.current = el; el?.setAttribute('webkitdirectory', '') }} type="file" multiple hidden data-testid="folder-input" onChange={(e) => { startUpload(filesFromInput(e.target.files)); e.target.value = '' }} />
        </div>
      </div>

      <StorageUsage swift={swift} container={container} version={listing.entries} />

      <div className="filterbar">
        <input className="filter" type="search" placeholder="Filter by name" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter by name" />
        <select className="sort-select" aria-label="Sort by" value={`${sort.key}-${sort.desc ? 'desc' : 'asc'}`} onChange={(e) => { const [key, d] = e.target.value.split('-'); setSort({ key: key as SortKey, desc: d === 'desc' }) }}>
        <option value="name-asc">Name A–Z</option>
        <option value="name-desc">Name Z–A</option>
        <option value="size-desc">Largest first</option>
        <option value="size-asc">Smallest first</option>
        <option value="date-desc">Newest first</option>
        <option value="date-asc">Oldest first</option>
        </select>
        <div className="view-toggle" role="group" aria-label="View">
          <button className={`btn btn-ghost ${view === 'list' ? 'active' : ''}`} onClick={() => setView('list')} aria-pressed={view === 'list'} aria-label="List view"><ListIcon /></button>
          <button className={`btn btn-ghost ${view === 'grid' ? 'active' : ''}`} onClick={() => setView('grid')} aria-pressed={view === 'grid'} aria-label="Grid view"><GridIcon /></button>
        </div>
      </div>

      {selectedEntries.length > 0 && (
        <div className="selection-bar" role="toolbar" aria-label="Selection">
          <strong>{selectedEntries.length} selected</strong>
          {selectedEntries.some((e) => e.type === 'object') && <button className="btn btn-ghost" onClick={() => download(selectedEntries)}>Download</button>}
          {offersZip(selectedEntries) && zipUrl(container, prefix, selectedEntries) && <button className="btn btn-ghost" onClick={() => downloadZip(zipUrl(container, prefix, selectedEntries) as string)}>Download as zip</button>}
          {one && <button className="btn btn-ghost" onClick={() => setDialog({ type: 'rename', entry: one })}>Rename</button>}
          {container && <button className="btn btn-ghost" onClick={() => setDialog({ type: 'move', entries: selectedEntries })}>Move</button>}
          {container && <button className="btn btn-ghost" onClick={() => setDialog({ type: 'copy', entries: selectedEntries })}>Copy</button>}
          {one && <button className="btn btn-ghost" onClick={() => setDialog({ type: 'share', entry: one })}>Share</button>}
          {one && <button className="btn btn-ghost" onClick={() => setDialog({ type: 'details', entry: one })}>Details</button>}
          {one?.type === 'object' && <button className="btn btn-ghost" onClick={() => setDialog({ type: 'versions', entry: one })}>Versions</button>}
          <button className="btn btn-danger-ghost" onClick={() => setDialog({ type: 'delete', entries: selectedEntries })}>Delete</button>
          <span className="spacer" />
          <button className="btn btn-ghost" onClick={() => setSelected(new Set())}>Clear</button>
        </div>
      )}

      {!container && <p className="muted small top-explain" data-testid="top-explain">Top-level folders are containers: Swift clients such as swift and rclone see them as containers, and each can have its own storage policy. The folders inside them are part of the files' names (“photos/2024/cat.jpg”).</p>}
      {notice && <p className="notice" role="status">{notice} <button className="btn btn-ghost small" onClick={() => setNotice(null)}>Dismiss</button></p>}
      {!container && <OpenRenames key={dialog ? 'dialog' : 'page'} onDone={() => listing.changed([])} />}
      {listing.error && <p className="error" role="alert">{listing.error} <button className="btn btn-ghost small" onClick={listing.reload}>Try again</button></p>}

      {visible.length === 0 && !listing.loading && !listing.error && (
        <div className="empty">
          {filter ? <p>Nothing here matches “{filter}”{listing.hasMore ? ' among the entries loaded so far' : ''}.</p> : container ? <p>This folder is empty. Drop files or folders here, or use “Upload”.</p> : <p>No containers yet. Make one with “New folder”.</p>}
        </div>
      )}

      {visible.length === 0 ? null : view === 'list' ? (
        <ListView dnd={dnd} swift={swift} entries={visible} rows={rows} listRef={listRef} selected={selected} onToggle={toggle} onOpen={open} onKey={onRowKey} sort={sort} onSort={(k) => setSort((s) => ({ key: k, desc: s.key === k ? !s.desc : k !== 'name' }))} />
      ) : (
        <GridView dnd={dnd} swift={swift} entries={visible} rows={rows} listRef={listRef} selected={selected} onToggle={toggle} onOpen={open} onKey={onRowKey} />
      )}

      <div ref={sentinel} className="list-end">
        {listing.loading && <span className="muted">Loading…</span>}
        {listing.hasMore && !listing.loading && (
          <>
            <span className="muted small" data-testid="loaded-count">{listing.entries.length.toLocaleString()} loaded</span>
            <button className="btn" onClick={listing.loadMore}>Load more</button>
          </>
        )}
        {!listing.hasMore && listing.entries.length > 0 && <span className="muted small">{filter.trim() ? `${visible.length} of ${listing.entries.length} items match` : `${listing.entries.length} item${listing.entries.length === 1 ? '' : 's'}`}</span>}
      </div>

      {dragging && <div className="drop-overlay" aria-hidden="true"><UploadIcon /> Drop to upload to {here || 'a container'}</div>}

      {menu && <ContextMenu x={menu.x} y={menu.y} label={`Actions for ${menu.entry.name}`} actions={menuActions(menu.entry)} onClose={() => setMenu(null)} />}

      <UploadPanel uploader={uploader} />

      {preview !== null && previewItems[preview] && (
        <Preview
          items={previewItems}
          index={preview}
          onIndex={setPreview}
          onClose={closePreview}
          actions={<button className="btn btn-ghost" onClick={() => { const o = objects[preview]; setPreview(null); setDialog({ type: 'share', entry: o }) }}>Share</button>}
        />
      )}

      {conflicts.dialog}
      <FileDialogs
        dialog={dialog}
        onClose={() => setDialog(null)}
        swift={swift}
        container={container}
        prefix={prefix}
        here={here}
        onChanged={afterChange}
        onRefresh={() => listing.changed([])}
        progress={progress}
        onNotice={setNotice}
      />
    </section>
  )
}
