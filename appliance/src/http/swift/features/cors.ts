/**
 * CORS on the Swift surface (the proxy controllers' part in Swift, not a middleware): answers
 * OPTIONS (200 with Allow; for a preflight with an Origin, the Access-Control-* headers or 401
 * when the origin or method is not allowed) and stamps Access-Control-Allow-Origin /
 * Expose-Headers on the answers, errors included, to container and object requests that
 * carry an allowed Origin. Runs last before authorization, because Swift's controllers wrap
 * the auth check (a 401 to a browser still carries the CORS headers). Rules: swift/cors.ts.
 */
import { isVeloxError, VeloxError } from '../../../errors.js'
import { ALLOWED_METHODS, actualResponseHeaders, corsRules, preflight, withCopy } from '../../../swift/cors.js'
import type { SwiftServices } from '../../../swift/index.js'
import { swiftHtmlBody } from '../../error-response.js'
import type { SwiftFeature } from '../pipeline.js'
import type { SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'
import { targetOf } from '../swift-path.js'

async function rulesOf(s: SwiftServices, req: SwiftRequest) {
  const info = await s.infoCache.container(req.path.account, req.path.container as string)
  return corsRules(info.meta)
}

async function options(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  const target = targetOf(req.path)
  const methods = ALLOWED_METHODS[target]
  const copy = (h: Record<string, string>) => (target === 'object' ? withCopy(h) : h)
  const plain: SwiftResponse = { status: 200, headers: copy({ 'Content-Type': 'text/html; charset=UTF-8', Allow: methods.join(', ') }) }
  const origin = req.headers.origin
  if (!origin || target === 'account') return plain
  const d = preflight(await rulesOf(s, req), origin, req.headers['access-control-request-method'], req.headers['access-control-request-headers'], methods, s.cors)
  if (!d.allowed) return { status: 401, headers: { 'Content-Type': 'text/html; charset=UTF-8', Allow: methods.join(', ') }, body: swiftHtmlBody(401) }
  // Swift replaces the preflight answer's headers wholesale: no Content-Type.
  return { status: 200, headers: copy(d.headers) }
}

/** Adds the CORS headers to a header map, appending to an existing Vary. */
function stamp(headers: Record<string, string | number>, extra: Record<string, string>): Record<string, string | number> {
  for (const [k, v] of Object.entries(extra)) {
    const existing = Object.keys(headers).find((h) => h.toLowerCase() === k.toLowerCase())
    if (k === 'Vary' && existing) headers[existing] = `${headers[existing]}, ${v}`
    else headers[k] = v
  }
  return headers
}

export const corsFeature: SwiftFeature = {
  name: 'cors',
  stage: 'pre-auth',
  async handle(s, req, next) {
    if (req.method === 'OPTIONS') return options(s, req)
    const origin = req.headers.origin
    if (!origin || targetOf(req.path) === 'account') return next()
    const rules = await rulesOf(s, req)
    let res: SwiftResponse
    try {
      res = await next()
    } catch (err) {
      if (!isVeloxError(err) || err.kind === 'internal') throw err
      const headers = { ...((err.detail?.headers as Record<string, string>) ?? {}) }
      const extra = actualResponseHeaders(rules, origin, Object.keys(headers), s.cors)
      if (!extra) throw err
      throw new VeloxError(err.kind, err.message, { ...err.detail, headers: stamp(headers, extra) }, { cause: err })
    }
    const extra = actualResponseHeaders(rules, origin, Object.keys(res.headers), s.cors)
    if (extra) stamp(res.headers, extra)
    return res
  },
}
