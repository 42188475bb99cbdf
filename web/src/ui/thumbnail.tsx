/**
 * A thumbnail tile: a tinted placeholder until the server has the rendition, then the image,
 * swapped in without a reload. Renditions are generated in the background after an upload,
 * so a 404 means "not yet": the tile asks again with a growing delay (1 s … 30 s, for up to
 * ten minutes), and at most PROBES_IN_FLIGHT tiles ask at once, so a big grid stays polite.
 * A 200 leaves the bytes in the browser's cache, where the <img> then finds them.
 */
import { useEffect, useState, type ReactNode } from 'react'
import { tintOf } from './format'

const PROBES_IN_FLIGHT = 4
const GIVE_UP_MS = 10 * 60 * 1000

type Probe = { url: string; done: (ok: boolean, final: boolean) => void; cancelled: boolean }
const queue: Probe[] = []
let running = 0

function pump(): void {
  while (running < PROBES_IN_FLIGHT && queue.length) {
    const p = queue.shift() as Probe
    if (p.cancelled) continue
    running++
    fetch(p.url, { credentials: 'same-origin' })
      .then(async (r) => {
        await r.arrayBuffer().catch(() => undefined)
        // 404: not rendered yet. 415/422-like answers: this object will never have one.
        p.done(r.ok, !r.ok && r.status !== 404 && r.status < 500)
      })
      .catch(() => p.done(false, false))
      .finally(() => {
        running--
        pump()
      })
  }
}

/** Whether the rendition at `url` exists yet; keeps asking while mounted. */
export function useThumbnailReady(url: string | null): boolean {
  const [ready, setReady] = useState(false)
  useEffect(() => {
    setReady(false)
    if (!url) return
    let timer: ReturnType<typeof setTimeout> | undefined
    let probe: Probe | null = null
    let delay = 1000
    const started = Date.now()
    const ask = () => {
      probe = {
        url,
        cancelled: false,
        done: (ok, final) => {
          if (probe?.cancelled) return
          if (ok) return setReady(true)
          if (final || Date.now() - started > GIVE_UP_MS) return
          timer = setTimeout(ask, delay)
          delay = Math.min(delay * 2, 30_000)
        },
      }
      queue.push(probe)
      pump()
    }
    ask()
    return () => {
      if (probe) probe.cancelled = true
      if (timer) clearTimeout(timer)
    }
  }, [url])
  return ready
}

export function Thumbnail(props: { url: string | null; name: string; icon: ReactNode; className?: string }) {
  const ready = useThumbnailReady(props.url)
  return (
    <div className={`thumb ${props.className ?? ''}`} style={{ background: tintOf(props.name) }} data-thumb={ready ? 'ready' : 'placeholder'}>
      {ready && props.url ? <img src={props.url} alt="" loading="lazy" decoding="async" /> : <span className="thumb-icon" aria-hidden="true">{props.icon}</span>}
    </div>
  )
}
