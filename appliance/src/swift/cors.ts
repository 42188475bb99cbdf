/**
 * CORS semantics of Swift's proxy (proxy/controllers/base.py `cors_validation` and the base
 * controller's OPTIONS, with strict_cors_mode on): a container's rules come from
 * X-Container-Meta-Access-Control-Allow-Origin / -Expose-Headers / -Max-Age (Swift reads no
 * Allow-Methods or Allow-Headers metadata), joined with the operator's global lists. Decides
 * a preflight (which Access-Control-* headers, or 401) and the headers an actual request's
 * answer gets. CORS applies to containers and objects only, never to the account. No HTTP
 * types: header names in, header values out.
 */

export interface CorsRules {
  allowOrigin?: string
  exposeHeaders?: string
  maxAge?: string
}

export interface CorsSettings {
  allowOrigin: readonly string[]
  exposeHeaders: readonly string[]
}

/**
 * Methods a preflight may ask for, per target: the public methods of Swift's controllers in
 * the order its Allow header shows them. COPY is not among them: Swift's copy middleware only
 * appends it to a successful object OPTIONS answer (see withCopy).
 */
export const ALLOWED_METHODS = {
  account: ['OPTIONS', 'HEAD', 'PUT', 'GET', 'POST', 'DELETE'],
  container: ['OPTIONS', 'HEAD', 'PUT', 'GET', 'POST', 'DELETE'],
  object: ['OPTIONS', 'HEAD', 'PUT', 'GET', 'POST', 'DELETE'],
} as const

/** The copy middleware on a 2xx object OPTIONS: ", COPY" after Allow and Access-Control-Allow-Methods. */
export function withCopy(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers }
  for (const k of ['Allow', 'Access-Control-Allow-Methods']) if (out[k] !== undefined && !out[k].includes('COPY')) out[k] += ', COPY'
  return out
}

/** Headers always exposed to a CORS caller: the simple response headers and Swift's own. */
const BASE_EXPOSE = ['cache-control', 'content-language', 'content-type', 'expires', 'last-modified', 'pragma', 'etag', 'x-timestamp', 'x-trans-id', 'x-openstack-request-id']

/** The rules of a container from its user metadata (names without `x-container-meta-`). */
export function corsRules(meta: Record<string, string>): CorsRules {
  return { allowOrigin: meta['access-control-allow-origin'], exposeHeaders: meta['access-control-expose-headers'], maxAge: meta['access-control-max-age'] }
}

/** is_origin_allowed: the container's space-separated origins plus the global list; "*" allows any. */
export function originAllowed(rules: CorsRules, origin: string, settings: CorsSettings): boolean {
  const allowed = new Set((rules.allowOrigin ?? '').split(' ').map((a) => a.trim()).filter(Boolean))
  for (const a of settings.allowOrigin) allowed.add(a)
  return allowed.has(origin) || allowed.has('*')
}

/** Access-Control-Allow-Origin (and Vary) for an allowed origin: "*" when the container says exactly "*". */
function allowOriginHeaders(rules: CorsRules, origin: string): Record<string, string> {
  if (rules.allowOrigin && rules.allowOrigin.trim() === '*') return { 'Access-Control-Allow-Origin': '*' }
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
}

export type PreflightDecision = { allowed: false } | { allowed: true; headers: Record<string, string> }

/** The base controller's OPTIONS for a CORS preflight on a container or object. */
export function preflight(
  rules: CorsRules,
  origin: string,
  requestMethod: string | undefined,
  requestHeaders: string | undefined,
  allowedMethods: readonly string[],
  settings: CorsSettings,
): PreflightDecision {
  if (!originAllowed(rules, origin, settings) || requestMethod === undefined || !allowedMethods.includes(requestMethod)) return { allowed: false }
  const headers: Record<string, string> = { Allow: allowedMethods.join(', '), ...allowOriginHeaders(rules, origin) }
  if (rules.maxAge !== undefined) headers['Access-Control-Max-Age'] = rules.maxAge
  headers['Access-Control-Allow-Methods'] = allowedMethods.join(', ')
  const asked = [...new Set((requestHeaders ?? '').split(',').map((h) => h.trim()).filter(Boolean))]
  if (asked.length) {
    headers['Access-Control-Allow-Headers'] = asked.join(', ')
    headers.Vary = headers.Vary ? `${headers.Vary}, Access-Control-Request-Headers` : 'Access-Control-Request-Headers'
  }
  return { allowed: true, headers }
}

/**
 * The headers cors_validation adds to the answer of an actual request from `origin`, given
 * the answer's own header names; undefined when strict mode refuses the origin.
 */
export function actualResponseHeaders(rules: CorsRules, origin: string, responseHeaderNames: readonly string[], settings: CorsSettings): Record<string, string> | undefined {
  if (!originAllowed(rules, origin, settings)) return undefined
  const lower = responseHeaderNames.map((h) => h.toLowerCase())
  const out: Record<string, string> = {}
  if (!lower.includes('access-control-expose-headers')) {
    const expose = new Set([...BASE_EXPOSE, ...settings.exposeHeaders.map((h) => h.toLowerCase())])
    for (const h of lower) if (h.startsWith('x-container-meta') || h.startsWith('x-object-meta')) expose.add(h)
    for (const h of (rules.exposeHeaders ?? '').split(' ')) if (h.trim()) expose.add(h.trim().toLowerCase())
    out['Access-Control-Expose-Headers'] = [...expose].join(', ')
  }
  if (!lower.includes('access-control-allow-origin')) Object.assign(out, allowOriginHeaders(rules, origin))
  return out
}
