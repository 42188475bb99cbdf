/**
 * Object requests: GET/HEAD (ranges, multipart/byteranges, conditionals), PUT (streamed),
 * POST and DELETE (COPY and X-Copy-From are the copy feature's, features/copy.ts). Headers
 * in, SwiftResponse out; the Swift semantics themselves live in swift/objects.ts.
 */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { VeloxError, isVeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import type { ObjectRef } from '../../cluster/replicated-objects.js'
import type { SwiftServices } from '../../swift/index.js'
import type { ObjectMetadata, OpenObject } from '../../store/types.js'
import { evaluatePreconditions, failsOnMissing, parseRangeHeader, rangesForLength, type ByteRange, type ConditionalHeaders } from './conditional.js'
import { swiftHtmlBody } from '../error-response.js'
import { checkMetadata } from './metadata.js'
import { checkNameLength } from './swift-path.js'
import { bodyLength, type SwiftRequest } from './request.js'
import { htmlStatus, type SwiftResponse } from './respond.js'

/** "x-object-meta-color" → "X-Object-Meta-Color", as Swift stores and returns header names. */
export function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase())
}

function lastModified(meta: ObjectMetadata, metaTs?: string): Timestamp {
  return Timestamp.parse(metaTs ?? meta.timestamp)
}

export function objectHeaders(meta: ObjectMetadata, metaTs?: string): Record<string, string> {
  const ts = lastModified(meta, metaTs)
  const h: Record<string, string> = { 'Content-Type': meta.headers['content-type'] ?? meta.contentType }
  for (const [k, v] of Object.entries(meta.headers)) if (k !== 'content-type') h[titleCase(k)] = v
  h.Etag = meta.etag
  h['Last-Modified'] = ts.httpDate
  h['X-Timestamp'] = ts.normal
  h['Accept-Ranges'] = 'bytes'
  return h
}

function refOf(req: SwiftRequest): ObjectRef {
  return { account: req.path.account, container: req.path.container as string, object: req.path.object as string }
}

export async function handleObject(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return read(s, req)
    case 'PUT':
      return put(s, req)
    case 'POST':
      checkMetadata(req.headers, 'object', s.constraints)
      await s.objects.post(refOf(req), req.headers)
      return htmlStatus(202)
    case 'DELETE':
      await s.objects.delete(refOf(req), req.headers['x-if-delete-at'])
      return htmlStatus(204)
    default:
      throw new VeloxError('method-not-allowed', 'method not allowed', { headers: { Allow: 'HEAD, GET, PUT, POST, DELETE, COPY' } })
  }
}

/** A failed precondition as swob answers it: the headers without Accept-Ranges, an empty body. */
function preconditionFailed(headers: Record<string, string>): SwiftResponse {
  const { 'Accept-Ranges': _ignored, ...rest } = headers
  return { status: 412, headers: { ...rest, 'Content-Type': 'text/html; charset=UTF-8' }, body: '' }
}

async function openForRead(s: SwiftServices, req: SwiftRequest, cond: ConditionalHeaders): Promise<OpenObject | SwiftResponse> {
  try {
    return await s.objects.open(refOf(req))
  } catch (err) {
    if (isVeloxError(err, 'not-found') && failsOnMissing(cond)) return preconditionFailed({})
    throw err
  }
}

async function read(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  const h = req.headers
  const cond: ConditionalHeaders = { ifMatch: h['if-match'], ifNoneMatch: h['if-none-match'], ifModifiedSince: h['if-modified-since'], ifUnmodifiedSince: h['if-unmodified-since'] }
  const opened = await openForRead(s, req, cond)
  if ('status' in opened) return opened
  const o = opened
  let handedOff = false
  try {
    const headers = objectHeaders(o.meta, o.metaTimestamp)
    if (req.wholeManifest?.(o.meta.headers)) {
      if (req.method === 'HEAD') return { status: 200, headers, length: o.meta.size }
      handedOff = true
      return { status: 200, headers, length: o.meta.size, body: closing(o, o.stream()) }
    }
    const lm = Math.ceil(lastModified(o.meta, o.metaTimestamp).seconds)
    const pre = evaluatePreconditions(cond, o.meta.etag, lm)
    if (pre === 'not-modified') return { status: 304, headers }
    if (pre === 'failed') return preconditionFailed(headers)
    const size = o.meta.size
    if (req.method === 'HEAD') return { status: 200, headers, length: size }
    let ranges = rangesForLength(parseRangeHeader(h.range), size)
    if (ranges && ranges.length === 0) {
      // swob keeps the object's Content-Type and sends the default 416 text.
      return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` }, body: swiftHtmlBody(416) }
    }
    // A suffix range of an empty object: swob answers 200 with the (empty) object.
    if (size === 0) ranges = undefined
    handedOff = true
    if (!ranges) return { status: 200, headers, length: size, body: closing(o, o.stream()) }
    if (ranges.length === 1) {
      const r = ranges[0]
      return {
        status: 206,
        headers: { ...headers, 'Content-Range': `bytes ${r.start}-${r.end - 1}/${size}` },
        length: r.end - r.start,
        body: closing(o, o.stream({ start: r.start, end: r.end - 1 })),
      }
    }
    const boundary = randomBytes(16).toString('hex')
    const ct = headers['Content-Type']
    return {
      status: 206,
      headers: { ...headers, 'Content-Type': `multipart/byteranges;boundary=${boundary}` },
      length: multipartLength(ranges, boundary, ct, size),
      body: closing(o, Readable.from(multipart(o, ranges, boundary, ct, size))),
    }
  } finally {
    if (!handedOff) await o.close()
  }
}

export function partHead(i: number, r: ByteRange, boundary: string, ct: string, size: number): string {
  return `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${ct}\r\nContent-Range: bytes ${r.start}-${r.end - 1}/${size}\r\n\r\n`
}

export function multipartLength(ranges: ByteRange[], boundary: string, ct: string, size: number): number {
  let n = Buffer.byteLength(`\r\n--${boundary}--`)
  ranges.forEach((r, i) => (n += Buffer.byteLength(partHead(i, r, boundary, ct, size)) + r.end - r.start))
  return n
}

async function* multipart(o: OpenObject, ranges: ByteRange[], boundary: string, ct: string, size: number): AsyncGenerator<Buffer> {
  for (const [i, r] of ranges.entries()) {
    yield Buffer.from(partHead(i, r, boundary, ct, size))
    for await (const chunk of o.stream({ start: r.start, end: r.end - 1 })) yield chunk as Buffer
  }
  yield Buffer.from(`\r\n--${boundary}--`)
}

/** Closes the opened object when its body stream ends or fails. */
function closing(o: OpenObject, body: Readable): Readable {
  const close = () => void o.close()
  body.once('close', close)
  return body
}

async function put(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  checkNameLength(req.path, s.constraints)
  checkMetadata(req.headers, 'object', s.constraints)
  const len = bodyLength(req.raw)
  if (len === 'missing') throw new VeloxError('length-required', 'Missing Content-Length header.', { explain: true })
  if (len !== undefined && !(Number.isSafeInteger(len) && len >= 0)) throw new VeloxError('bad-request', 'Invalid Content-Length header value', { explain: true })
  const container = await s.containers.find(req.path.account, req.path.container as string)
  if (!container) throw new VeloxError('not-found', 'container not found')
  const meta = await s.objects.put(refOf(req), { headers: req.headers, body: req.raw, length: len, timestamp: req.timestamp }).catch((err: unknown) => {
    // Swift's 422 comes from the object server and carries the PUT's Last-Modified.
    if (isVeloxError(err, 'etag-mismatch')) {
      const headers = { ...(err.detail?.headers as Record<string, string> | undefined), 'Last-Modified': new Date().toUTCString() }
      throw new VeloxError('etag-mismatch', err.message, { ...err.detail, headers })
    }
    throw err
  })
  return htmlStatus(201, { Etag: meta.etag, 'Last-Modified': Timestamp.parse(meta.timestamp).httpDate })
}

/** "container/object" (URL-encoded, optional leading slash) → a reference, as the copy middleware checks it. */
export function parseCopyPath(value: string, account: string, header: string): ObjectRef {
  let v: string
  try {
    v = decodeURIComponent(value)
  } catch {
    throw new VeloxError('precondition-failed', `${header} header must be UTF-8 encoded`, { explain: 'html' })
  }
  if (v.startsWith('/')) v = v.slice(1)
  const slash = v.indexOf('/')
  if (slash <= 0 || slash === v.length - 1) {
    throw new VeloxError('precondition-failed', `${header} header must be of the form <container name>/<object name>`, { explain: 'html' })
  }
  return { account: decodeURIComponent(account), container: v.slice(0, slash), object: v.slice(slash + 1) }
}
