/**
 * Objects are user content served on the appliance's origin, which the web app shares. A
 * browser that opens a /v1 URL as a page (a middle-clicked file name, a link to an
 * ACL-shared or public `.r:*` container, a TempURL, a static web site, a FormPost answer)
 * would otherwise show an uploaded HTML, SVG or XML object (or one sniffed as HTML) as a page
 * of the app: its script would run on the app's origin, and every same-origin fetch it made
 * would carry the signed-in person's session cookie.
 *
 * The policy, applied once to every /v1 answer in routeSwift (router.ts):
 * - A request carrying a token header (X-Auth-Token, X-Storage-Token, X-Service-Token; a
 *   Keystone token travels in X-Auth-Token too) gets Swift's headers exactly: no navigation,
 *   link, frame or form can send such a header, so that answer is never rendered as a page.
 * - Every other request (the session cookie, or anonymous: public containers, static web,
 *   TempURL, FormPost) gets USER_CONTENT_HEADERS on its answer and on its error:
 *   `X-Content-Type-Options: nosniff` (the stored type is final: no HTML sniffed from
 *   text/plain or an untyped object) and `Content-Security-Policy: sandbox` (a page is shown
 *   in a unique opaque origin, without scripts, forms, popups, plugins or top navigation, so
 *   it can neither read the app nor act with the session).
 *
 * Static web sites get the plain `sandbox` too (no allow-scripts): their pages are
 * anyone's uploads on the app's origin; HTML and CSS sites still show, script-driven ones do
 * not run. The web app's own use is unaffected: a CSP on a body it fetches, or on an image
 * or video element's source, does not apply. PDFs get the sandbox as well: Chromium's viewer
 * and Firefox's pdf.js still show a sandboxed PDF framed by the preview (the e2e suites see it
 * painted), and Chromium's opened in a tab, so no type needs an exception.
 */
import { VeloxError, isVeloxError } from '../../errors.js'
import type { HeaderMap } from '../../swift/types.js'
import type { SwiftResponse } from './respond.js'

export const USER_CONTENT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': 'sandbox',
})

/** Headers only an API client can send (the session cookie is not among them). */
const TOKEN_HEADERS = ['x-auth-token', 'x-storage-token', 'x-service-token']

/** True when the client's own headers (lower-cased, before the session cookie stands in for a token) carry a token. */
export function sentToken(headers: HeaderMap): boolean {
  return TOKEN_HEADERS.some((h) => headers[h] !== undefined)
}

/** Sets `extra` on `headers`, replacing any spelling of the same names. */
function setAll(headers: Record<string, string | number>, extra: Readonly<Record<string, string>>): void {
  const names = new Set(Object.keys(extra).map((k) => k.toLowerCase()))
  for (const k of Object.keys(headers)) if (names.has(k.toLowerCase())) delete headers[k]
  Object.assign(headers, extra)
}

/** The answer, marked as user content. */
export function asUserContent(res: SwiftResponse): SwiftResponse {
  setAll(res.headers, USER_CONTENT_HEADERS)
  return res
}

/**
 * The error, marked as user content where it carries a body of ours: a VeloxError goes on
 * with the headers added (the error table copies detail.headers into the answer); any other
 * error becomes Swift's generic 500 page, which holds nothing of the request, and goes on as
 * it is so its cause is logged.
 */
export function asUserContentError(err: unknown): unknown {
  if (!isVeloxError(err)) return err
  const headers: Record<string, string | number> = { ...(err.detail?.headers as Record<string, string> | undefined) }
  setAll(headers, USER_CONTENT_HEADERS)
  return new VeloxError(err.kind, err.message, { ...err.detail, headers }, { cause: err })
}
