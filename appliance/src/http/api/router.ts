/**
 * The JSON API of the web app under /api: the session (sign in, who am I, sign out), the
 * caller's share links (create, list, revoke), and the public view of a link
 * (/api/public/shares/<token>, its unlock). The only Koa code for /api; everything it
 * decides lives in identity/ and sharing/. Paths it does not know fall through (other
 * /api surfaces, such as /api/admin, mount beside it).
 */
import Router from '@koa/router'
import type { Context, Middleware } from 'koa'
import { VeloxError } from '../../errors.js'
import type { WebSession } from '../../identity/sessions.js'
import { SESSION_COOKIE, readCookie, setCookie, shareCookieName } from '../cookies.js'
import { fileInfo, listFolder } from '../public/share-content.js'
import { newTransId } from '../app.js'
import type { WebDeps } from '../web.js'
import { jsonRoutes, overTls, readJson, requireSession, sessionName } from './json.js'
import { downloadZip } from './zip-download.js'

export function apiRoutes(d: WebDeps): Middleware {
  const router = new Router({ prefix: '/api' })

  router.post('/session', async (ctx) => {
    const body = (await readJson(ctx)) as Record<string, unknown> | null
    const { account = '', user, password } = body ?? {}
    // (no account, or an empty one: the account is derived from the user name)
    if (typeof account !== 'string' || typeof user !== 'string' || typeof password !== 'string') {
      throw new VeloxError('bad-request', 'user and password are required (account is optional)')
    }
    const { id, session } = await d.sessions.login(account, user, password, ctx.ip)
    ctx.set('Set-Cookie', setCookie(SESSION_COOKIE, id, { secure: overTls(ctx) }))
    ctx.set('Cache-Control', 'no-store')
    ctx.body = sessionBody(d, session)
  })

  router.get('/session', async (ctx) => {
    ctx.set('Cache-Control', 'no-store')
    // ?optional=1, the app's first look: signed out is an answer (204), not an error logged in red.
    if (ctx.query.optional === '1' && !(await d.sessions.resume(readCookie(ctx.get('cookie'), SESSION_COOKIE)))) return void (ctx.status = 204)
    ctx.body = sessionBody(d, await requireSession(ctx, d.sessions))
  })

  // The app's first look at the setup wizard (?optional=1) on an appliance that is set up (or
  // has no wizard): 204, where a 404 would be a red line in every visitor's console.
  router.get('/setup/status', async (ctx) => {
    if (ctx.query.optional !== '1') throw new VeloxError('not-found', 'this appliance is already set up')
    ctx.set('Cache-Control', 'no-store')
    ctx.status = 204
  })

  router.get('/zip', (ctx) => downloadZip(d, ctx))

  router.delete('/session', async (ctx) => {
    await requireSession(ctx, d.sessions)
    await d.sessions.logout(readCookie(ctx.get('cookie'), SESSION_COOKIE))
    ctx.set('Set-Cookie', setCookie(SESSION_COOKIE, '', { secure: overTls(ctx), maxAgeSec: 0 }))
    ctx.status = 204
  })

  router.post('/shares', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    const { share, token } = await d.shares.create(sessionName(session), await readJson(ctx))
    ctx.status = 201
    ctx.body = { ...share, token, url: `/s/${token}` }
  })

  router.get('/shares', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { shares: await d.shares.list(sessionName(session)) }
  })

  router.delete('/shares/:id', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    await d.shares.revoke(sessionName(session), ctx.params.id)
    ctx.status = 204
  })

  router.get('/public/shares/:token', (ctx) => publicShare(d, ctx, ctx.params.token))

  router.post('/public/shares/:token/unlock', async (ctx) => {
    const share = await d.shares.open(ctx.params.token)
    const body = (await readJson(ctx)) as Record<string, unknown> | null
    const grant = await d.shares.unlock(share, body?.password, ctx.ip)
    if (grant) ctx.set('Set-Cookie', setCookie(shareCookieName(share.rec.id), grant, { secure: overTls(ctx), maxAgeSec: 3600 }))
    ctx.status = 204
  })

  return jsonRoutes(router, (path) => path.startsWith('/api/'), d.errorLog)
}

export function sessionBody(d: Pick<WebDeps, 'sessions'>, s: WebSession) {
  return {
    user: { account: s.account, user: s.user, admin: s.admin },
    csrfToken: s.csrfToken,
    storageUrl: d.sessions.storagePath(s.account),
    expiresAt: s.expiresAt,
  }
}

/**
 * GET /api/public/shares/<token>[?path=&marker=&limit=]: what the public page shows. A
 * locked link shows only its kind, name and expiry; opening its root counts a view.
 */
async function publicShare(d: WebDeps, ctx: Context, token: string): Promise<void> {
  const share = await d.shares.open(token)
  const { rec } = share
  const unlocked = await d.shares.isUnlocked(share, readCookie(ctx.get('cookie'), shareCookieName(rec.id)))
  const view = d.shares.view(rec)
  const body: Record<string, unknown> = { kind: rec.kind, name: view.name, needsPassword: !unlocked, expiresAt: rec.expiresAt ?? null }
  ctx.set('Cache-Control', 'no-store')
  ctx.set('Referrer-Policy', 'no-referrer')
  if (!unlocked) {
    ctx.body = body
    return
  }
  const path = ctx.query.path
  const marker = ctx.query.marker
  if (rec.kind === 'file') body.file = await fileInfo(d.swift, share, ctx.req, newTransId(), ctx.protocol)
  if (rec.kind === 'folder') {
    const limit = Number(ctx.query.limit ?? 1000)
    if (!Number.isInteger(limit) || limit < 1) throw new VeloxError('bad-request', 'limit must be a positive integer')
    const page = await listFolder(d.swift, share, typeof path === 'string' ? path : '', typeof marker === 'string' ? marker : undefined, limit)
    body.path = page.path
    body.entries = page.entries
    if (page.nextMarker !== undefined) body.nextMarker = page.nextMarker
  }
  if (!path && !marker) await d.shares.count(share, 'views')
  // With a preview limit the page is told what is left, so that it offers the download instead of a dead preview.
  if (rec.maxPreviews !== undefined) body.previewsLeft = Math.max(0, rec.maxPreviews - (rec.counts.previews ?? 0))
  ctx.body = body
}
