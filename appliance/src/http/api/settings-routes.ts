/**
 * The admin settings area's JSON: /api/admin/settings (identity, time, network, HTTPS
 * certificate) and /api/admin/users (list, add, reset password, make admin, remove).
 * Every route needs an admin session (requireAdmin, CSRF on changes); what is decided and
 * audited lives in setup/settings.ts. Paths it does not know fall through.
 */
import Router from '@koa/router'
import type { Middleware } from 'koa'
import { VeloxError } from '../../errors.js'
import type { SessionService } from '../../identity/sessions.js'
import type { ApplianceSettings } from '../../setup/settings.js'
import { jsonRoutes, readJson, requireAdmin } from './json.js'

export interface SettingsRouteDeps {
  settings: ApplianceSettings
  sessions: SessionService
  errorLog?: (msg: string, err: unknown, transId: string) => void
}

type Body = Record<string, unknown>

export function settingsRoutes(d: SettingsRouteDeps): Middleware {
  const router = new Router({ prefix: '/api/admin' })
  const actor = async (ctx: Parameters<Middleware>[0]) => {
    const s = await requireAdmin(ctx, d.sessions)
    return { who: `${s.account}:${s.user}`, from: ctx.ip }
  }
  const body = async (ctx: Parameters<Middleware>[0]) => ((await readJson(ctx)) ?? {}) as Body

  router.get('/settings', async (ctx) => {
    await actor(ctx)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = d.settings.view()
  })
  router.put('/settings/identity', async (ctx) => {
    await d.settings.setIdentity(await actor(ctx), await body(ctx))
    ctx.body = d.settings.view()
  })
  router.put('/settings/time', async (ctx) => {
    await d.settings.setTime(await actor(ctx), await body(ctx))
    ctx.body = d.settings.view()
  })
  router.put('/settings/network', async (ctx) => {
    await d.settings.setNetwork(await actor(ctx), await body(ctx))
    ctx.body = d.settings.view()
  })
  router.get('/settings/certificate.pem', async (ctx) => {
    await actor(ctx)
    const pem = d.settings.certificatePem()
    if (!pem) throw new VeloxError('not-found', 'there is no certificate yet')
    ctx.type = 'application/x-pem-file'
    ctx.set('Content-Disposition', 'attachment; filename="velox.pem"')
    ctx.body = pem
  })
  router.post('/settings/certificate', async (ctx) => {
    const who = await actor(ctx)
    ctx.body = { certificate: await d.settings.setCertificate(who, await body(ctx)) }
  })

  router.get('/users', async (ctx) => {
    await actor(ctx)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { users: await d.settings.listUsers() }
  })
  router.post('/users', async (ctx) => {
    await d.settings.addUser(await actor(ctx), await body(ctx))
    ctx.status = 201
    ctx.body = { users: await d.settings.listUsers() }
  })
  router.put('/users/:account/:user/password', async (ctx) => {
    await d.settings.resetPassword(await actor(ctx), ctx.params.account, ctx.params.user, await body(ctx))
    ctx.status = 204
  })
  router.put('/users/:account/:user/admin', async (ctx) => {
    const who = await actor(ctx)
    await d.settings.setAdmin(who, ctx.params.account, ctx.params.user, (await body(ctx)).admin === true)
    ctx.body = { users: await d.settings.listUsers() }
  })
  router.delete('/users/:account/:user', async (ctx) => {
    await d.settings.removeUser(await actor(ctx), ctx.params.account, ctx.params.user)
    ctx.body = { users: await d.settings.listUsers() }
  })

  return jsonRoutes(router, (path) => path.startsWith('/api/admin/settings') || path.startsWith('/api/admin/users'), d.errorLog)
}
