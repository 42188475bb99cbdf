/**
 * HTTP helpers shared by the SLO and DLO features: the caller's rights for segment reads
 * (its own token, or the TempURL's scope, as Swift's subrequests carry them), reading a manifest body, and answering a
 * GET/HEAD of an assembled large object (conditionals on its ETag, single and multiple
 * ranges, 416) from a function that streams bytes [first, last] of it.
 */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import type { SwiftServices } from '../../../swift/index.js'
import type { SegmentCaller } from '../../../swift/segments.js'
import { swiftHtmlBody } from '../../error-response.js'
import { evaluatePreconditions, parseRangeHeader, rangesForLength, type ByteRange } from '../conditional.js'
import { multipartLength, partHead } from '../object.js'
import { authorizeSubrequest, type SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'

export function segmentCaller(s: SwiftServices, req: SwiftRequest): SegmentCaller {
  return {
    async authorize(method, path, listingPrefix) {
      await authorizeSubrequest(s, req, method, { version: req.path.version, ...path }, listingPrefix)
    },
  }
}

/** The whole body of a (small) response: a manifest. */
export async function collectBody(body: SwiftResponse['body']): Promise<Buffer> {
  if (body === undefined) return Buffer.alloc(0)
  if (typeof body === 'string') return Buffer.from(body)
  if (Buffer.isBuffer(body)) return body
  const chunks: Buffer[] = []
  for await (const c of body) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

export function discardBody(body: SwiftResponse['body']): void {
  if (body instanceof Readable) body.destroy()
}

export const isTrue = (v: string | number | undefined) => /^(1|true|yes|on|t|y)$/i.test(String(v ?? ''))

/** Streams bytes [first, last] (inclusive) of the assembled object. */
export type RangeStreamer = (first: number, last: number) => Promise<Readable>

/**
 * The response for a GET/HEAD of an assembled object of `size` bytes whose quoted ETag is
 * in `headers.Etag`: 304/412 on conditionals, 416, 200, 206 or multipart/byteranges.
 */
export async function assembledResponse(
  req: SwiftRequest,
  headers: Record<string, string | number>,
  size: number,
  stream: RangeStreamer,
  opts: { dlo: boolean } = { dlo: false },
): Promise<SwiftResponse> {
  const h = req.headers
  const etag = String(headers.Etag ?? '').replace(/^"(.*)"$/, '$1')
  const lm = Math.ceil(Date.parse(String(headers['Last-Modified'])) / 1000)
  const pre = evaluatePreconditions({ ifMatch: h['if-match'], ifNoneMatch: h['if-none-match'], ifModifiedSince: h['if-modified-since'], ifUnmodifiedSince: h['if-unmodified-since'] }, etag, lm)
  if (pre === 'not-modified') return { status: 304, headers }
  if (pre === 'failed') {
    const { 'Accept-Ranges': _ignored, ...rest } = headers
    return { status: 412, headers: { ...rest, 'Content-Type': 'text/html; charset=UTF-8' }, body: '' }
  }
  if (req.method === 'HEAD') return { status: 200, headers, length: size }
  const specs = parseRangeHeader(h.range)
  // dlo.py honours one range only; with several it serves the whole object.
  let ranges = specs && (!opts.dlo || specs.length === 1) ? rangesForLength(specs, size) : undefined
  if (ranges && ranges.length === 0) {
    // dlo.py answers a bare HTTPRequestedRangeNotSatisfiable; slo keeps the object's headers.
    const base = opts.dlo ? { 'Content-Type': 'text/html; charset=UTF-8', 'Accept-Ranges': 'bytes' } : headers
    return { status: 416, headers: { ...base, 'Content-Range': `bytes */${size}` }, body: swiftHtmlBody(416) }
  }
  if (size === 0) ranges = undefined
  if (!ranges) return { status: 200, headers, length: size, body: await stream(0, size - 1) }
  if (ranges.length === 1) {
    const r = ranges[0]
    return { status: 206, headers: { ...headers, 'Content-Range': `bytes ${r.start}-${r.end - 1}/${size}` }, length: r.end - r.start, body: await stream(r.start, r.end - 1) }
  }
  const boundary = randomBytes(16).toString('hex')
  const ct = String(headers['Content-Type'])
  const firstPart = await stream(ranges[0].start, ranges[0].end - 1)
  return {
    status: 206,
    headers: { ...headers, 'Content-Type': `multipart/byteranges;boundary=${boundary}` },
    length: multipartLength(ranges, boundary, ct, size),
    body: Readable.from(multipart(ranges, firstPart, stream, boundary, ct, size)),
  }
}

async function* multipart(ranges: ByteRange[], firstPart: Readable, stream: RangeStreamer, boundary: string, ct: string, size: number): AsyncGenerator<Buffer> {
  try {
    for (const [i, r] of ranges.entries()) {
      yield Buffer.from(partHead(i, r, boundary, ct, size))
      const part = i === 0 ? firstPart : await stream(r.start, r.end - 1)
      for await (const chunk of part) yield chunk as Buffer
    }
    yield Buffer.from(`\r\n--${boundary}--`)
  } finally {
    firstPart.destroy()
  }
}
