/**
 * The right-click menu of a row or tile (also Shift+F10 or the Menu key on a focused row):
 * the same actions as the selection bar, for that one entry. A WAI-ARIA menu: the first item
 * takes the focus, ↑/↓/Home/End move, Enter runs, Escape or Tab closes and gives the focus
 * back; a click elsewhere closes it.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react'

export interface MenuAction {
  label: string
  run: () => void
  danger?: boolean
}

export function ContextMenu(props: { x: number; y: number; label: string; actions: MenuAction[]; onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null)
  const back = useRef<Element | null>(document.activeElement)
  const { onClose } = props

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus()
    const away = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose()
    }
    document.addEventListener('mousedown', away)
    return () => document.removeEventListener('mousedown', away)
  }, [onClose])

  const close = () => {
    onClose()
    ;(back.current as HTMLElement | null)?.focus?.()
  }

  const onKey = (e: KeyboardEvent) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])]
    const at = items.indexOf(document.activeElement as HTMLElement)
    const go = (i: number) => items[(i + items.length) % items.length]?.focus()
    if (e.key === 'ArrowDown') go(at + 1)
    else if (e.key === 'ArrowUp') go(at - 1)
    else if (e.key === 'Home') go(0)
    else if (e.key === 'End') go(items.length - 1)
    else if (e.key === 'Escape' || e.key === 'Tab') close()
    else return
    e.preventDefault()
    e.stopPropagation()
  }

  // (kept inside the window: a menu opened near the right or bottom edge opens leftward/upward)
  const left = Math.max(4, Math.min(props.x, window.innerWidth - 220))
  const top = Math.max(4, Math.min(props.y, window.innerHeight - props.actions.length * 36 - 16))
  return (
    <div ref={ref} className="context-menu" role="menu" aria-label={props.label} style={{ left, top }} onKeyDown={onKey}>
      {props.actions.map((a) => (
        <button key={a.label} type="button" role="menuitem" className={a.danger ? 'danger' : ''} onClick={() => { onClose(); a.run() }}>
          {a.label}
        </button>
      ))}
    </div>
  )
}
