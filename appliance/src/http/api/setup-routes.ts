/**
 * The first-boot wizard over HTTP: /api/setup/… (status, claim with the setup code, one
 * POST per step, back, finish) and the gate an un-set-up appliance puts in front of every
 * other surface: the Swift API (and Keystone) answer 503 with a body that says what to do,
 * other JSON answers 503 too (except the session and /api/admin, which the disk step uses
 * under the admin session), and every page is the SPA, which shows the wizard. After setup
 * /api/setup/… is 404 and /setup redirects to / for everyone.
 * Who may drive the wizard: the holder of a claim cookie (a right setup code) or, once the
 * admin step made one, the admin's web session (with its CSRF token).
 */
import Router from '@koa/router'
import type { Context, Middleware } from 'koa'
import { VeloxError } from '../../errors.js'
import { SAFE_METHODS, type SessionService } from '../../identity/sessions.js'
import type { SetupWizard } from '../../setup/wizard.js'
import { SESSION_COOKIE, readCookie, setCookie } from '../cookies.js'
import { jsonErrors, overTls, readJson } from './json.js'
import { sessionBody } from './router.js'

export const SETUP_COOKIE = 'velox_setup'

export interface SetupRouteDeps {
  wizard: SetupWizard
  sessions: SessionService
  /** Switches HTTPS on at finish; undefined URL when this appliance has no HTTPS listener. */
  https: { enable(): Promise<void>; url(): string | undefined }
  /** Whether the gate is up (velox serve --setup on an appliance not yet set up). */
  gated: () => boolean
  errorLog?: (msg: string, err: unknown, transId: string) => void
}

const SWIFT_SURFACE = /^\/(v1|v1\.0|auth|v3|info|healthcheck)(\/|$)/

export function setupRoutes(d: SetupRouteDeps): Middleware {
  const router = new Router({ prefix: '/api/setup' })

  router.get('/status', async (ctx) => {
    const claimed = await mayDrive(d, ctx, false)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = claimed ? { pending: true, claimed, ...d.wizard.view() } : { pending: true, claimed }
  })

  router.post('/claim', async (ctx) => {
    const body = (await readJson(ctx)) as Record<string, unknown> | null
    const token = await d.wizard.claim(body?.code, ctx.ip)
    ctx.set('Set-Cookie', setCookie(SETUP_COOKIE, token, { secure: overTls(ctx) }))
    ctx.body = { pending: true, claimed: true, ...d.wizard.view() }
  })

  router.get('/interfaces', async (ctx) => {
    await mayDrive(d, ctx, true)
    ctx.body = { interfaces: d.wizard.interfaces() }
  })

  router.post('/back', async (ctx) => {
    await mayDrive(d, ctx, true)
    await d.wizard.back()
    ctx.body = { pending: true, claimed: true, ...d.wizard.view() }
  })

  router.post('/steps/:step', async (ctx) => {
    await mayDrive(d, ctx, true)
    const out = await d.wizard.submit(ctx.params.step, await readJson(ctx), ctx.ip)
    const body: Record<string, unknown> = { pending: true, claimed: true, ...d.wizard.view() }
    if (out.signIn) {
      // The admin step's account becomes this browser's web session (an admin one).
      const { account, user, password } = out.signIn
      const { id, session } = await d.sessions.login(account, user, password, ctx.ip)
      ctx.set('Set-Cookie', setCookie(SESSION_COOKIE, id, { secure: overTls(ctx) }))
      body.session = sessionBody(d, session)
    }
    ctx.body = body
  })

  router.post('/finish', async (ctx) => {
    await mayDrive(d, ctx, true)
    await d.wizard.finish(() => d.https.enable(), ctx.ip)
    ctx.set('Set-Cookie', setCookie(SETUP_COOKIE, '', { secure: overTls(ctx), maxAgeSec: 0 }))
    ctx.body = { pending: false, ...d.wizard.view(), httpsUrl: d.https.url() ?? null }
  })

  const routes = router.routes()
  const errors = jsonErrors(d.errorLog)
  return async (ctx, next) => {
    if (ctx.path.startsWith('/api/setup/') && d.gated()) return errors(ctx, () => routes(ctx as never, next))
    // (the app's first look, ?optional=1, is answered 204 "set up" by the API router: no red 404 on every visit)
    if (ctx.path === '/api/setup/status' && ctx.query.optional === '1') return next()
    if (ctx.path.startsWith('/api/setup/')) return errors(ctx, () => Promise.reject(new VeloxError('not-found', 'this appliance is already set up')))
    if (!d.gated()) {
      if (ctx.path === '/setup' || ctx.path.startsWith('/setup/')) return ctx.redirect('/')
      if (ctx.path === '/api/session' && ctx.method === 'GET' && overTls(ctx)) return secureSessionCookie(ctx, next)
      return next()
    }
    return gate(ctx, next)
  }
}

/**
 * The wizard's session cookie was set over plain HTTP (before HTTPS existed), so without
 * Secure; the first look at the session over HTTPS sets it again with Secure, same value.
 */
async function secureSessionCookie(ctx: Context, next: () => Promise<unknown>): Promise<void> {
  await next()
  const id = readCookie(ctx.get('cookie'), SESSION_COOKIE)
  if (ctx.status === 200 && id) ctx.append('Set-Cookie', setCookie(SESSION_COOKIE, id, { secure: true }))
}

/** The answers of an appliance that is not set up yet, for every surface but the wizard's. */
async function gate(ctx: Context, next: () => Promise<unknown>): Promise<unknown> {
  if (SWIFT_SURFACE.test(ctx.path)) {
    ctx.status = 503
    ctx.type = 'text/plain'
    ctx.set('Retry-After', '600')
    ctx.body = 'This Velox appliance is not set up yet. Open it in a web browser and enter the setup code shown on its console (or printed by velox serve --setup).\n'
    return
  }
  if (ctx.path.startsWith('/api/') && !ctx.path.startsWith('/api/admin/') && ctx.path !== '/api/session') {
    ctx.status = 503
    ctx.body = { kind: 'unavailable', message: 'this appliance is not set up yet: finish the setup wizard first' }
    return
  }
  return next()
}

/** The claim cookie, or the admin session (CSRF checked on writes). `required` throws instead of answering false. */
async function mayDrive(d: SetupRouteDeps, ctx: Context, required: boolean): Promise<boolean> {
  if (d.wizard.isClaimant(readCookie(ctx.get('cookie'), SETUP_COOKIE))) return true
  const session = await d.sessions.resume(readCookie(ctx.get('cookie'), SESSION_COOKIE))
  if (session?.admin) {
    if (!SAFE_METHODS.has(ctx.method)) d.sessions.checkCsrf(session, ctx.get('x-csrf-token') || undefined)
    return true
  }
  if (required) throw new VeloxError('unauthorized', 'enter the setup code first')
  return false
}
