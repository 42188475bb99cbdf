/**
 * Keyboard life between folders: where the focus lands once a folder opened from the keyboard
 * has loaded (its first row, or, going up, the folder we came from), the "up one folder"
 * keys (Backspace, Alt+↑), and the tab title naming the folder on screen.
 *
 * The wish for focus outlives the page component (a folder change remounts the rows), so it
 * is kept at module level and taken by the first listing that shows the folder it names.
 */
import { useEffect } from 'react'
import type { Entry } from '../api/swift'
import { filesPath, navigate } from '../ui/router'

/** Where the focus should go in the folder `path` ("container/prefix") once it is listed. */
let wanted: { path: string; focus: 'first' | string } | null = null

/** The folder above (container, prefix), or null at the top. */
export function parentOf(container: string, prefix: string): { container: string; prefix: string } | null {
  if (!container) return null
  if (!prefix) return { container: '', prefix: '' }
  const parts = prefix.split('/').filter(Boolean)
  parts.pop()
  return { container, prefix: parts.length ? `${parts.join('/')}/` : '' }
}

/** Opens a folder or container from the keyboard: its first row gets the focus when listed. */
export function openFromKeyboard(e: Entry): void {
  if (e.type === 'container') wanted = { path: `${e.name}/`, focus: 'first' }
  else if (e.type === 'folder') wanted = { path: `${e.container}/${e.prefix}`, focus: 'first' }
}

/** Goes up one folder; the row of the folder left behind gets the focus. Returns false at the top. */
export function goUp(container: string, prefix: string): boolean {
  const up = parentOf(container, prefix)
  if (!up) return false
  const name = prefix ? prefix.split('/').filter(Boolean).pop()! : container
  wanted = { path: `${up.container}/${up.prefix}`, focus: name }
  navigate(filesPath(up.container, up.prefix))
  return true
}

/** True for the keys that mean "up one folder". */
export function isUpKey(ev: { key: string; altKey: boolean; ctrlKey: boolean; metaKey: boolean }): boolean {
  return (ev.key === 'Backspace' && !ev.altKey && !ev.ctrlKey && !ev.metaKey) || (ev.key === 'ArrowUp' && ev.altKey)
}

/**
 * Once the folder on screen has rows, focuses the one asked for (by `reveal`, which scrolls it
 * in first) and forgets the wish.
 */
export function useFolderFocus(container: string, prefix: string, visible: Entry[], loading: boolean, reveal: (i: number) => void): void {
  useEffect(() => {
    const here = `${container}/${prefix}`
    // (the first render after a folder change still holds the old folder's rows: wait for this one's)
    if (!wanted || wanted.path !== here || loading || visible.length === 0 || folderOf(visible[0]) !== here) return
    const focus = wanted.focus
    wanted = null
    const at = focus === 'first' ? 0 : Math.max(0, visible.findIndex((e) => e.name === focus))
    requestAnimationFrame(() => reveal(at))
  }, [container, prefix, visible, loading, reveal])
}

/** "container/prefix/" of the folder listing an entry ("/" for a container, listed at the top). */
function folderOf(e: Entry): string {
  if (e.type === 'container') return '/'
  return e.path.slice(0, e.path.lastIndexOf('/', e.path.length - 2) + 1)
}

/** "sub — docs · Velox": the folder, then its container, in the tab title. */
export function useFolderTitle(container: string, prefix: string): void {
  useEffect(() => {
    const parts = prefix.split('/').filter(Boolean)
    const here = parts.length ? `${parts[parts.length - 1]} — ${container}` : container || 'All files'
    document.title = `${here} · Velox`
    return () => {
      document.title = 'Velox'
    }
  }, [container, prefix])
}
