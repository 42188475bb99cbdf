/**
 * The Swift surface: /auth/v1.0 (and /auth/v1.0/), /info, /healthcheck and
 * /v1/<account>[/<container>[/<object>]]. Parses the path once, authorizes, dispatches to
 * the account/container/object handler, and returns a SwiftResponse; errors go to the one
 * error table. /v1 answers to requests without a token header are marked as user content for
 * browsers (nosniff, sandbox CSP: user-content.ts).
 */
import type { IncomingMessage } from 'node:http'
import { VeloxError, isVeloxError } from '../../errors.js'
import type { SwiftServices } from '../../swift/index.js'
import type { HeaderMap } from '../../swift/types.js'
import { SESSION_COOKIE, readCookie } from '../cookies.js'
import { isKeystonePath } from '../keystone/router.js'
import { targetOf } from './swift-path.js'
import { handleAccount } from './account.js'
import { handleContainer } from './container.js'
import { FEATURES } from './features.js'
import { handleObject } from './object.js'
import { runFeatures, type SwiftFeature } from './pipeline.js'
import { headerMap, type SwiftRequest } from './request.js'
import type { SwiftResponse } from './respond.js'
import { parseSwiftPath } from './swift-path.js'
import { asUserContent, asUserContentError, sentToken } from './user-content.js'

/** tempauth's auth_prefix is /auth/: a bare /v1.0 is the proxy's (412), as in Swift. */
const AUTH_PATHS = new Set(['/auth/v1.0', '/auth/v1.0/'])

/**
 * A first segment shaped like an API version (`v2`, `v1.1`): Swift's proxy answers such a
 * path itself (412 without an account, 400 for a version it does not serve). The web app's
 * routes (`/`, `/files`, `/api`, `/s/…`, `/auth…`, `/admin`, `/assets`) never look like one;
 * Keystone's `/v3` paths stay with the Keystone surface.
 */
const VERSION_LIKE = /^\/v\d+(\.\d+)?(\/|$)/

export function isSwiftPath(path: string): boolean {
  return AUTH_PATHS.has(path) || path === '/info' || path === '/healthcheck' || (VERSION_LIKE.test(path) && !isKeystonePath(path))
}

/** The path after the features' pre-parse rewrites (domain_remap maps a Host to an account/container). */
function rewritePath(s: SwiftServices, host: string | undefined, path: string): string {
  for (const f of FEATURES) path = f.rewritePath?.(s, host, path) ?? path
  return path
}

/** True when the Swift surface answers this request (its path, or the path its Host maps to). */
export function isSwiftRequest(s: SwiftServices, path: string, host: string | undefined): boolean {
  try {
    return isSwiftPath(rewritePath(s, host, path))
  } catch {
    return true // a Host the rewrite refuses: routeSwift answers with the error
  }
}

export async function routeSwift(s: SwiftServices, raw: IncomingMessage, clientPath: string, query: URLSearchParams, transId: string, scheme: string): Promise<SwiftResponse> {
  const method = (raw.method ?? 'GET').toUpperCase()
  const headers = withoutSysmeta(headerMap(raw))
  const rawPath = rewritePath(s, headers.host, clientPath)
  if (AUTH_PATHS.has(rawPath)) return authenticate(s, headers, scheme)
  if (rawPath === '/healthcheck') return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'OK' }
  if (rawPath === '/info') {
    if (method !== 'GET' && method !== 'HEAD') throw new VeloxError('method-not-allowed', 'method not allowed', { headers: { Allow: 'GET, HEAD' } })
    return { status: 200, headers: { 'Content-Type': 'application/json; charset=UTF-8' }, body: JSON.stringify(info(s)) }
  }
  // Only here is it known whether the client sent a token (below, the session cookie stands
  // in for one): the one place where answers a browser may open as a page are marked as user
  // content (user-content.ts); token clients get Swift's headers exactly.
  if (sentToken(headers)) return routeStorage(s, method, headers, rawPath, query, raw, transId, scheme)
  try {
    return asUserContent(await routeStorage(s, method, headers, rawPath, query, raw, transId, scheme))
  } catch (err) {
    throw asUserContentError(err)
  }
}

/** A /v1 request: path, authorization (token or session cookie), the features and the handler. */
async function routeStorage(s: SwiftServices, method: string, headers: HeaderMap, rawPath: string, query: URLSearchParams, raw: IncomingMessage, transId: string, scheme: string): Promise<SwiftResponse> {
  const path = parseSwiftPath(rawPath, s.constraints)
  if (!path) throw badPath(s, headers, rawPath)
  // The web app's session cookie stands in for a token (identity/sessions.ts); state changes need its CSRF token.
  if (s.sessions && headers['x-auth-token'] === undefined && headers['x-storage-token'] === undefined) {
    const token = await s.sessions.swiftToken(readCookie(headers.cookie, SESSION_COOKIE), headers['x-csrf-token'], method)
    if (token) headers['x-auth-token'] = token
  }
  const req: SwiftRequest = { method, path, headers, query, raw, grant: { owner: false }, authorized: false, transId, scheme }
  const pre = FEATURES.filter((f) => f.stage === 'pre-auth')
  const post = FEATURES.filter((f) => f.stage === 'post-auth')
  const res = await runFeatures(s, req, pre, async (r) => {
    if (!r.authorized) {
      const h = r.headers
      const token = h['x-auth-token'] ?? h['x-storage-token']
      const authMethod = r.method === 'COPY' ? 'GET' : r.method
      try {
        r.grant = await s.access.authorize({ method: authMethod, path: r.path, token, serviceToken: h['x-service-token'], referer: h.referer, headers: h })
      } catch (err) {
        return deferredDenial(s, r, post, err)
      }
      r.authorized = true
    }
    return runFeatures(s, r, post, (inner) => dispatch(s, inner))
  })
  for (const k of Object.keys(res.headers)) if (SYSMETA.test(k)) delete res.headers[k]
  if (targetOf(path) !== 'object') withListingVary(method, query, res)
  return res
}

/**
 * A path that names no account Swift serves. Swift's proxy: an account under a version it
 * does not serve (`/v2/AUTH_test`) is a plain 400 (APIVersionError), but tempauth has already
 * denied an anonymous request for one of its accounts (401); a path split_path finds no
 * account in (`/v1`, `/v2`, `/v1//c`) is a bad URL (412).
 */
function badPath(s: SwiftServices, headers: HeaderMap, rawPath: string): VeloxError {
  const account = /^\/[^/]+\/([^/]+)/.exec(rawPath)?.[1]
  if (account === undefined) return new VeloxError('precondition-failed', 'Bad URL', { explain: 'html' })
  if (!sentToken(headers) && s.access.resellerPrefixes.some((p) => p !== '' && account.startsWith(p))) {
    return new VeloxError('unauthorized', 'access denied', { headers: { 'Www-Authenticate': `Swift realm="${account}"` } })
  }
  return new VeloxError('bad-request', 'Invalid path')
}

/**
 * Swift's listing_formats (left of every other feature): a successful account or container
 * GET/HEAD whose format came from Accept (no `format` parameter) says `Vary: Accept`, after
 * any Vary an inner feature set (CORS's Origin); static web pages of a container get it too.
 */
function withListingVary(method: string, query: URLSearchParams, res: SwiftResponse): void {
  if ((method !== 'GET' && method !== 'HEAD') || (res.status !== 200 && res.status !== 204) || query.has('format')) return
  const key = Object.keys(res.headers).find((k) => k.toLowerCase() === 'vary')
  if (key === undefined) res.headers.Vary = 'Accept'
  else if (!String(res.headers[key]).toLowerCase().split(',').map((v) => v.trim()).includes('accept')) res.headers[key] = `${res.headers[key]}, Accept`
}

/** A denied request: the first post-auth feature that answers it itself (SwiftFeature.denied), else the error. */
async function deferredDenial(s: SwiftServices, req: SwiftRequest, post: readonly SwiftFeature[], err: unknown): Promise<SwiftResponse> {
  if (!isVeloxError(err, 'unauthorized') && !isVeloxError(err, 'forbidden')) throw err
  for (const [i, f] of post.entries()) {
    const next = (sub?: SwiftRequest) => runFeatures(s, sub ?? req, post.slice(i + 1), (inner) => dispatch(s, inner))
    const answer = await f.denied?.(s, req, err, next)
    if (answer) return answer
  }
  throw err
}

/** Swift's gatekeeper: clients neither set nor see system metadata; only features write it. */
const SYSMETA = /^x-(account|container|object)-sysmeta-/i

function withoutSysmeta(h: Record<string, string | undefined>): Record<string, string | undefined> {
  for (const k of Object.keys(h)) if (SYSMETA.test(k)) delete h[k]
  return h
}

/** The account, container or object handler for the request's path. */
export function dispatch(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  const target = targetOf(req.path)
  if (target !== 'object' && req.method !== 'GET' && req.method !== 'HEAD') {
    // As Swift's controllers clear_info_cache: a metadata write drops the cached account/container info.
    const { account, container } = req.path
    const done = () => s.infoCache.invalidate(account, container)
    return handle(s, req, target).finally(done)
  }
  return handle(s, req, target)
}

function handle(s: SwiftServices, req: SwiftRequest, target: ReturnType<typeof targetOf>): Promise<SwiftResponse> {
  switch (target) {
    case 'account':
      return handleAccount(s, req)
    case 'container':
      return handleContainer(s, req)
    default:
      return handleObject(s, req)
  }
}

async function authenticate(s: SwiftServices, h: Record<string, string | undefined>, scheme: string): Promise<SwiftResponse> {
  const user = h['x-auth-user'] ?? h['x-storage-user']
  const key = h['x-auth-key'] ?? h['x-storage-pass']
  try {
    const r = await s.access.authenticate(user, key)
    const host = h.host ?? 'localhost'
    return {
      status: 200,
      headers: {
        'Content-Type': 'text/html; charset=UTF-8',
        'X-Auth-Token': r.token,
        'X-Storage-Token': r.token,
        'X-Auth-Token-Expires': String(Math.max(0, Math.floor(r.expiresAt - Date.now() / 1000))),
        'X-Storage-Url': `${scheme}://${host}/v1/${encodeURIComponent(r.account)}`,
      },
    }
  } catch (err) {
    if (err instanceof VeloxError && err.kind === 'unauthorized') {
      const account = user?.split(':')[0] || 'unknown'
      throw new VeloxError('unauthorized', 'authentication failed', { headers: { 'Www-Authenticate': `Swift realm="${encodeURIComponent(account)}"` } })
    }
    throw err
  }
}

function info(s: SwiftServices): Record<string, unknown> {
  const { valid_api_versions: _versions, ...limits } = s.constraints
  return {
    swift: {
      version: '2.30.1',
      strict_cors_mode: true,
      policies: s.policies.info(),
      allow_account_management: true,
      account_autocreate: true,
      ...limits,
    },
    tempauth: { account_acls: true },
    ...Object.fromEntries(FEATURES.map((f) => [f.name, f.info?.(s)]).filter(([, section]) => section !== undefined)),
  }
}
