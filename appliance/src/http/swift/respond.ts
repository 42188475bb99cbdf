/**
 * What a Swift handler returns, and the one place that writes it to the socket. Writing
 * directly (not through Koa's body handling) keeps Swift's exact headers on 204/304/HEAD
 * responses (Content-Length: 0, Content-Type) that Koa would strip.
 */
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { release } from '../../lib/buffer-pool.js'
import { swiftHtmlBody } from '../error-response.js'
import { headerToWire } from './header-bytes.js'

export interface SwiftResponse {
  status: number
  headers: Record<string, string | number>
  /** A string or Buffer body, a stream, or nothing. HEAD requests never send it. */
  body?: string | Buffer | Readable
  /** Declared length for HEAD responses and streams. */
  length?: number
}

/** Swift's small HTML bodies for 2xx statuses that carry one (201, 202). */
export function htmlStatus(status: number, headers: Record<string, string | number> = {}): SwiftResponse {
  const body = status === 201 || status === 204 ? '' : swiftHtmlBody(status)
  return { status, headers: { 'Content-Type': 'text/html; charset=UTF-8', ...headers }, body }
}

export function writeSwiftResponse(res: ServerResponse, method: string, r: SwiftResponse, done: (bytes: number) => void): void {
  const headers: Record<string, string | number> = {}
  for (const [k, v] of Object.entries(r.headers)) headers[k] = typeof v === 'string' ? headerToWire(v) : v
  let body = r.body
  if (typeof body === 'string') body = Buffer.from(body)
  if (Buffer.isBuffer(body)) headers['Content-Length'] = body.length
  else if (r.length !== undefined) headers['Content-Length'] = r.length
  else if (!body) headers['Content-Length'] = 0
  // Swift (eventlet) keeps an HTTP/1.1 connection open without saying so, and answers
  // `Connection: keep-alive` only to a client that asked with one; Node would always add it,
  // with `Keep-Alive: timeout=…`. Without the header the connection stays open all the same.
  if (res.shouldKeepAlive && res.req.httpVersion === '1.1' && !Object.keys(headers).some((k) => k.toLowerCase() === 'connection')) {
    if (res.req.headers.connection === undefined) res.removeHeader('Connection')
    else headers.Connection = 'keep-alive'
  }
  res.writeHead(r.status, headers)
  const noBody = method === 'HEAD' || r.status === 204 || r.status === 304
  if (noBody || !body) {
    if (body instanceof Readable) body.destroy()
    res.end()
    done(0)
    return
  }
  if (Buffer.isBuffer(body)) {
    res.end(body)
    done(body.length)
    return
  }
  void pump(body, res).then(done)
}

/**
 * Writes a body stream to the response with backpressure; each chunk goes back to the buffer
 * pool once the socket has taken it (the response is its last holder). A body that fails
 * or a client that goes away ends both. Resolves with the bytes written.
 */
async function pump(body: Readable, res: ServerResponse): Promise<number> {
  let bytes = 0
  // A client that went away while the answer was being prepared: its 'close' has been and gone.
  let closed = res.destroyed
  if (closed) {
    body.destroy()
    return 0
  }
  let wake: (() => void) | undefined
  const onClose = () => {
    closed = true
    wake?.()
  }
  res.once('close', onClose)
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (closed) break
      bytes += chunk.length
      const fits = res.write(chunk, (err) => {
        if (!err) release(chunk)
        else onClose()
      })
      if (!fits && !closed) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off('drain', go)
            wake = undefined
            resolve()
          }
          wake = go
          res.on('drain', go)
        })
      }
    }
    if (closed) body.destroy()
    else res.end()
  } catch {
    // The body failed midway: the client must see a broken response, not a short clean one.
    res.destroy()
  } finally {
    res.off('close', onClose)
  }
  return bytes
}
