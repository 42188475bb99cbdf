/**
 * Managing my links after making them: PATCH /api/shares/<id> (expiry, password, download
 * limit; sharing/share-edits.ts) and GET /api/shares/<id>/link (the link again, when its
 * token was kept for me: sharing/owner-links.ts). Also keeps the token of each link that
 * POST /api/shares (api/router.ts, after this in the chain) makes. Other paths fall through.
 */
import Router from '@koa/router'
import type { Middleware } from 'koa'
import { VeloxError } from '../../errors.js'
import type { SessionService } from '../../identity/sessions.js'
import type { OwnerLinks } from '../../sharing/owner-links.js'
import type { ShareService } from '../../sharing/shares.js'
import { jsonErrors, readJson, requireSession, sessionName } from './json.js'

export interface ShareManageDeps {
  shares: ShareService
  links: OwnerLinks
  sessions: SessionService
  errorLog?: (msg: string, err: unknown, transId: string) => void
}


export function shareManageRoutes(d: ShareManageDeps): Middleware {
  const router = new Router({ prefix: '/api/shares' })

  router.patch('/:id', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.body = await d.shares.edit(sessionName(session), ctx.params.id, await readJson(ctx))
  })

  router.get('/:id/link', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    const token = await d.links.recall(sessionName(session), ctx.params.id)
    if (!token) throw new VeloxError('not-found', 'this link was made before links were kept: it was shown once, when made')
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { token, url: `/s/${token}` }
  })

  const routes = router.routes()
  const errors = jsonErrors(d.errorLog)
  return async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/api/shares') {
      await next()
      const made = ctx.body as { id?: unknown; token?: unknown } | undefined
      if (ctx.status === 201 && typeof made?.id === 'string' && typeof made.token === 'string') {
        const session = await requireSession(ctx, d.sessions)
        await d.links.remember(sessionName(session), made.id, made.token)
      }
      return
    }
    if (!/^\/api\/shares\/[^/]+(\/link)?$/.test(ctx.path) || !['PATCH', 'GET'].includes(ctx.method)) return next()
    await errors(ctx, () => routes(ctx as never, next))
  }
}
