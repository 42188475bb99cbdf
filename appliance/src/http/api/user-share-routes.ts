/**
 * Folders shared with other Velox users (sharing/user-shares.ts) under /api/user-shares:
 * the users one may pick, my grants (optionally of one container), "Shared with me",
 * granting and revoking (CSRF on changes). Access itself is the container's Swift ACL;
 * browsing and downloading go through the Swift API with the grantee's session. Paths it
 * does not know fall through.
 */
import Router from '@koa/router'
import type { Middleware } from 'koa'
import type { SessionService } from '../../identity/sessions.js'
import type { UserShares } from '../../sharing/user-shares.js'
import { jsonRoutes, readJson, requireSession, sessionName } from './json.js'

export interface UserShareRouteDeps {
  userShares: UserShares
  sessions: SessionService
  errorLog?: (msg: string, err: unknown, transId: string) => void
}


export function userShareRoutes(d: UserShareRouteDeps): Middleware {
  const router = new Router({ prefix: '/api/user-shares' })

  router.get('/users', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { users: await d.userShares.candidates(sessionName(session)) }
  })

  router.get('/', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    const container = typeof ctx.query.container === 'string' ? ctx.query.container : undefined
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { shares: await d.userShares.ofOwner(sessionName(session), container) }
  })

  router.get('/with-me', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { shares: await d.userShares.sharedWith(sessionName(session)) }
  })

  router.post('/', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.status = 201
    ctx.body = await d.userShares.grant(sessionName(session), await readJson(ctx))
  })

  router.delete('/:id', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    await d.userShares.revoke(sessionName(session), ctx.params.id)
    ctx.status = 204
  })

  return jsonRoutes(router, (path) => path === '/api/user-shares' || path.startsWith('/api/user-shares/'), d.errorLog)
}
