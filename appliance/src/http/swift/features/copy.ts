/**
 * The `copy` feature (Swift's copy middleware, right of staticweb and left of the quotas,
 * slo, dlo, versioned_writes and symlink): COPY becomes a PUT of the Destination with
 * X-Copy-From, and a PUT with X-Copy-From GETs its source through the rest of the pipeline,
 * then PUTs those bytes through it. So a large object copies assembled and a symlink copies
 * its target, unless the request asks for the manifest (`?multipart-manifest=get`) or the
 * link (`?symlink=get`), which then copy as a manifest or a link. It owns the header rules
 * of the copy (source metadata, X-Fresh-Metadata, Etag, Content-Type) and X-Copied-From*;
 * storing the object is the object handler's.
 */
import { Readable } from 'node:stream'
import { VeloxError } from '../../../errors.js'
import type { ObjectRef } from '../../../cluster/replicated-objects.js'
import type { SwiftServices } from '../../../swift/index.js'
import type { HeaderMap, SwiftPath } from '../../../swift/types.js'
import { checkMetadata } from '../metadata.js'
import { parseCopyPath, titleCase } from '../object.js'
import type { Next, SwiftFeature } from '../pipeline.js'
import { authorizeSubrequest, bodyLength, putWithBody, type SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'
import { checkNameLength } from '../swift-path.js'
import { isTrue } from './large-object-response.js'

/** Source headers a (non-fresh) copy does not take over: the sink computes its own. */
const EXCLUDED = new Set(['x-static-large-object', 'x-object-manifest', 'etag', 'content-type', 'x-timestamp', 'x-backend-timestamp', 'x-delete-at'])
/** Request headers the source GET carries (who is asking; a Range, which Swift 2.30 copies only the part of). */
const SOURCE_GET_KEEP = ['x-auth-token', 'x-storage-token', 'x-service-token', 'referer', 'host', 'user-agent', 'range']
const OVERRIDE_PREFIX = 'x-object-sysmeta-container-update-override-'

export const copyFeature: SwiftFeature = {
  name: 'copy',
  stage: 'post-auth',
  async handle(s, req, next) {
    if (req.path.object === undefined) return next()
    if (req.method === 'COPY') return handleCopy(s, req, next)
    if (req.method === 'PUT' && req.headers['x-copy-from'] !== undefined) return handlePut(s, req, next)
    return next()
  },
}

/** handle_COPY: the request becomes a PUT of the destination (authorized as one). */
async function handleCopy(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const destHeader = req.headers.destination
  if (!destHeader) throw new VeloxError('precondition-failed', 'Destination header required', { explain: 'html' })
  const dest = parseCopyPath(destHeader, req.headers['destination-account'] ?? req.path.account, 'Destination')
  const path: SwiftPath = { version: req.path.version, ...dest }
  checkNameLength(path, s.constraints)
  // (a request authorized within a scope, such as a folder shared with a user, copies within it)
  const grant = await authorizeSubrequest(s, req, 'PUT', path)
  const { destination: _d, 'destination-account': _a, ...headers } = req.headers
  const source = { account: req.path.account, container: req.path.container as string, object: req.path.object as string }
  return copyInto(s, { ...req, method: 'PUT', path, headers, grant }, source, next)
}

/** handle_PUT with X-Copy-From: a zero-byte body, the source readable by the caller. */
async function handlePut(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const len = bodyLength(req.raw)
  if (typeof len === 'number' && len > 0) throw new VeloxError('bad-request', 'Copy requests require a zero byte body', { explain: true })
  const source = parseCopyPath(req.headers['x-copy-from'] as string, req.headers['x-copy-from-account'] ?? req.path.account, 'X-Copy-From')
  const { 'x-copy-from': _f, 'x-copy-from-account': _a, ...headers } = req.headers
  return copyInto(s, { ...req, headers }, source, next)
}

/** GETs the source through the pipeline and PUTs its body to `sink.path`. */
async function copyInto(s: SwiftServices, sink: SwiftRequest, source: ObjectRef, next: Next): Promise<SwiftResponse> {
  checkMetadata(sink.headers, 'object', s.constraints)
  const src = await getSource(s, sink, source, next)
  if (src.status >= 300) return src
  const length = src.length ?? (typeof src.body === 'string' ? Buffer.byteLength(src.body) : Buffer.isBuffer(src.body) ? src.body.length : src.body ? undefined : 0)
  if (length === undefined || length > s.constraints.max_file_size) {
    // A DLO of more than one listing page streams without a length: Swift refuses to copy it.
    if (src.body instanceof Readable) src.body.destroy()
    throw new VeloxError('too-large', 'Your request is too large.', { explain: true })
  }
  const sh = lowerCased(src.headers)
  const { headers, query } = sinkHeaders(sink, sh, src.status)
  headers['content-length'] = String(length)
  const body = src.body instanceof Readable ? src.body : Readable.from(src.body === undefined ? [] : [Buffer.from(src.body)])
  const raw = putWithBody(sink.raw, headers, body)
  let put: SwiftResponse
  try {
    put = await next({ ...sink, headers, query, raw })
  } finally {
    // Read to the end by a PUT that succeeded; a refused one (quota, auth) never read it, and
    // the source's open file must not wait for the garbage collector.
    body.destroy()
  }
  if (put.status < 200 || put.status > 299) return put
  const extra: Record<string, string> = {
    'X-Copied-From': `${encodeURIComponent(source.container)}/${encodeURI(source.object)}`,
    'X-Copied-From-Account': encodeURIComponent(source.account),
  }
  if (sh['last-modified'] !== undefined) extra['X-Copied-From-Last-Modified'] = sh['last-modified']
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('x-object-meta-') && v !== undefined) extra[titleCase(k)] = v
  return { ...put, headers: { ...put.headers, ...extra } }
}

/** The source GET (Swift's copy_get): the manifest as raw JSON with multipart-manifest=get, the link with symlink=get. */
async function getSource(s: SwiftServices, sink: SwiftRequest, source: ObjectRef, next: Next): Promise<SwiftResponse> {
  const path: SwiftPath = { version: sink.path.version, ...source }
  const grant = await authorizeSubrequest(s, sink, 'GET', path)
  const query = new URLSearchParams()
  if (sink.query.get('multipart-manifest') === 'get') {
    query.set('multipart-manifest', 'get')
    query.set('format', 'raw')
  }
  if (sink.query.get('symlink') === 'get') query.set('symlink', 'get')
  // ?version-id= names the source's version (object versioning); the sink PUT drops it.
  const versionId = sink.query.get('version-id')
  if (versionId !== null) query.set('version-id', versionId)
  const headers: HeaderMap = {}
  for (const k of SOURCE_GET_KEEP) if (sink.headers[k] !== undefined) headers[k] = sink.headers[k]
  return next({ ...sink, method: 'GET', path, headers, query, grant, authorized: true })
}

function lowerCased(h: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v)]))
}

/** copy.py handle_PUT's sink headers and query. */
function sinkHeaders(sink: SwiftRequest, sh: Record<string, string>, status: number): { headers: HeaderMap; query: URLSearchParams } {
  const headers: HeaderMap = {}
  const fresh = isTrue(sink.headers['x-fresh-metadata'])
  for (const [k, v] of Object.entries(sh)) {
    if (fresh ? k.startsWith('x-object-sysmeta-') : !EXCLUDED.has(k)) headers[k] = v
  }
  Object.assign(headers, sink.headers)
  const query = new URLSearchParams(sink.query)
  const manifestGet = sink.query.get('multipart-manifest') === 'get'
  if (manifestGet) {
    if (sh['x-static-large-object'] !== undefined) query.set('multipart-manifest', 'put')
    if (sh['x-object-manifest'] !== undefined) {
      query.delete('multipart-manifest')
      headers['x-object-manifest'] = sh['x-object-manifest']
    }
  }
  query.delete('symlink')
  query.delete('version-id')
  if (status === 200 && sh['x-static-large-object'] === undefined && (sh['x-object-manifest'] === undefined || manifestGet)) {
    // The source's etag verifies the copied bytes (not for a large object: its ETag is no md5 of them).
    headers.etag = sh.etag?.replace(/^"(.*)"$/, '$1')
  } else {
    for (const k of Object.keys(headers)) if (k.startsWith(OVERRIDE_PREFIX)) delete headers[k]
  }
  if (!sink.headers['content-type']) headers['content-type'] = sh['content-type']
  return { headers, query }
}
