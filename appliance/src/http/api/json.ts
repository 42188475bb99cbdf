/**
 * Plumbing of the JSON API: reading a small JSON body, sending errors through the one
 * error table (`jsonErrorResponse`, with the error's extra headers such as Retry-After),
 * and the session of the request (cookie → identity/sessions.ts, CSRF on state changes).
 */
import type Router from '@koa/router'
import type { Context, Middleware, Next } from 'koa'
import { VeloxError } from '../../errors.js'
import { SAFE_METHODS, type SessionService, type WebSession } from '../../identity/sessions.js'
import { SESSION_COOKIE, readCookie } from '../cookies.js'
import { jsonErrorResponse } from '../error-response.js'

/** Largest JSON body the API reads. */
const MAX_JSON_BYTES = 64 * 1024

/**
 * The request's JSON body. It must be sent as application/json: a cross-site HTML form
 * cannot send that type, which is one more guard for sign-in (that has no CSRF token yet).
 */
export async function readJson(ctx: Context): Promise<unknown> {
  if (!ctx.is('application/json')) throw new VeloxError('bad-request', 'send the body as application/json')
  const chunks: Buffer[] = []
  let n = 0
  for await (const c of ctx.req as AsyncIterable<Buffer>) {
    n += c.length
    if (n > MAX_JSON_BYTES) throw new VeloxError('too-large', 'JSON body too large')
    chunks.push(c)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new VeloxError('bad-request', 'body is not valid JSON')
  }
}

/** Answers errors of the wrapped handlers as `{ kind, message }`; 5xx causes go to `errorLog`. */
export function jsonErrors(errorLog?: (msg: string, err: unknown, transId: string) => void) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next()
    } catch (err) {
      const e = jsonErrorResponse(err)
      if (e.status >= 500) errorLog?.('web request failed', err, '')
      const extra = err instanceof VeloxError ? err.detail?.headers : undefined
      if (extra && typeof extra === 'object') ctx.set(extra as Record<string, string>)
      ctx.status = e.status
      ctx.body = e.body
      // A body we did not read must not be left hanging on a kept-alive connection.
      if (!ctx.req.complete) ctx.set('Connection', 'close')
    }
  }
}

/**
 * A router's routes as one middleware: a request whose path `mine` claims goes through them,
 * its errors answered as JSON (jsonErrors); any other passes by.
 */
export function jsonRoutes(router: Router, mine: (path: string) => boolean, errorLog?: (msg: string, err: unknown, transId: string) => void): Middleware {
  const routes = router.routes()
  const errors = jsonErrors(errorLog)
  return async (ctx, next) => {
    if (!mine(ctx.path)) return next()
    await errors(ctx, () => routes(ctx as never, next))
  }
}

/** "account:user" of a session: how grants, jobs, links and the audit name a person. */
export function sessionName(s: WebSession): string {
  return `${s.account}:${s.user}`
}

/**
 * The live session of the request (`unauthorized` without one). State-changing methods
 * must carry its CSRF token in X-CSRF-Token (`forbidden` otherwise).
 */
export async function requireSession(ctx: Context, sessions: SessionService): Promise<WebSession> {
  const session = await sessions.resume(readCookie(ctx.get('cookie'), SESSION_COOKIE))
  if (!session) throw new VeloxError('unauthorized', 'sign in first')
  if (!SAFE_METHODS.has(ctx.method)) sessions.checkCsrf(session, ctx.get('x-csrf-token') || undefined)
  return session
}

/**
 * The live session of the request, which must be an administrator's (`forbidden` otherwise).
 * Every /api/admin route and every admin surface (terminal, settings) goes through this.
 */
export async function requireAdmin(ctx: Context, sessions: SessionService): Promise<WebSession> {
  const session = await requireSession(ctx, sessions)
  if (!session.admin) throw new VeloxError('forbidden', 'administrators only')
  return session
}

/** True when the request came over TLS (cookies then get Secure). */
export function overTls(ctx: Context): boolean {
  return ctx.protocol === 'https'
}
