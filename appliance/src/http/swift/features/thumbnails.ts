/**
 * The thumbnails feature (post-auth): `GET|HEAD /v1/…/object?thumbnail=256|1280` answers the
 * object's WebP rendition under exactly the rules that let this request read the object
 * (token and ACL, TempURL, a share link's subrequest: all authorized before it runs), and
 * `?thumbnail=color` a small JSON {status, color, width, height} for a grid's placeholder.
 * A rendition not made yet is rendered on demand when the thumbnailer is idle and the
 * object small, else 404 with Retry-After (the queue has it); a source that could not be
 * rendered answers a grey placeholder with `X-Thumbnail-Status: failed`. Caching: with
 * `&v=<object etag>` (the listing's etag) the URL names one version, cached for a year;
 * without it, `no-cache` and revalidation by ETag. The thumbnailer is attached to the
 * appliance's SwiftServices by main.ts.
 */
import { VeloxError } from '../../../errors.js'
import type { ObjectRef } from '../../../cluster/replicated-objects.js'
import type { ObjectMetadata } from '../../../store/types.js'
import type { SwiftServices } from '../../../swift/index.js'
import { SIZES, type Size } from '../../../thumbnails/render.js'
import type { Lookup, Thumbnailer } from '../../../thumbnails/thumbnailer.js'
import { Timestamp } from '../../../lib/timestamp.js'
import type { SwiftFeature } from '../pipeline.js'
import { versionLinkTarget } from '../../../swift/object-versioning.js'
import type { SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'

const attached = new WeakMap<SwiftServices, Thumbnailer>()

/** Gives this appliance's Swift API its thumbnailer (the composition root calls it). */
export function attachThumbnailer(s: SwiftServices, t: Thumbnailer): void {
  attached.set(s, t)
}

const IMMUTABLE = 'private, max-age=31536000, immutable'
const REVALIDATE = 'private, no-cache'

export const thumbnailsFeature: SwiftFeature = {
  name: 'thumbnails',
  stage: 'post-auth',
  info: (s) => attached.get(s)?.info(),
  async handle(s, req, next) {
    const want = req.query.get('thumbnail')
    if (want === null || req.path.object === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) return next()
    const t = attached.get(s)
    if (!t) throw new VeloxError('not-found', 'thumbnails are off on this appliance')
    const size = SIZES.find((n) => String(n) === want)
    if (size === undefined && want !== 'color') throw new VeloxError('bad-request', `thumbnail must be one of ${SIZES.join(', ')} or color`, { explain: true })
    let ref: ObjectRef = { account: req.path.account, container: req.path.container as string, object: req.path.object }
    // The object as this request may read it (expired ones are gone); only its facts are needed.
    let source = await s.objects.open(ref)
    await source.close()
    // A name in a container keeping versions links to its current version: render that.
    const version = versionLinkTarget(ref.account, source.meta.headers)
    if (version) {
      ref = version
      source = await s.objects.open(ref)
      await source.close()
    }
    const meta = source.meta
    if (size === undefined) return color(t, ref, meta)
    let found = await t.find(ref, meta, size)
    if (found.state === 'missing') found = await t.request(ref, meta, size)
    return answer(t, req, meta, size, found)
  },
}

async function answer(t: Thumbnailer, req: SwiftRequest, meta: ObjectMetadata, size: Size, found: Lookup): Promise<SwiftResponse> {
  if (found.state === 'unsupported') throw new VeloxError('not-found', 'this object has no thumbnail', { headers: { 'X-Thumbnail-Status': 'unsupported' } })
  if (found.state === 'missing') throw new VeloxError('not-found', 'the thumbnail is not ready yet', { headers: { 'X-Thumbnail-Status': 'pending', 'Retry-After': '2' } })
  const o = found.object
  const pinned = req.query.get('v') === meta.etag
  const headers: Record<string, string> = {
    'Content-Type': 'image/webp',
    Etag: `${meta.etag}-${size}-${found.state === 'failed' ? 'failed' : o.meta.etag}`,
    'Last-Modified': Timestamp.parse(o.meta.timestamp).httpDate,
    'Cache-Control': pinned ? IMMUTABLE : REVALIDATE,
    'X-Thumbnail-Status': found.state,
    'X-Thumbnail-Source-Etag': meta.etag,
    // When the rendition was stored (seconds, as X-Timestamp): how long it took after the upload.
    'X-Thumbnail-Timestamp': Timestamp.parse(o.meta.timestamp).normal,
  }
  if (found.facts.color) headers['X-Thumbnail-Color'] = found.facts.color
  if (notModified(req.headers['if-none-match'], headers.Etag)) {
    await o.close()
    return { status: 304, headers }
  }
  if (found.state === 'failed') {
    await o.close()
    const body = await t.placeholder(size)
    return { status: 200, headers, body: req.method === 'HEAD' ? undefined : body, length: body.length }
  }
  if (req.method === 'HEAD') {
    await o.close()
    return { status: 200, headers, length: o.meta.size }
  }
  const body = o.stream()
  body.once('close', () => void o.close())
  return { status: 200, headers, body, length: o.meta.size }
}

function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch.split(',').some((v) => {
    const tag = v.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1')
    return tag === '*' || tag === etag
  })
}

/** `?thumbnail=color`: what a grid shows before (or instead of) the small rendition. */
async function color(t: Thumbnailer, ref: ObjectRef, meta: ObjectMetadata): Promise<SwiftResponse> {
  const found = await t.find(ref, meta, SIZES[0])
  const out: Record<string, unknown> = { etag: meta.etag }
  if (found.state === 'unsupported' || found.state === 'missing') out.status = found.state === 'missing' ? 'pending' : 'unsupported'
  else {
    await found.object.close()
    out.status = found.state
    if (found.facts.color) out.color = found.facts.color
    if (found.facts.width !== undefined) Object.assign(out, { width: found.facts.width, height: found.facts.height })
  }
  if (out.status === 'pending') t.written(ref, meta)
  return { status: 200, headers: { 'Content-Type': 'application/json; charset=UTF-8', 'Cache-Control': REVALIDATE }, body: JSON.stringify(out) }
}
