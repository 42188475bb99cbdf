/**
 * Search by name across all of my containers (server-side, /api/search): "contains" in any
 * case, or "starts with" on the full path. Each hit links to its folder; when the server's
 * time budget ran out first, "Search further" goes on from where it stopped.
 */
import { useState, type FormEvent } from 'react'
import { requestJson } from '../api/http'
import { formatBytes, formatDate } from '../ui/format'
import { filesPath, linkProps } from '../ui/router'
import '../trash/trash.css'

interface Hit { container: string; name: string; bytes: number; contentType: string; lastModified: string }
interface Result { hits: Hit[]; scanned: number; complete: boolean; resume?: { container: string; marker: string } }

function searchUrl(q: string, mode: string, resume?: Result['resume']): string {
  const p = new URLSearchParams({ q, mode })
  if (resume) {
    p.set('resumeContainer', resume.container)
    p.set('resumeMarker', resume.marker)
  }
  return `/api/search?${p}`
}

export function SearchPage() {
  const [q, setQ] = useState(() => new URLSearchParams(location.search).get('q') ?? '')
  const [mode, setMode] = useState<'substring' | 'prefix'>('substring')
  const [hits, setHits] = useState<Hit[] | null>(null)
  const [last, setLast] = useState<Result | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const run = async (more: boolean) => {
    setBusy(true)
    setError(null)
    try {
      const r = await requestJson<Result>(searchUrl(q.trim(), mode, more ? last?.resume : undefined), { cache: 'no-store' })
      setHits((old) => (more && old ? [...old, ...r.hits] : r.hits))
      setLast(r)
      if (!more) history.replaceState(null, '', `/search?q=${encodeURIComponent(q.trim())}`)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (q.trim()) void run(false)
  }

  return (
    <section className="page search-page">
      <div className="page-head">
        <h1>Search</h1>
        <p className="muted small">Finds files by name in all of your containers.</p>
      </div>
      <form className="filterbar" role="search" onSubmit={submit}>
        <input className="filter" type="search" aria-label="Name to search for" placeholder="Name or part of it" value={q} onChange={(e) => setQ(e.target.value)} autoFocus />
        <select className="sort-select" aria-label="Match" value={mode} onChange={(e) => setMode(e.target.value as 'substring' | 'prefix')}>
          <option value="substring">Name contains</option>
          <option value="prefix">Path starts with</option>
        </select>
        <button className="btn btn-primary" type="submit" disabled={busy || !q.trim()}>{busy ? 'Searching…' : 'Search'}</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {hits && hits.length === 0 && last?.complete && <p className="empty">Nothing is named like “{q}”.</p>}
      {hits && hits.length > 0 && (
        <ul className="search-hits" aria-label="Results">
          {hits.map((h) => {
            const folder = h.name.slice(0, h.name.lastIndexOf('/') + 1)
            return (
              <li key={`${h.container}/${h.name}`} data-testid="search-hit">
                <a {...linkProps(filesPath(h.container, folder))}>
                  <strong>{h.name.slice(folder.length)}</strong>
                </a>
                <span className="muted small">{h.container}/{folder}</span>
                <span className="muted small">{formatBytes(h.bytes)} · {formatDate(h.lastModified)}</span>
              </li>
            )
          })}
        </ul>
      )}
      {last && !last.complete && (
        <p className="muted small" data-testid="search-more">
          Stopped after {last.scanned.toLocaleString()} names. <button className="btn btn-ghost small" disabled={busy} onClick={() => void run(true)}>Search further</button>
        </p>
      )}
    </section>
  )
}
