/**
 * The TempURL feature (pre-auth): reads temp_url_sig / temp_url_expires / temp_url_prefix /
 * filename / inline / temp_url_ip_range from the query, lets swift/tempurl.ts decide, and on
 * success authorizes the request itself (no token, not the owner). Applies Swift's header
 * rules: refuses manifest/symlink/copy headers on writes, drops X-Timestamp on the way in,
 * hides X-Object-Meta-* (except Public-*) on the way out, and adds Content-Disposition and
 * Expires to successful GET/HEAD answers. A bad or expired signature is Swift's 401.
 */
import { VeloxError, isVeloxError } from '../../../errors.js'
import {
  DISALLOWED_INCOMING,
  INCOMING_REMOVE,
  hiddenFromTempUrl,
  tempurlDisposition,
  tempurlInfo,
  verifyTempUrl,
  type TempUrlQuery,
} from '../../../swift/tempurl.js'
import type { SwiftFeature } from '../pipeline.js'
import type { SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'

function readQuery(q: URLSearchParams): TempUrlQuery {
  const opt = (k: string) => q.get(k) ?? undefined
  return { sig: opt('temp_url_sig'), expires: opt('temp_url_expires'), prefix: opt('temp_url_prefix'), filename: opt('filename'), inline: q.has('inline'), ipRange: opt('temp_url_ip_range') || undefined }
}

/** Swift's answer to an invalid TempURL (no body on HEAD; realm "unknown" as swob words it without a token). */
function invalid(req: SwiftRequest): SwiftResponse {
  return {
    status: 401,
    headers: { 'Content-Type': 'text/html; charset=UTF-8', 'Www-Authenticate': 'Swift realm="unknown"' },
    body: req.method === 'HEAD' ? undefined : '401 Unauthorized: Temp URL invalid\n',
  }
}

function headerName(h: string): string {
  return h.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase())
}

/** Removes hidden headers, then (GET/HEAD 2xx) sets Content-Disposition and Expires. */
function outgoing(req: SwiftRequest, q: TempUrlQuery, expires: number, headers: Record<string, string | number>, status: number): void {
  let existing: string | undefined
  for (const k of Object.keys(headers)) {
    if (hiddenFromTempUrl(k)) delete headers[k]
    else if ((req.method === 'GET' || req.method === 'HEAD') && status >= 200 && status < 300 && k.toLowerCase() === 'content-disposition') {
      existing = String(headers[k])
      delete headers[k]
    }
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && status >= 200 && status < 300) {
    headers['Content-Disposition'] = tempurlDisposition(q, existing, req.path.object ?? '')
    headers.Expires = new Date(expires * 1000).toUTCString()
  }
}

// `thumbnail` and `v`: a TempURL that reads an object also reads its renditions (features/thumbnails.ts).
const KEPT_PARAMS = ['temp_url_sig', 'temp_url_expires', 'temp_url_prefix', 'filename', 'thumbnail', 'v']

function keptQuery(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams()
  for (const k of KEPT_PARAMS) if (q.get(k)) out.set(k, q.get(k) as string)
  return out
}

export const tempurlFeature: SwiftFeature = {
  name: 'tempurl',
  stage: 'pre-auth',
  info: () => tempurlInfo(),
  async handle(s, req, next) {
    if (req.method === 'OPTIONS') return next()
    const q = readQuery(req.query)
    if (q.sig === undefined && q.expires === undefined) return next()
    const { version, account, container, object } = req.path
    if (version !== 'v1' || container === undefined || object === undefined) return invalid(req)
    const clientIp = req.raw.socket?.remoteAddress ?? ''
    const ok = await verifyTempUrl(s.infoCache, q, { method: req.method, account, container, object, clientIp }, Date.now() / 1000)
    if (!ok) return invalid(req)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const bad = DISALLOWED_INCOMING.find((h) => req.headers[h] !== undefined)
      if (bad) throw new VeloxError('bad-request', `The header '${headerName(bad)}' is not allowed in this tempurl`, { explain: 'html' })
    }
    for (const h of INCOMING_REMOVE) delete req.headers[h]
    // Authorized by the signature (never the owner's powers); sub-requests (segments, link
    // targets) stay within the key's account, or its container for a container key.
    req.grant = { owner: false, via: 'tempurl', scope: ok.scope === 'account' ? { account } : { account, container } }
    req.authorized = true
    // Swift passes on only the TempURL's own parameters (no multipart-manifest=, symlink=, …).
    req.query = keptQuery(req.query)
    try {
      const res = await next()
      outgoing(req, q, ok.expires, res.headers, res.status)
      return res
    } catch (err) {
      if (isVeloxError(err) && err.detail?.headers) {
        const headers = { ...(err.detail.headers as Record<string, string>) }
        outgoing(req, q, ok.expires, headers, 400)
        throw new VeloxError(err.kind, err.message, { ...err.detail, headers }, { cause: err })
      }
      throw err
    }
  },
}
