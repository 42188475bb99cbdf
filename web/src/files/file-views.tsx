/**
 * The two ways to look at a folder: a list (name, size, date) and a grid of thumbnails.
 * Rows are focusable: ↑/↓ (and ←/→ in the grid) move, Enter opens, Space selects. Both
 * render only the window's share of the entries (`rows`, see virtual-rows.ts); every
 * rendered row carries its entry's index in `data-index`.
 */
import type { KeyboardEvent, ReactNode, RefObject } from 'react'
import type { Entry, SwiftClient } from '../api/swift'
import { fileKind, formatBytes, formatDate, hasThumbnail } from '../ui/format'
import { DriveIcon, FileIcon, FolderIcon } from '../ui/icons'
import { filesPath, linkProps } from '../ui/router'
import { Thumbnail } from '../ui/thumbnail'
import type { VirtualRows } from './virtual-rows'
import type { DragMove } from './drag-move'

export type SortKey = 'name' | 'size' | 'date'
export interface Sort {
  key: SortKey
  desc: boolean
}

interface ViewProps {
  swift: SwiftClient
  entries: Entry[]
  selected: ReadonlySet<string>
  onToggle: (e: Entry, range: boolean) => void
  onOpen: (e: Entry) => void
  onKey: (e: KeyboardEvent<HTMLElement>, entry: Entry, index: number) => void
  rows: VirtualRows
  listRef: RefObject<HTMLElement | null>
  /** Drag to move (files/drag-move.ts), where moving is possible. */
  dnd?: DragMove
  /** Where a folder's name links to, when not the files app's own path (a folder shared with me). */
  folderHref?: (e: Entry) => string
}

export function iconOf(e: Entry, size?: number): ReactNode {
  if (e.type === 'container') return <DriveIcon size={size} />
  if (e.type === 'folder') return <FolderIcon size={size} />
  return <FileIcon kind={fileKind(e.name, e.contentType)} size={size} />
}

/** "35 files": a container's object count, labelled. */
export function fileCount(n: number): string {
  return `${n.toLocaleString()} file${n === 1 ? '' : 's'}`
}

function thumbUrl(swift: SwiftClient, e: Entry): string | null {
  return e.type === 'object' && hasThumbnail(e.name, e.contentType) ? swift.thumbnailUrl(e.container, e.object, 256, e.etag) : null
}

function colorUrl(swift: SwiftClient, e: Entry): string | null {
  return e.type === 'object' && hasThumbnail(e.name, e.contentType) ? swift.thumbnailUrl(e.container, e.object, 'color', e.etag) : null
}

function hrefOf(e: Entry, swift: SwiftClient): string {
  if (e.type === 'container') return filesPath(e.name)
  if (e.type === 'folder') return filesPath(e.container, e.prefix)
  return swift.objectUrl(e.container, e.object)
}

/** The name as a link: folders navigate in the app, files open the preview. */
function NameLink(props: { entry: Entry; swift: SwiftClient; onOpen: (e: Entry) => void; folderHref?: (e: Entry) => string }) {
  const { entry: e } = props
  const href = props.folderHref && e.type !== 'object' ? props.folderHref(e) : hrefOf(e, props.swift)
  if (e.type !== 'object') return <a className="entry-name" {...linkProps(href)} tabIndex={-1} title={e.name}>{e.name}</a>
  return (
    <a className="entry-name" href={href} tabIndex={-1} title={e.name} onClick={(ev) => { ev.preventDefault(); props.onOpen(e) }}>
      {e.name}
    </a>
  )
}

export function ListView(props: ViewProps & { sort: Sort; onSort: (k: SortKey) => void }) {
  const th = (k: SortKey, label: string, className = '') => (
    <th className={className} aria-sort={props.sort.key === k ? (props.sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button className="th-sort" onClick={() => props.onSort(k)}>
        {label} {props.sort.key === k ? (props.sort.desc ? '↓' : '↑') : ''}
      </button>
    </th>
  )
  return (
    <div className="table-wrap">
      <table className="table files-table" aria-rowcount={props.entries.length + 1}>
        <thead>
          <tr aria-rowindex={1}>
            <th className="col-check"><span className="sr-only">Selected</span></th>
            {th('name', 'Name')}
            {th('size', 'Size', 'num col-size')}
            {th('date', 'Modified', 'col-date')}
          </tr>
        </thead>
        <tbody ref={props.listRef as RefObject<HTMLTableSectionElement>}>
          {props.rows.padTop > 0 && <tr className="spacer-row" aria-hidden="true" style={{ height: props.rows.padTop }}><td colSpan={4} /></tr>}
          {props.entries.slice(props.rows.start, props.rows.end).map((e, k) => {
            const sel = props.selected.has(e.path)
            const index = props.rows.start + k
            return (
              <tr
                key={e.path}
                className={sel ? 'selected' : ''}
                tabIndex={0}
                data-row={e.path}
                data-index={index}
                data-name={e.name}
                aria-rowindex={index + 2}
                aria-selected={sel}
                onKeyDown={(ev) => props.onKey(ev, e, index)}
                onDoubleClick={() => props.onOpen(e)}
                {...props.dnd?.rowProps(e)}
              >
                <td className="col-check">
                  <input type="checkbox" checked={sel} onChange={() => undefined} onClick={(ev) => props.onToggle(e, ev.shiftKey)} aria-label={`Select ${e.name}`} tabIndex={-1} />
                </td>
                <td className="col-name">
                  <span className="entry">
                    {thumbUrl(props.swift, e) ? <Thumbnail url={thumbUrl(props.swift, e)} colorUrl={colorUrl(props.swift, e)} name={e.name} icon={iconOf(e, 16)} className="thumb-small" /> : <span className="entry-icon">{iconOf(e)}</span>}
                    <NameLink entry={e} swift={props.swift} onOpen={props.onOpen} folderHref={props.folderHref} />
                  </span>
                </td>
                <td className="num col-size">{e.type === 'folder' ? '' : e.type === 'container' ? `${fileCount(e.count)} · ${formatBytes(e.bytes)}` : formatBytes(e.bytes)}</td>
                <td className="col-date muted">{e.type === 'folder' ? '' : formatDate(e.modified)}</td>
              </tr>
            )
          })}
          {props.rows.padBottom > 0 && <tr className="spacer-row" aria-hidden="true" style={{ height: props.rows.padBottom }}><td colSpan={4} /></tr>}
        </tbody>
      </table>
    </div>
  )
}

export function GridView(props: ViewProps) {
  return (
    <ul className="grid" role="list" ref={props.listRef as RefObject<HTMLUListElement>} style={{ paddingTop: props.rows.padTop, paddingBottom: props.rows.padBottom }}>
      {props.entries.slice(props.rows.start, props.rows.end).map((e, k) => {
        const sel = props.selected.has(e.path)
        const url = thumbUrl(props.swift, e)
        const index = props.rows.start + k
        return (
          <li
            key={e.path}
            className={`tile ${sel ? 'selected' : ''}`}
            tabIndex={0}
            data-row={e.path}
            data-index={index}
            data-name={e.name}
            // (aria-selected is not allowed on a list item: the name says it)
            aria-label={sel ? `${e.name}, selected` : e.name}
            onKeyDown={(ev) => props.onKey(ev, e, index)}
            {...props.dnd?.rowProps(e)}
            onClick={(ev) => {
              if ((ev.target as HTMLElement).closest('input,a')) return
              props.onOpen(e)
            }}
          >
            {url ? <Thumbnail url={url} colorUrl={colorUrl(props.swift, e)} name={e.name} icon={iconOf(e, 40)} /> : <div className="thumb thumb-plain">{iconOf(e, 40)}</div>}
            <input className="tile-check" type="checkbox" checked={sel} onChange={() => undefined} onClick={(ev) => props.onToggle(e, ev.shiftKey)} aria-label={`Select ${e.name}`} tabIndex={-1} />
            <div className="tile-caption">
              <NameLink entry={e} swift={props.swift} onOpen={props.onOpen} folderHref={props.folderHref} />
              <span className="muted small">{e.type === 'object' ? formatBytes(e.bytes) : e.type === 'container' ? fileCount(e.count) : 'folder'}</span>
            </div>
          </li>
        )
      })}
    </ul>
  )
}

export function Breadcrumbs(props: { container: string; prefix: string; dnd?: DragMove }) {
  const parts = props.prefix.split('/').filter(Boolean)
  const crumbs: Array<{ label: string; path: string; target?: string }> = [{ label: 'All files', path: filesPath('') }]
  if (props.container) crumbs.push({ label: props.container, path: filesPath(props.container), target: `${props.container}/` })
  parts.forEach((p, i) => crumbs.push({ label: p, path: filesPath(props.container, `${parts.slice(0, i + 1).join('/')}/`), target: `${props.container}/${parts.slice(0, i + 1).join('/')}/` }))
  return (
    <nav className="breadcrumbs" aria-label="Folder">
      <ol>
        {crumbs.map((c, i) => (
          <li key={c.path}>
            {i === crumbs.length - 1 ? <span aria-current="page">{c.label}</span> : <a {...linkProps(c.path)} {...(c.target ? props.dnd?.crumbProps(c.target) : {})}>{c.label}</a>}
          </li>
        ))}
      </ol>
    </nav>
  )
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

export function sortEntries(entries: Entry[], sort: Sort): Entry[] {
  const rank = (e: Entry) => (e.type === 'object' ? 1 : 0)
  const size = (e: Entry) => (e.type === 'folder' ? 0 : e.bytes)
  const date = (e: Entry) => (e.type === 'folder' ? '' : e.modified ?? '')
  const dir = sort.desc ? -1 : 1
  return [...entries].sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b)
    let c = 0
    if (sort.key === 'size') c = size(a) - size(b)
    else if (sort.key === 'date') c = date(a) < date(b) ? -1 : date(a) > date(b) ? 1 : 0
    if (c === 0) c = collator.compare(a.name, b.name)
    return c * dir
  })
}
