/**
 * The symlink feature (Swift's `symlink` middleware, last in the pipeline): PUT with
 * X-Symlink-Target stores a zero-byte link (static links checked against their target's
 * etag), GET/HEAD follow links up to symloop_max hops and report Content-Location,
 * `?symlink=get` answers the link itself, POST to a link answers 307, and JSON container
 * listings show symlink_path. The link semantics live in swift/symlinks.ts.
 */
import { Readable } from 'node:stream'
import { VeloxError, isVeloxError } from '../../../errors.js'
import type { ObjectRef } from '../../../cluster/replicated-objects.js'
import type { SwiftServices } from '../../../swift/index.js'
import {
  DEFAULT_SYMLOOP_MAX,
  parseSymlinkPut,
  symlinkClientHeaders,
  symlinkListingRecord,
  symlinkOf,
  symlinkSysmeta,
  targetPath,
  targetRef,
} from '../../../swift/symlinks.js'
import { listingFormat, renderObjectRecords } from '../listing-format.js'
import type { Next, SwiftFeature } from '../pipeline.js'
import { authorizeSubrequest, bodyLength, type SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'
import { versionsContainerOf } from '../../../swift/object-versioning.js'

const SYMLOOP_MAX = DEFAULT_SYMLOOP_MAX

export const symlinkFeature: SwiftFeature = {
  name: 'symlink',
  stage: 'post-auth',
  info: () => ({ symloop_max: SYMLOOP_MAX, static_links: true }),
  async handle(s, req, next) {
    if (req.path.container === undefined) return next()
    if (req.path.object === undefined) return req.method === 'GET' ? listing(req, next) : next()
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        return req.query.get('symlink') === 'get' ? linkItself(next) : follow(s, req, next, { followSoftlinks: true })
      case 'PUT':
        return req.headers['x-symlink-target'] !== undefined ? put(s, req, next) : next()
      case 'POST':
        return post(s, req, next)
      default:
        return next()
    }
  },
}

function refOf(req: SwiftRequest): ObjectRef {
  return { account: req.path.account, container: req.path.container as string, object: req.path.object as string }
}

function header(h: Record<string, string | number>, name: string): string | undefined {
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return String(v)
  return undefined
}

function discard(r: SwiftResponse): void {
  if (r.body instanceof Readable) r.body.destroy()
}

/** A 409 with Swift's plain-text explanation and the target path it concerns. */
function conflict(msg: string, location?: string): VeloxError {
  return new VeloxError('conflict', msg, { explain: true, headers: location ? { 'Content-Location': location } : {} })
}

/** The error of a hop, with Content-Location naming the target that answered it. */
function withLocation(err: unknown, location: string | undefined): unknown {
  if (!location || !(err instanceof VeloxError)) return err
  const headers = { ...((err.detail?.headers as Record<string, string>) ?? {}), 'Content-Location': location }
  return new VeloxError(err.kind, err.message, { ...err.detail, headers }, { cause: err })
}

async function linkItself(next: Next): Promise<SwiftResponse> {
  const r = await next()
  const link = symlinkOf(r.headers)
  if (link) Object.assign(r.headers, symlinkClientHeaders(link))
  return r
}

/** A sub-request for the target of a link, authorized on its own path (Swift's make_subrequest). */
async function hopRequest(s: SwiftServices, req: SwiftRequest, ref: ObjectRef, method: string, from: SwiftRequest = req): Promise<SwiftRequest> {
  const path = { version: req.path.version, ...ref }
  // A name object_versioning links to its current version: the hidden versions container has
  // no ACL, and Swift serves the version to whoever may read the name (a container ACL).
  const versionLink = ref.account === from.path.account && from.path.container !== undefined && ref.container === versionsContainerOf(from.path.container)
  const grant = versionLink ? from.grant : await authorizeSubrequest(s, req, method, path)
  return { ...req, method, path, query: new URLSearchParams(), grant, authorized: true }
}

/**
 * _recursive_get_head: answers the object, following links (static links always, dynamic
 * ones unless `followSoftlinks` is false for the first step) and checking a static link's
 * etag against what it reaches.
 */
async function follow(s: SwiftServices, req: SwiftRequest, next: Next, opts: { followSoftlinks: boolean; targetEtag?: string; location?: string }): Promise<SwiftResponse> {
  let loops = 0
  let current = req
  let expectEtag = opts.targetEtag
  let followSoft = opts.followSoftlinks
  let location = opts.location
  for (;;) {
    let r: SwiftResponse
    try {
      r = await next(current)
    } catch (err) {
      throw withLocation(err, location)
    }
    const link = symlinkOf(r.headers)
    if (link && (link.etag || followSoft)) {
      discard(r)
      const found = link.etag ?? header(r.headers, 'etag')
      if (expectEtag && expectEtag !== found) throw conflict('X-Symlink-Target-Etag headers do not match', location)
      if (loops >= SYMLOOP_MAX) throw conflict(`Too many levels of symbolic links, maximum allowed is ${SYMLOOP_MAX}`)
      location = targetPath(req.path.version, link, current.path.account)
      try {
        current = await hopRequest(s, req, targetRef(link, current.path.account), req.method, current)
      } catch (err) {
        throw withLocation(err, location) // a denied target, as Swift's subrequest answers it
      }
      if (!link.extendLoop) loops++
      expectEtag = link.etag
      followSoft = true
      continue
    }
    const finalEtag = header(r.headers, 'etag')
    if (finalEtag && expectEtag && finalEtag !== expectEtag) {
      discard(r)
      throw conflict(`Object Etag '${finalEtag}' does not match X-Symlink-Target-Etag header '${expectEtag}'`, location)
    }
    if (location) r.headers['Content-Location'] = location
    return r
  }
}

/** handle_put: a zero-byte body, a valid target, and for a static link a target whose etag matches. */
async function put(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const len = bodyLength(req.raw)
  let hasBody = typeof len === 'number' && len !== 0
  if (len === undefined) {
    for await (const chunk of req.raw) {
      if ((chunk as Buffer).length > 0) {
        hasBody = true
        break
      }
    }
  }
  if (hasBody) throw new VeloxError('bad-request', 'Symlink requests require a zero byte body', { explain: true })
  const p = parseSymlinkPut(req.headers, refOf(req))
  const headers = { ...req.headers }
  let staticTarget: { etag: string; bytes: number } | undefined
  if (p.etag) {
    const location = `/${req.path.version}/${p.account ?? encodeURIComponent(req.path.account)}/${p.target}`
    let r: SwiftResponse
    try {
      const head = await hopRequest(s, { ...req, headers: withoutConditions(req.headers) }, p.ref, 'HEAD')
      r = await follow(s, head, next, { followSoftlinks: false, targetEtag: p.etag, location })
    } catch (err) {
      if (isVeloxError(err, 'not-found')) throw conflict('X-Symlink-Target does not exist', location)
      throw err
    }
    const bytes = r.length ?? Number(header(r.headers, 'content-length') ?? 0)
    staticTarget = { etag: p.etag, bytes }
    if (!headers['content-type']) headers['content-type'] = header(r.headers, 'content-type')
  } else if (!headers['content-type']) {
    headers['content-type'] = 'application/symlink'
  }
  return next({ ...req, headers: { ...headers, ...symlinkSysmeta(p, staticTarget) } })
}

/** The validation HEAD is a plain HEAD of the target: the PUT's own conditions do not apply to it. */
function withoutConditions(h: Record<string, string | undefined>): Record<string, string | undefined> {
  const { 'if-match': _a, 'if-none-match': _b, 'if-modified-since': _c, 'if-unmodified-since': _d, range: _e, ...rest } = h
  return rest
}

/** handle_post: metadata lands on the link itself, and the client is told where the target is. */
async function post(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  if (req.headers['x-symlink-target'] !== undefined) throw new VeloxError('bad-request', 'A PUT request is required to set a symlink target', { explain: true })
  const r = await next()
  if (r.status >= 300) return r
  let link
  try {
    const o = await s.objects.open(refOf(req))
    link = symlinkOf(o.meta.headers)
    await o.close()
  } catch (err) {
    if (isVeloxError(err, 'not-found')) return r
    throw err
  }
  if (!link) return r
  const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=UTF-8', Location: targetPath(req.path.version, link, req.path.account) }
  if (link.etag) headers['X-Symlink-Target-Etag'] = link.etag
  return { status: 307, headers, body: 'The requested POST was applied to a symlink. POST directly to the target to apply requested metadata.' }
}

/** Container GET: the listing is read as JSON, link records rewritten, then rendered as asked. */
async function listing(req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const format = listingFormat(req.query.get('format') ?? undefined, req.headers.accept)
  if (!format) return next()
  const query = new URLSearchParams(req.query)
  query.set('format', 'json')
  const r = await next({ ...req, query })
  if (r.status !== 200 || r.body === undefined || r.body instanceof Readable) return r
  const text = r.body.toString()
  if (format === 'application/json' && !text.includes('symlink_target=')) return r
  const records = (JSON.parse(text) as Record<string, unknown>[]).map((rec) => symlinkListingRecord(rec, req.path.version, req.path.account))
  const headers = { ...r.headers, 'Content-Type': `${format}; charset=utf-8` }
  if (format === 'text/plain' && records.length === 0) return { status: 204, headers }
  return { status: 200, headers, body: renderObjectRecords(records, format, req.path.container as string) }
}
