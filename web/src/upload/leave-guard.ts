/**
 * Uploads survive a page reload as well as they can (issue 16, bug 5). While any upload runs,
 * leaving or reloading the page asks first (beforeunload). Every large (segmented) upload
 * still running is remembered in localStorage — container, name, size, the file's mtime and
 * where its segments go, never its bytes — so that after a reload the page can offer to resume it: the person picks
 * the same file again and only the segments not yet stored go up (the uploader finds the
 * stored ones with one listing). A browser cannot reopen a file by itself, hence the picking.
 */
import { useEffect } from 'react'
import type { UploadItem, Uploader } from './uploader'

const KEY = 'velox.interrupted-uploads'

export interface Interrupted {
  container: string
  object: string
  name: string
  size: number
  lastModified: number
  /** Its segments' stem (uploader.ts); absent in records from before upload ids. */
  stem?: string
}

/** Where an interrupted upload's segments are. */
export function stemOf(u: Interrupted): string {
  return u.stem ?? `${u.object}/${u.size}-${u.lastModified}`
}

const running = (i: UploadItem) => i.status === 'queued' || i.status === 'uploading'
const same = (a: Interrupted, b: Interrupted) => a.container === b.container && a.object === b.object

/** What an earlier page left unfinished (read once, at load, before this page writes its own). */
let leftOver: Interrupted[] = read()
const listeners = new Set<() => void>()

function read(): Interrupted[] {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown
    return Array.isArray(v) ? v.filter((x): x is Interrupted => !!x && typeof x.container === 'string' && typeof x.object === 'string' && typeof x.size === 'number') : []
  } catch {
    return []
  }
}

function write(uploader: Uploader): void {
  const active = uploader.items().filter((i) => running(i) && i.segmented)
    .map((i): Interrupted => ({ container: i.container, object: i.object, name: i.file.name, size: i.size, lastModified: i.file.lastModified, ...(i.segmentStem ? { stem: i.segmentStem } : {}) }))
  const all = [...leftOver.filter((l) => !active.some((a) => same(a, l))), ...active]
  if (all.length) localStorage.setItem(KEY, JSON.stringify(all))
  else localStorage.removeItem(KEY)
}

export function interruptedUploads(): Interrupted[] {
  return leftOver
}

export function subscribeInterrupted(fn: () => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/** Forgets one left-over upload (resumed, or dismissed). */
export function forgetInterrupted(u: Interrupted, uploader: Uploader): void {
  leftOver = leftOver.filter((l) => !same(l, u))
  write(uploader)
  for (const fn of listeners) fn()
}

/** Warns before leaving while uploads run, and keeps the list of large ones to resume. */
export function useLeaveGuard(uploader: Uploader): void {
  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      if (!uploader.items().some(running)) return
      e.preventDefault()
      // (older browsers show the prompt only when returnValue is set)
      e.returnValue = 'Uploads are still running.'
    }
    window.addEventListener('beforeunload', onLeave)
    const off = uploader.subscribe(() => write(uploader))
    return () => {
      window.removeEventListener('beforeunload', onLeave)
      off()
    }
  }, [uploader])
}
