/**
 * Admin routes for names no Swift path can reach (swift/bad-names.ts), under an admin session
 * (CSRF on the removal). Names travel as JSON strings, which can carry what a URL path cannot
 * (NUL as \u0000):
 *   GET  /api/admin/bad-names?account=AUTH_x[&limit=N]   → { names: [{ container, object? }] }
 *   POST /api/admin/bad-names/remove  { account, container, object? }  → { objects, container }
 */
import type { Context, Middleware } from 'koa'
import { VeloxError } from '../../errors.js'
import { findBadNames, removeBadName } from '../../swift/bad-names.js'
import type { WebDeps } from '../web.js'
import { jsonErrors, readJson, requireAdmin } from './json.js'

export function adminNameRoutes(d: WebDeps): Middleware {
  const errors = jsonErrors(d.errorLog)
  return async (ctx, next) => {
    if (ctx.path !== '/api/admin/bad-names' && ctx.path !== '/api/admin/bad-names/remove') return next()
    await errors(ctx, () => handle(d, ctx))
  }
}

async function handle(d: WebDeps, ctx: Context): Promise<void> {
  const remove = ctx.path.endsWith('/remove')
  const method = remove ? 'POST' : 'GET'
  if (ctx.method !== method) throw new VeloxError('method-not-allowed', 'method not allowed', { headers: { Allow: method } })
  await requireAdmin(ctx, d.sessions)
  ctx.set('Cache-Control', 'no-store')
  if (!remove) {
    const account = ctx.query.account
    const limit = Number(ctx.query.limit ?? 1000)
    if (typeof account !== 'string' || account === '') throw new VeloxError('bad-request', 'account is required')
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new VeloxError('bad-request', 'limit must be 1 to 10000')
    ctx.body = { names: await findBadNames(d.swift, account, limit) }
    return
  }
  const body = (await readJson(ctx)) as Record<string, unknown> | null
  const { account, container, object } = body ?? {}
  if (typeof account !== 'string' || account === '' || typeof container !== 'string' || container === '' || (object !== undefined && typeof object !== 'string')) {
    throw new VeloxError('bad-request', 'account and container (strings) are required; object is optional')
  }
  const removed = await removeBadName(d.swift, account, { container, object: object as string | undefined })
  ctx.body = removed
}
