/**
 * What a Swift handler returns, and the one place that writes it to the socket. Writing
 * directly (not through Koa's body handling) keeps Swift's exact headers on 204/304/HEAD
 * responses (Content-Length: 0, Content-Type) that Koa would strip.
 */
import type { ServerResponse } from 'node:http'
import { Readable, pipeline } from 'node:stream'
import { swiftHtmlBody } from '../error-response.js'

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
  const headers: Record<string, string | number> = { ...r.headers }
  let body = r.body
  if (typeof body === 'string') body = Buffer.from(body)
  if (Buffer.isBuffer(body)) headers['Content-Length'] = body.length
  else if (r.length !== undefined) headers['Content-Length'] = r.length
  else if (!body) headers['Content-Length'] = 0
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
  let bytes = 0
  body.on('data', (c: Buffer) => (bytes += c.length))
  pipeline(body, res, () => done(bytes))
}
