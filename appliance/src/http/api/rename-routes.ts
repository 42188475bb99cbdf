/**
 * Container renames (files/container-rename.ts) under /api/container-renames: start one
 * (202 with the job), the signed-in user's unfinished ones (the app offers to follow or
 * continue them after a reload), one job's progress (polled), continuing a job an error
 * stopped or leaving it (DELETE: both containers stay as they are). CSRF on changes; the job acts as the signed-in user in that user's own account.
 * Paths it does not know fall through.
 */
import Router from '@koa/router'
import type { Middleware } from 'koa'
import type { ContainerRenames } from '../../files/container-rename.js'
import type { SessionService } from '../../identity/sessions.js'
import { jsonRoutes, readJson, requireSession, sessionName } from './json.js'

export interface RenameRouteDeps {
  renames: ContainerRenames
  sessions: SessionService
  resellerPrefixes: readonly string[]
  errorLog?: (msg: string, err: unknown, transId: string) => void
}

const PREFIX = '/api/container-renames'

export function renameRoutes(d: RenameRouteDeps): Middleware {
  const router = new Router({ prefix: PREFIX })

  router.post('/', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.status = 202
    ctx.body = await d.renames.begin(session, `${d.resellerPrefixes[0] ?? ''}${session.account}`, await readJson(ctx))
  })

  router.get('/', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { jobs: await d.renames.open(sessionName(session)) }
  })

  router.get('/:id', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await d.renames.get(sessionName(session), ctx.params.id)
  })

  router.post('/:id/resume', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    ctx.body = await d.renames.resume(sessionName(session), ctx.params.id)
  })

  router.delete('/:id', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    await d.renames.abandon(sessionName(session), ctx.params.id)
    ctx.status = 204
  })

  return jsonRoutes(router, (path) => path === PREFIX || path.startsWith(`${PREFIX}/`), d.errorLog)
}
