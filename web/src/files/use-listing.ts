/**
 * A folder's entries, a page at a time (marker paging): the first page on open, the next
 * when the list's end scrolls into view or "Load more" is pressed, so a folder of 100,000
 * objects costs only the pages someone looks at. Segment containers (`*_segments`) are
 * bookkeeping of large objects and are not shown among the containers.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { SEGMENTS_SUFFIX, type Entry, type Page, type SwiftClient } from '../api/swift'
import { listingProblem } from './messages'

export const PAGE_SIZE = 500

export interface Listing {
  entries: Entry[]
  loading: boolean
  error: string | null
  hasMore: boolean
  loadMore(): void
  reload(): void
  /**
   * After this browser changed the folder: drops `gone` at once and reloads now and again a
   * moment later, since container listings catch up with writes asynchronously.
   */
  changed(gone: string[]): void
}

const SETTLE_MS = 1200

export function useListing(swift: SwiftClient, container: string, prefix: string): Listing {
  const [entries, setEntries] = useState<Entry[]>([])
  const [next, setNext] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const generation = useRef(0)
  const inFlight = useRef(false)
  const folder = `${container}/${prefix}`
  const shownFolder = useRef(folder)
  shownFolder.current = folder

  const fetchPage = useCallback(
    (marker: string | null): Promise<Page> => (container ? swift.listFolder(container, prefix, marker, PAGE_SIZE) : swift.listContainers(marker, PAGE_SIZE)),
    [swift, container, prefix],
  )

  const load = useCallback(
    async (marker: string | null, replace: boolean) => {
      if (inFlight.current && !replace) return
      const gen = replace ? ++generation.current : generation.current
      inFlight.current = true
      setLoading(true)
      setError(null)
      try {
        const page = await fetchPage(marker)
        if (gen !== generation.current) return
        const shown = page.entries.filter((e) => !(e.type === 'container' && e.name.endsWith(SEGMENTS_SUFFIX)))
        setEntries((old) => (replace ? shown : old.concat(shown)))
        setNext(page.next)
      } catch (err) {
        if (gen === generation.current) setError(listingProblem(err, container))
      } finally {
        if (gen === generation.current) {
          inFlight.current = false
          setLoading(false)
        }
      }
    },
    [fetchPage, container],
  )

  useEffect(() => {
    setEntries([])
    setNext(null)
    void load(null, true)
  }, [load])

  // Stable across renders: effects that depend on it (the refresh after uploads) must not be
  // torn down, and their pending timers cleared, by every progress re-render.
  const reload = useCallback(() => void load(null, true), [load])

  return {
    entries,
    loading,
    error,
    hasMore: next !== null,
    loadMore: () => {
      if (next !== null) void load(next, false)
    },
    reload,
    changed: (gone) => {
      const drop = new Set(gone)
      setEntries((old) => old.filter((e) => !drop.has(e.path)))
      void load(null, true).then(() =>
        setTimeout(() => {
          // (only if this folder is still the one on screen)
          if (shownFolder.current === folder) void load(null, true)
        }, SETTLE_MS),
      )
    },
  }
}
