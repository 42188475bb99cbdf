/**
 * The Swift request as handlers see it: parsed path, lower-cased single-valued headers,
 * query parameters, the body stream and the grant that authorization produced.
 */
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import { VeloxError } from '../../errors.js'
import type { SwiftServices } from '../../swift/index.js'
import type { Grant, HeaderMap, LinkPlace, SwiftPath } from '../../swift/types.js'
import { UNSUPPORTED_CODING } from '../head-limits.js'
import { headerFromWire } from './header-bytes.js'

export interface SwiftRequest {
  method: string
  path: SwiftPath
  headers: HeaderMap
  query: URLSearchParams
  raw: IncomingMessage
  /** Set by authorization, or by a pre-auth feature that authorized the request itself. */
  grant: Grant
  /** True once the request is authorized (by token/ACL or by a feature such as TempURL). */
  authorized: boolean
  transId: string
  /** "http" or "https", for URLs the response names. */
  scheme: string
  /**
   * Set by the large-object features (Swift's X-Backend-Ignore-Range): when it returns true
   * for an object's stored headers, the object handler answers a GET/HEAD with the whole
   * stored body (the manifest), ignoring Range and conditional headers, for the feature to
   * assemble the large object from.
   */
  wholeManifest?: (storedHeaders: Readonly<Record<string, string>>) => boolean
  /** The X-Timestamp an object PUT is written with, when a feature chose it (object versioning). */
  timestamp?: string
}

/** The request's headers, lower-cased, one value each, decoded from UTF-8 (header-bytes.ts). */
export function headerMap(req: IncomingMessage): HeaderMap {
  const out: HeaderMap = {}
  for (const [k, v] of Object.entries(req.headers)) out[k] = v === undefined ? v : headerFromWire(Array.isArray(v) ? v.join(', ') : v, k)
  return out
}

/** Content-Length of the body, undefined when chunked; `length-required` when neither. */
export function bodyLength(req: IncomingMessage): number | undefined | 'missing' {
  const te = req.headers['transfer-encoding']
  // One coding that is not chunked is 400 (swob message_length); Swift's check_object_creation
  // compares with 'chunked' exactly, so `Chunked` is no length at all (411).
  if (te && !te.includes(',') && te.trim().toLowerCase() !== 'chunked') throw new VeloxError('bad-request', 'Invalid Transfer-Encoding header value', { explain: true })
  if (te && !te.includes(',') && te.trim() !== 'chunked') return 'missing'
  // Swift implements one coding only (swob message_length); Node's parser takes "gzip, chunked" as chunked.
  if (te && te.includes(',')) throw new VeloxError('not-implemented', UNSUPPORTED_CODING, { explain: true })
  if (te && te.toLowerCase().split(',').map((s) => s.trim()).includes('chunked')) return undefined
  const cl = req.headers['content-length']
  if (cl === undefined) return 'missing'
  return Number(cl)
}

/**
 * The raw request of a PUT sub-request that carries its own body (a copy's source bytes, an
 * SLO manifest): what the object handler reads of a raw request, around the body stream.
 */
export function putWithBody(raw: IncomingMessage, headers: HeaderMap, body: Readable): IncomingMessage {
  return Object.assign(body, { method: 'PUT', url: raw.url, headers, socket: raw.socket, complete: true }) as unknown as IncomingMessage
}

/**
 * Authorizes a sub-request a feature makes for `req` (a segment, a segment listing, a link
 * target), as Swift's subrequests carry the request's swift.authorize: within the grant's
 * scope for a TempURL, else as the caller's own request with its token.
 */
export async function authorizeSubrequest(s: SwiftServices, req: SwiftRequest, method: string, path: SwiftPath, listingPrefix?: string): Promise<Grant> {
  const scope = req.grant.scope
  if (scope) {
    if (path.account !== scope.account || (scope.container !== undefined && path.container !== scope.container)) {
      throw new VeloxError('unauthorized', 'outside the temp URL scope', { headers: { 'Www-Authenticate': `Swift realm="${encodeURIComponent(path.account)}"` } })
    }
    if (scope.within && !withinLink(scope.within, path, listingPrefix)) throw new VeloxError('forbidden', 'outside what the link shares')
    return req.grant
  }
  const h = req.headers
  return s.access.authorize({ method, path, token: h['x-auth-token'] ?? h['x-storage-token'], serviceToken: h['x-service-token'], referer: h.referer })
}

/**
 * A share link's sub-request stays on its own object or under its folder (a listing: under it
 * too). Also the check of a folder shared with a user, for the request itself and its sub-requests.
 */
export function withinLink(places: readonly LinkPlace[], path: SwiftPath, listingPrefix: string | undefined): boolean {
  return places.some((p) => {
    if (path.container !== p.container) return false
    if (p.object !== undefined) return path.object === p.object
    const name = path.object ?? listingPrefix
    return name !== undefined && name.startsWith(p.prefix ?? '')
  })
}
