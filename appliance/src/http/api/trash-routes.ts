/**
 * The trash's JSON under /api: how many days deleted files are kept (any signed-in user may
 * read it, the files app shows it), setting it and emptying what is due now (administrators,
 * CSRF on changes). Listing and restoring go through the Swift API itself (`?versions`,
 * `PUT ?version-id=`), so that Swift clients see the same history; the rules live in
 * trash/trash-purger.ts. Paths it does not know fall through.
 */
import Router from '@koa/router'
import type { Middleware } from 'koa'
import type { SessionService } from '../../identity/sessions.js'
import type { TrashPurger, TrashRetention } from '../../trash/trash-purger.js'
import { jsonRoutes, readJson, requireAdmin, requireSession } from './json.js'

export interface TrashRouteDeps {
  retention: TrashRetention
  purger: TrashPurger
  sessions: SessionService
  errorLog?: (msg: string, err: unknown, transId: string) => void
}

export function trashRoutes(d: TrashRouteDeps): Middleware {
  const router = new Router({ prefix: '/api' })

  router.get('/trash/settings', async (ctx) => {
    await requireSession(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await d.retention.get()
  })

  router.put('/admin/trash/settings', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    ctx.body = await d.retention.set(await readJson(ctx))
  })

  router.post('/admin/trash/purge', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    ctx.body = await d.purger.runOnce()
  })

  return jsonRoutes(router, (path) => path.startsWith('/api/trash/') || path.startsWith('/api/admin/trash/'), d.errorLog)
}
