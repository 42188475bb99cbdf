/**
 * Drag to move inside the file browser: a row or tile dragged (with the rest of the selection
 * when it is selected) and dropped on a folder's row or tile, or on a breadcrumb, moves there
 * (the same server-side COPY + DELETE as Move). The drag carries only the entries' paths,
 * under its own type, so a drop of files from the desktop (uploads) is told apart.
 */
import { useState, type DragEvent } from 'react'
import type { Entry } from '../api/swift'

export const DRAG_TYPE = 'application/x-velox-entries'

export interface DragMove {
  /** Props for a row or tile: draggable, and a drop target when it is a folder. */
  rowProps(e: Entry): Record<string, unknown>
  /** Props for a breadcrumb leading to `target` ("container/prefix/"). */
  crumbProps(target: string): Record<string, unknown>
}

export function useDragMove(opts: { selected: ReadonlySet<string>; entries: Entry[]; canMove: boolean; onMove: (entries: Entry[], target: string) => void }): DragMove {
  const [over, setOver] = useState<string | null>(null)
  const targetOf = (e: Entry) => (e.type === 'folder' ? `${e.container}/${e.prefix}` : null)

  const dropProps = (target: string) => ({
    onDragOver: (ev: DragEvent) => {
      if (!ev.dataTransfer.types.includes(DRAG_TYPE)) return
      ev.preventDefault()
      ev.dataTransfer.dropEffect = 'move'
      if (over !== target) setOver(target)
    },
    onDragLeave: () => setOver((o) => (o === target ? null : o)),
    onDrop: (ev: DragEvent) => {
      if (!ev.dataTransfer.types.includes(DRAG_TYPE)) return
      ev.preventDefault()
      ev.stopPropagation()
      setOver(null)
      const paths = JSON.parse(ev.dataTransfer.getData(DRAG_TYPE) || '[]') as string[]
      // (a folder dropped on itself, or on its own place, is no move)
      const moving = opts.entries.filter((x) => paths.includes(x.path) && x.path !== target && `${x.path.slice(0, x.path.lastIndexOf('/', x.path.length - 2) + 1)}` !== target)
      if (moving.length) opts.onMove(moving, target)
    },
    'data-drop-over': over === target ? 'true' : undefined,
  })

  return {
    rowProps: (e) => {
      if (!opts.canMove || e.type === 'container') return {}
      const target = targetOf(e)
      return {
        draggable: true,
        onDragStart: (ev: DragEvent) => {
          const paths = opts.selected.has(e.path) ? [...opts.selected] : [e.path]
          ev.dataTransfer.setData(DRAG_TYPE, JSON.stringify(paths))
          ev.dataTransfer.effectAllowed = 'move'
        },
        ...(target ? dropProps(target) : {}),
      }
    },
    crumbProps: (target) => (opts.canMove ? dropProps(target) : {}),
  }
}
