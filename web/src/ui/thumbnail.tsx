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

type Probe = { url: string; done: (ok: boolean, final: boolean, r?: Response) => void; cancelled: boolean }
const queue: Probe[] = []
let running = 0

function pump(): void {
  while (running < PROBES_IN_FLIGHT && queue.length) {
    const p = queue.shift() as Probe
    if (p.cancelled) continue
    running++
    fetch(p.url, { credentials: 'same-origin' })
      .then(async (r) => {
        // 404 pending: not rendered yet; 404 unsupported or another 4xx: it never will be.
        const never = r.headers.get('X-Thumbnail-Status') === 'unsupported' || (r.status >= 400 && r.status < 500 && r.status !== 404)
        await p.done(r.ok, never, r)
        if (!r.bodyUsed) await r.arrayBuffer().catch(() => undefined)
      })
      .catch(() => p.done(false, false))
      .finally(() => {
        running--
        pump()
      })
  }
}

/** Whether the rendition at `url` exists yet (keeps asking while mounted), and the placeholder's colour. */
export function useThumbnail(url: string | null, colorUrl: string | null): { ready: boolean; color: string | null } {
  const [ready, setReady] = useState(false)
  const [color, setColor] = useState<string | null>(null)
  useEffect(() => {
    setReady(false)
    if (!url) return
    let askedColor = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let probe: Probe | null = null
    let delay = 1000
    const started = Date.now()
    const ask = () => {
      probe = {
        url,
        cancelled: false,
        done: (ok, final, r) => {
          if (probe?.cancelled) return
          if (ok) return setReady(true)
          if (final || Date.now() - started > GIVE_UP_MS) return
          if (!askedColor && colorUrl) {
            askedColor = true
            queue.push({ url: colorUrl, cancelled: false, done: (found, _never, answer) => void (found && answer && readColor(answer).then((c) => c && !probe?.cancelled && setColor(c))) })
          }
          const retryAfterMs = Number(r?.headers.get('Retry-After') ?? 0) * 1000
          timer = setTimeout(ask, Math.max(delay, retryAfterMs))
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
  }, [url, colorUrl])
  return { ready, color }
}

async function readColor(r: Response): Promise<string | null> {
  try {
    const j = (await r.json()) as { color?: unknown }
    return typeof j.color === 'string' && /^#[0-9a-f]{3,8}$|^rgb/i.test(j.color) ? j.color : null
  } catch {
    return null
  }
}

export function Thumbnail(props: { url: string | null; colorUrl?: string | null; name: string; icon: ReactNode; className?: string }) {
  const { ready, color } = useThumbnail(props.url, props.colorUrl ?? null)
  return (
    <div className={`thumb ${props.className ?? ''}`} style={{ background: color ?? tintOf(props.name) }} data-thumb={ready ? 'ready' : 'placeholder'}>
      {ready && props.url ? <img src={props.url} alt="" loading="lazy" decoding="async" /> : <span className="thumb-icon" aria-hidden="true">{props.icon}</span>}
    </div>
  )
}
