/**
 * Windowed rendering of a long folder: only the rows around the viewport are in the DOM
 * (plus a few screens of overscan), the rest are stood in for by padding of the same height,
 * so a folder with 100,000 loaded entries scrolls as lightly as one with 50. The page itself
 * scrolls (the window), the list is one element in it: a table's tbody (one entry per row) or
 * the grid's list (`perRow` tiles per row, read from the grid's computed columns).
 *
 * Row pitch is measured from the rows on screen after each render (all rows of a view have
 * the same height: names are ellipsized). `reveal(i)` focuses entry i, scrolling it into the
 * window first when it is not rendered (keyboard moves past the rendered rows).
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react'

export interface VirtualRows {
  /** Entries [start, end) are rendered. */
  start: number
  end: number
  /** Space standing in for the rows before start and after end, in px. */
  padTop: number
  padBottom: number
  /** Entries per visual row (1 in the list, the column count in the grid). */
  perRow: number
  /** Visual rows that fit in the window (for Page Up/Down). */
  rowsPerScreen: number
  /** Focuses entry i's element (`[data-index=i]` in the list), scrolling to it first if need be. */
  reveal(i: number): void
}

const OVERSCAN_PX = 800
/** Until measured: rows rendered at first, and a guess of their pitch. */
const FIRST_ROWS = 40
const GUESS_PITCH = { list: 49, grid: 230 }

function columnsOf(el: HTMLElement): number {
  const cols = getComputedStyle(el).gridTemplateColumns
  if (!cols || cols === 'none') return 1
  return Math.max(1, cols.split(' ').filter(Boolean).length)
}

export function useVirtualRows(listRef: RefObject<HTMLElement | null>, count: number, layout: 'list' | 'grid'): VirtualRows {
  const [pitch, setPitch] = useState(GUESS_PITCH[layout])
  const [perRow, setPerRow] = useState(1)
  const [rows, setRows] = useState({ first: 0, last: FIRST_ROWS })
  const [screenRows, setScreenRows] = useState(10)
  const pendingFocus = useRef<number | null>(null)

  useEffect(() => setPitch(GUESS_PITCH[layout]), [layout])

  /** The rows the window shows now (with overscan), from the list's place in the page. */
  const compute = useCallback(() => {
    const el = listRef.current
    if (!el) return
    const per = layout === 'grid' ? columnsOf(el) : 1
    const top = el.getBoundingClientRect().top // relative to the viewport
    const over = Math.ceil(OVERSCAN_PX / pitch)
    const first = Math.max(0, Math.floor(-top / pitch) - over)
    const last = Math.max(first + 1, Math.ceil((window.innerHeight - top) / pitch) + over)
    setPerRow((p) => (p === per ? p : per))
    setRows((r) => (r.first === first && r.last === last ? r : { first, last }))
    setScreenRows(Math.max(1, Math.floor(window.innerHeight / pitch) - 1))
  }, [listRef, layout, pitch])

  useEffect(() => {
    let frame = 0
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(() => { frame = 0; compute() })
    }
    compute()
    window.addEventListener('scroll', onScroll, { passive: true })
    window.addEventListener('resize', onScroll)
    const ro = listRef.current ? new ResizeObserver(onScroll) : null
    if (ro && listRef.current) ro.observe(listRef.current)
    return () => {
      window.removeEventListener('scroll', onScroll)
      window.removeEventListener('resize', onScroll)
      ro?.disconnect()
      if (frame) cancelAnimationFrame(frame)
    }
  }, [compute, listRef, count])

  const totalRows = Math.ceil(count / perRow)
  const firstRow = Math.min(rows.first, totalRows)
  const lastRow = Math.min(rows.last, totalRows)

  // Measure the pitch from what is rendered; focus a row that reveal() asked for.
  useLayoutEffect(() => {
    const el = listRef.current
    if (!el) return
    const items = el.querySelectorAll<HTMLElement>('[data-index]')
    if (items.length > perRow) {
      const a = items[0].getBoundingClientRect()
      const b = items[items.length - 1].getBoundingClientRect()
      const spanRows = Math.ceil(items.length / perRow) - 1
      const measured = spanRows > 0 ? (b.top - a.top) / spanRows : 0
      if (measured > 4 && Math.abs(measured - pitch) > 0.5) setPitch(measured)
    }
    if (pendingFocus.current !== null) {
      const target = el.querySelector<HTMLElement>(`[data-index="${pendingFocus.current}"]`)
      if (target) {
        pendingFocus.current = null
        target.focus()
      }
    }
  })

  const reveal = useCallback(
    (i: number) => {
      const el = listRef.current
      if (!el || i < 0 || i >= count) return
      const target = el.querySelector<HTMLElement>(`[data-index="${i}"]`)
      if (target) {
        target.focus()
        target.scrollIntoView({ block: 'nearest' })
        return
      }
      pendingFocus.current = i
      const rowTop = el.getBoundingClientRect().top + window.scrollY + Math.floor(i / perRow) * pitch
      window.scrollTo({ top: Math.max(0, rowTop - window.innerHeight / 2) })
      compute()
    },
    [listRef, count, perRow, pitch, compute],
  )

  return {
    start: firstRow * perRow,
    end: Math.min(count, lastRow * perRow),
    padTop: firstRow * pitch,
    padBottom: Math.max(0, totalRows - lastRow) * pitch,
    perRow,
    rowsPerScreen: screenRows,
    reveal,
  }
}
