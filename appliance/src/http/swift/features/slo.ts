/**
 * The `slo` feature (Swift's slo middleware), HTTP side: `PUT ?multipart-manifest=put`
 * (with `heartbeat=on`), GET/HEAD of the assembled object, `?multipart-manifest=get`
 * (`&format=raw`), `DELETE ?multipart-manifest=delete` with bulk delete's response body,
 * the reserved X-Static-Large-Object header, and `slo_etag` in JSON container listings.
 * The semantics live in swift/slo.ts and swift/slo-manifest.ts.
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { VeloxError, isVeloxError, type ErrorKind } from '../../../errors.js'
import { pyQuote } from '../../../lib/py-json.js'
import { Timestamp } from '../../../lib/timestamp.js'
import type { SwiftServices } from '../../../swift/index.js'
import { SLO_LIMITS, parseManifestInput, parseStoredManifest, rawManifest, sloEtag, sloSize, type InputSegment } from '../../../swift/slo-manifest.js'
import { isSlo, type SegmentProblem } from '../../../swift/slo.js'
import { REASONS, STATUS_OF, clientStatus, swiftErrorResponse } from '../../error-response.js'
import { listingFormat, pyJson, type ListingFormat } from '../listing-format.js'
import { checkMetadata } from '../metadata.js'
import type { Next, SwiftFeature } from '../pipeline.js'
import { bodyLength, putWithBody, type SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'
import { assembledResponse, collectBody, discardBody, isTrue, segmentCaller } from './large-object-response.js'

const statusLine = (status: number) => `${status} ${REASONS[status]?.[0] ?? ''}`.trim()
const problemText = (p: ErrorKind | string) => (p in STATUS_OF ? statusLine(clientStatus(p as ErrorKind)) : p)

export const sloFeature: SwiftFeature = {
  name: 'slo',
  stage: 'post-auth',
  info: () => ({
    max_manifest_segments: SLO_LIMITS.maxManifestSegments,
    max_manifest_size: SLO_LIMITS.maxManifestSize,
    yield_frequency: SLO_LIMITS.yieldFrequencySec,
    min_segment_size: SLO_LIMITS.minSegmentSize,
    allow_async_delete: false,
  }),
  async handle(s, req, next) {
    const { container, object } = req.path
    if (!container) return next()
    if (!object) return req.method === 'GET' ? withSloEtags(await next()) : next()
    const mm = req.query.get('multipart-manifest')
    if (req.method === 'PUT' && mm === 'put') return putManifest(s, req, next)
    if (req.method === 'DELETE' && mm === 'delete') return deleteManifest(s, req)
    if (req.method === 'GET' || req.method === 'HEAD') return mm === 'get' ? manifestGet(req, next) : read(s, req, next)
    if (req.headers['x-static-large-object'] !== undefined) {
      throw new VeloxError('bad-request', 'X-Static-Large-Object is a reserved header. To create a static large object add query param multipart-manifest=put.', { explain: 'html' })
    }
    return next()
  },
}

/** handle_container_listing: "hash; slo_etag=X" → hash, plus "slo_etag": "\"X\"" (JSON only). */
function withSloEtags(res: SwiftResponse): SwiftResponse {
  if (res.status !== 200 || !String(res.headers['Content-Type']).startsWith('application/json') || typeof res.body !== 'string') return res
  const listing = JSON.parse(res.body) as Array<Record<string, unknown>>
  let changed = false
  for (const item of listing) {
    const m = typeof item.hash === 'string' ? /^([^;]*);\s*slo_etag=([^;]*)$/.exec(item.hash) : null
    if (!m) continue
    item.hash = m[1].trim()
    item.slo_etag = `"${m[2].trim()}"`
    changed = true
  }
  return changed ? { ...res, body: pyJson(listing) } : res
}

async function read(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const prev = req.wholeManifest
  req.wholeManifest = (h) => isSlo(h) || (prev?.(h) ?? false)
  let res: SwiftResponse
  try {
    res = await next()
  } finally {
    req.wholeManifest = prev
  }
  if (res.status !== 200 || !isTrue(res.headers['X-Static-Large-Object'])) return res
  const headers: Record<string, string | number> = { ...res.headers }
  const storedEtag = headers['X-Object-Sysmeta-Slo-Etag'] as string | undefined
  const storedSize = headers['X-Object-Sysmeta-Slo-Size'] as string | undefined
  headers['X-Manifest-Etag'] = headers.Etag
  let segments = undefined as ReturnType<typeof parseStoredManifest> | undefined
  if (req.method === 'GET' || storedEtag === undefined || storedSize === undefined) segments = parseStoredManifest(await collectBody(res.body))
  else discardBody(res.body)
  const etag = storedEtag ?? sloEtag(segments!)
  const size = storedSize !== undefined ? Number(storedSize) : sloSize(segments!)
  headers.Etag = `"${etag}"`
  const caller = segmentCaller(s, req)
  const { account, container, object } = req.path
  const name = `/${req.path.version}/${account}/${container}/${object}`
  return assembledResponse(req, headers, size, (first, last) => s.slo.reader.stream(s.slo.reads(account, segments!, first, last, caller), caller, name))
}

async function manifestGet(req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const res = await next()
  if (res.status < 200 || res.status > 299 || !isTrue(res.headers['X-Static-Large-Object'])) return res
  const headers = { ...res.headers }
  if (req.query.get('format') === 'raw') {
    const raw = rawManifest(parseStoredManifest(await collectBody(res.body)))
    headers.Etag = createHash('md5').update(raw).digest('hex')
    return req.method === 'HEAD' ? { status: res.status, headers, length: raw.length } : { status: res.status, headers, body: raw }
  }
  headers['Content-Type'] = 'application/json; charset=utf-8'
  return { ...res, headers }
}

/** The manifest body, at most max_manifest_size bytes (Swift reads no further). */
async function readManifestBody(req: SwiftRequest): Promise<string> {
  const chunks: Buffer[] = []
  let n = 0
  for await (const c of req.raw) {
    const b = c as Buffer
    if (n < SLO_LIMITS.maxManifestSize) chunks.push(b.subarray(0, SLO_LIMITS.maxManifestSize - n))
    n += b.length
  }
  return Buffer.concat(chunks).toString()
}

async function putManifest(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const len = bodyLength(req.raw)
  if (len === 'missing') throw new VeloxError('length-required', 'Missing Content-Length header.')
  if (typeof len === 'number' && len > SLO_LIMITS.maxManifestSize) throw new VeloxError('too-large', `Manifest File > ${SLO_LIMITS.maxManifestSize} bytes`, { explain: 'html' })
  const input = parseManifestInput(await readManifestBody(req), { container: req.path.container as string, object: req.path.object as string })
  if (input.filter((x) => x.kind === 'path').length > SLO_LIMITS.maxManifestSegments) {
    throw new VeloxError('too-large', `Number of object-backed segments must be <= ${SLO_LIMITS.maxManifestSegments}`, { explain: 'html' })
  }
  checkMetadata(req.headers, 'object', s.constraints)
  const out = listingFormat(undefined, req.headers.accept) ?? 'text/plain'
  if (!isTrue(req.query.get('heartbeat') ?? undefined)) {
    const r = await createManifest(s, req, next, input)
    // Swift sends this body (and the delete's) as a chunked iterator: no Content-Length.
    if (r.kind === 'problems') return { status: 400, headers: { 'Content-Type': out }, body: chunked(responseBody(out, {}, r.problems, 'upload')) }
    return { status: 201, headers: { 'Content-Type': 'text/html; charset=UTF-8', Etag: `"${r.etag}"`, 'Last-Modified': r.lastModified, ...r.versionHeaders }, body: '' }
  }
  return { status: 202, headers: { 'Content-Type': out }, body: Readable.from(heartbeat(s, req, next, input, out)) }
}

type Created = { kind: 'created'; etag: string; lastModified: string; versionHeaders?: Record<string, string> } | { kind: 'problems'; problems: Array<[string, string]> }

/** Heads the segments, checks the client's Etag, stores the manifest. */
async function createManifest(s: SwiftServices, req: SwiftRequest, next: Next, input: InputSegment[]): Promise<Created> {
  const { account } = req.path
  const ref = { account, container: req.path.container as string, object: req.path.object as string }
  const checked = await s.slo.check(account, input, segmentCaller(s, req))
  if (!checked.ok) return { kind: 'problems', problems: checked.problems.map((p: SegmentProblem) => [pyQuote(p.name), problemText(p.problem)]) }
  const clientEtag = req.headers.etag?.replace(/^"(.*)"$/, '$1')
  if (clientEtag && clientEtag !== checked.etag) throw new VeloxError('etag-mismatch', 'SLO etag mismatch')
  if (!(await s.containers.find(account, ref.container))) throw new VeloxError('not-found', 'container not found')
  // The manifest PUT goes on through the pipeline (versioned_writes archives the manifest it replaces).
  const write = s.slo.manifestWrite(checked, req.headers)
  const raw = putWithBody(req.raw, write.headers, Readable.from([write.body]))
  const res = await next({ ...req, headers: write.headers, query: new URLSearchParams(), raw })
  if (res.status !== 201) throw new VeloxError(res.status === 404 ? 'not-found' : 'precondition-failed', 'manifest not stored')
  const versionId = res.headers['X-Object-Version-Id']
  return { kind: 'created', etag: checked.etag, lastModified: String(res.headers['Last-Modified']), versionHeaders: versionId ? { 'X-Object-Version-Id': String(versionId) } : undefined }
}

/** heartbeat=on: 202 at once, a space every yield_frequency while working, then the result. */
async function* heartbeat(s: SwiftServices, req: SwiftRequest, next: Next, input: InputSegment[], out: ListingFormat): AsyncGenerator<Buffer> {
  yield Buffer.from(' ')
  const work = createManifest(s, req, next, input).then(
    (r) => ({ r }),
    (err: unknown) => ({ err }),
  )
  for (;;) {
    let timer: NodeJS.Timeout | undefined
    const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), SLO_LIMITS.yieldFrequencySec * 1000)))
    const done = await Promise.race([work, tick])
    clearTimeout(timer)
    if (done === 'tick') {
      yield Buffer.from(' ')
      continue
    }
    let dict: Record<string, unknown>
    let problems: Array<[string, string]> = []
    if ('err' in done) {
      const e = swiftErrorResponse(done.err)
      dict = { 'Response Status': statusLine(e.status), 'Response Body': e.body || (REASONS[e.status] ?? []).join('\n') }
    } else if (done.r.kind === 'problems') {
      problems = done.r.problems
      dict = { 'Response Status': statusLine(400), 'Response Body': (REASONS[400] ?? []).join('\n') }
    } else {
      dict = { 'Response Status': '201 Created', Etag: `"${done.r.etag}"`, 'Last Modified': done.r.lastModified, 'Response Body': '' }
    }
    yield Buffer.from(`\r\n\r\n${responseBody(out, dict, problems, 'upload')}`)
    return
  }
}

async function deleteManifest(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  const out = listingFormat(undefined, req.headers.accept) ?? 'text/plain'
  const ref = { account: req.path.account, container: req.path.container as string, object: req.path.object as string }
  const dict: Record<string, unknown> = { 'Response Status': '200 OK', 'Response Body': '', 'Number Deleted': 0, 'Number Not Found': 0 }
  let failures: Array<[string, string]> = []
  try {
    const r = await s.slo.deleteAll(ref, segmentCaller(s, req))
    dict['Number Deleted'] = r.deleted
    dict['Number Not Found'] = r.notFound
    failures = r.failures.map((f) => [pyQuote(f.name), problemText(f.problem)])
    if (failures.length) dict['Response Status'] = r.failures.some((f) => f.problem === 'internal' || f.problem === 'unavailable') ? '502 Bad Gateway' : statusLine(400)
    else if (!r.deleted && !r.notFound) Object.assign(dict, { 'Response Status': statusLine(400), 'Response Body': 'Invalid bulk delete.' })
  } catch (err) {
    if (!isVeloxError(err)) throw err
    const e = swiftErrorResponse(err)
    Object.assign(dict, { 'Response Status': statusLine(e.status), 'Response Body': e.body })
  }
  return { status: 200, headers: { 'Content-Type': out }, body: chunked(responseBody(out, dict, failures, 'delete')) }
}

/** A body written without Content-Length (Transfer-Encoding: chunked). */
function chunked(text: string): Readable {
  return Readable.from([Buffer.from(text)])
}

/** bulk.get_response_body: JSON, XML (sorted keys) or text (sorted "Key: value" lines, then Errors:). */
function responseBody(format: ListingFormat, dict: Record<string, unknown>, errors: Array<[string, string]>, rootTag: string): string {
  if (format === 'application/json') return pyJson({ ...dict, Errors: errors })
  const keys = Object.keys(dict).sort()
  if (format.endsWith('/xml')) {
    const esc = (v: unknown) => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    const fields = keys.map((k) => `<${k.replace(/ /g, '_').toLowerCase()}>${esc(dict[k])}</${k.replace(/ /g, '_').toLowerCase()}>\n`).join('')
    const errs = errors.map(([n, st]) => `<object><name>${esc(n)}</name><status>${esc(st)}</status></object>\n`).join('')
    return `<${rootTag}>\n${fields}<errors>\n${errs}</errors>\n</${rootTag}>\n`
  }
  return `${keys.map((k) => `${k}: ${String(dict[k])}\n`).join('')}Errors:\n${errors.map(([n, st]) => `${n}, ${st}\n`).join('')}`
}
