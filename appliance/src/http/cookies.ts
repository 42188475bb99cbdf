/**
 * The web app's cookies: their names, reading one from a Cookie header, and writing
 * Set-Cookie values with the flags every Velox cookie carries (HttpOnly, SameSite=Strict,
 * Path=/, Secure when the request came over TLS). Values are never logged.
 */

/** The web session (identity/sessions.ts). */
export const SESSION_COOKIE = 'velox_session'

/** The unlock grant of one password-protected share link (sharing/shares.ts), by link id. */
export function shareCookieName(shareId: string): string {
  return `velox_share_${shareId}`
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    const v = part.slice(eq + 1).trim()
    return v === '' ? undefined : v
  }
  return undefined
}

export interface CookieOptions {
  secure: boolean
  /** Seconds; 0 clears the cookie; omitted = until the browser closes. */
  maxAgeSec?: number
}

/** A Set-Cookie value. `value` must be cookie-safe (base64url and dots are). */
export function setCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, 'HttpOnly', 'SameSite=Strict', 'Path=/']
  if (o.maxAgeSec !== undefined) parts.push(`Max-Age=${o.maxAgeSec}`)
  if (o.secure) parts.push('Secure')
  return parts.join('; ')
}
