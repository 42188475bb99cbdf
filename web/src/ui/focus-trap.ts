/**
 * Keeps Tab and Shift+Tab inside an overlay that is not a native <dialog> (the previewer):
 * from the last focusable element Tab wraps to the first, and back; a focus that has left
 * the overlay is brought back in.
 */
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select, textarea, iframe, audio[controls], video[controls], [tabindex]:not([tabindex="-1"])'

export function trapTab(e: KeyboardEvent, root: HTMLElement | null): void {
  if (e.key !== 'Tab' || !root) return
  const items = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0)
  if (items.length === 0) return
  const first = items[0]
  const last = items[items.length - 1]
  const at = document.activeElement
  if (!root.contains(at)) {
    e.preventDefault()
    first.focus()
  } else if (e.shiftKey && at === first) {
    e.preventDefault()
    last.focus()
  } else if (!e.shiftKey && at === last) {
    e.preventDefault()
    first.focus()
  }
}
