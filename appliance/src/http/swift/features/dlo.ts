/**
 * The `dlo` feature (Swift's dlo middleware), HTTP side: a GET/HEAD of an object carrying
 * X-Object-Manifest answers with the concatenation of the segments listed under its
 * container/prefix (ETag = quoted md5 of their etags, Content-Length their sum, one range
 * honoured; several ranges are ignored, as in Swift), `?multipart-manifest=get` returns the
 * manifest object itself, and a PUT's X-Object-Manifest must be "container/prefix". The
 * semantics live in swift/dlo.ts.
 */
import type { SwiftFeature } from '../pipeline.js'
import type { SwiftResponse } from '../respond.js'
import { assembledResponse, discardBody, segmentCaller } from './large-object-response.js'

export const dloFeature: SwiftFeature = {
  name: 'dlo',
  stage: 'post-auth',
  async handle(s, req, next) {
    if (!req.path.object) return next()
    if (req.method === 'PUT' && req.headers['x-object-manifest'] !== undefined) s.dlo.checkManifestHeader(req.headers['x-object-manifest'])
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.query.get('multipart-manifest') === 'get') return next()
    const prev = req.wholeManifest
    req.wholeManifest = (h) => h['x-object-manifest'] !== undefined || (prev?.(h) ?? false)
    let res: SwiftResponse
    try {
      res = await next()
    } finally {
      req.wholeManifest = prev
    }
    const manifest = res.headers['X-Object-Manifest']
    if (res.status !== 200 || manifest === undefined) return res
    discardBody(res.body)
    const caller = segmentCaller(s, req)
    const listing = await s.dlo.list(req.path.account, String(manifest), caller)
    const headers: Record<string, string | number> = { ...res.headers }
    delete headers.Etag
    if (listing.etag) headers.Etag = listing.etag
    const name = `/${req.path.version}/${req.path.account}/${req.path.container}/${req.path.object}`
    const stream = (first: number, last: number) => s.dlo.reader.stream(s.dlo.reads(req.path.account, listing, first, last), caller, name)
    if (!listing.complete) {
      // More than one listing page: length and ETag unknown, the whole object streams chunked.
      if (req.method === 'HEAD') return { status: 200, headers }
      return { status: 200, headers, body: await stream(0, Infinity) }
    }
    return assembledResponse(req, headers, listing.size, stream, { dlo: true })
  },
}
