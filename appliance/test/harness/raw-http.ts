/**
 * HTTP over a raw TCP socket, for tests that must send what no HTTP client would: lying
 * lengths, broken chunking, header lines of any size, bytes that are not HTTP at all. Sends
 * the bytes as given, then reads until the server closes or the time is up, and reports the
 * first status line it saw (undefined when the server answered nothing).
 */
import { connect } from 'node:net'

export interface RawAnswer {
  /** Status of the first response, undefined when none arrived. */
  status?: number
  /** Everything the server sent. */
  raw: Buffer
  /** True when the server closed the connection (rather than our time running out). */
  closed: boolean
  /** Set when the connection failed (refused, reset before any byte). */
  error?: string
}

export interface RawOptions {
  /** Give up reading after this long (default 5 s). */
  timeoutMs?: number
  /** Half-close our side after sending, so the server sees the end of what we send. */
  end?: boolean
  /** Stop reading as soon as a status line has arrived. */
  firstLineOnly?: boolean
  /** Source address (any 127.x.y.z on loopback), to look like another client. */
  localAddress?: string
}

/** `url` gives host and port; `parts` are written one after the other. */
export function rawRequest(url: string, parts: Array<string | Buffer>, opts: RawOptions = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let done = false
    const socket = connect({ host: hostname, port: Number(port), localAddress: opts.localAddress })
    const finish = (closed: boolean, error?: string) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      const raw = Buffer.concat(chunks)
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw.subarray(0, 32).toString('latin1'))
      resolve({ status: m ? Number(m[1]) : undefined, raw, closed, error })
    }
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 5000)
    socket.on('data', (d: Buffer) => {
      chunks.push(d)
      if (opts.firstLineOnly && Buffer.concat(chunks).includes('\r\n')) finish(false)
    })
    socket.on('end', () => finish(true))
    socket.on('close', () => finish(true))
    socket.on('error', (err: NodeJS.ErrnoException) => finish(true, chunks.length ? undefined : err.code ?? err.message))
    socket.on('connect', () => {
      for (const p of parts) socket.write(p)
      if (opts.end) socket.end()
    })
  })
}

/** A request head with CRLFs; `headers` in order, values as given. */
export function head(method: string, path: string, headers: Array<[string, string]>): string {
  return `${method} ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`
}
