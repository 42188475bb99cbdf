/**
 * GET /metrics (Prometheus text) for scrapers: allowed with the configured bearer token, or
 * from one of the configured client addresses; everyone else gets 403 (401 for a wrong
 * token), so the figures of the box are not open to the world.
 */
import { timingSafeEqual } from 'node:crypto'
import type { Middleware } from 'koa'
import type { HealthMetrics } from '../../health/metrics.js'

export interface MetricsAccess {
  token: string
  allowFrom: readonly string[]
}

function tokenMatches(given: string, want: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(want)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function metricsRoute(metrics: HealthMetrics, access: MetricsAccess): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/metrics') return next()
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405
      return
    }
    const auth = ctx.get('authorization')
    const bearer = /^Bearer (.+)$/.exec(auth)?.[1]
    const allowed = bearer !== undefined ? access.token !== '' && tokenMatches(bearer, access.token) : access.allowFrom.includes(ctx.req.socket.remoteAddress ?? '')
    if (!allowed) {
      ctx.status = bearer !== undefined ? 401 : 403
      ctx.type = 'text/plain'
      ctx.body = bearer !== undefined ? 'wrong token\n' : 'not allowed from this address\n'
      return
    }
    const { contentType, body } = await metrics.scrape()
    ctx.set('Cache-Control', 'no-store')
    ctx.type = contentType
    ctx.body = body
  }
}
