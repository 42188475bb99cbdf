/**
 * GET /api/search?q=&mode=prefix|substring[&limit=&resumeContainer=&resumeMarker=]: the
 * signed-in user's objects whose name starts with (prefix) or contains (substring, any
 * case) `q`, across the containers of their account they own (search/name-search.ts says
 * how it stays fast). Containers reached only through a container ACL are not searched.
 */
import Router from '@koa/router'
import type { Middleware } from 'koa'
import { VeloxError } from '../../errors.js'
import { authorize } from '../../identity/authorize.js'
import type { SessionService } from '../../identity/sessions.js'
import type { NameSearch } from '../../search/name-search.js'
import { jsonRoutes, requireSession } from './json.js'

export interface SearchRouteDeps {
  search: NameSearch
  sessions: SessionService
  resellerPrefixes: readonly string[]
  errorLog?: (msg: string, err: unknown, transId: string) => void
}

const MAX_LIMIT = 1000

export function searchRoutes(d: SearchRouteDeps): Middleware {
  const router = new Router({ prefix: '/api' })

  router.get('/search', async (ctx) => {
    const session = await requireSession(ctx, d.sessions)
    const q = typeof ctx.query.q === 'string' ? ctx.query.q : ''
    const mode = ctx.query.mode === 'prefix' ? 'prefix' : 'substring'
    const limit = Number(ctx.query.limit ?? 200)
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new VeloxError('bad-request', `limit must be a whole number from 1 to ${MAX_LIMIT}`)
    const rc = ctx.query.resumeContainer
    const rm = ctx.query.resumeMarker
    const resume = typeof rc === 'string' && typeof rm === 'string' ? { container: rc, marker: rm } : undefined
    const account = `${d.resellerPrefixes[0] ?? ''}${session.account}`
    const groups = session.identity.groups
    const canRead = (container: string) => {
      const decision = authorize({ method: 'GET', account, container, groups, resellerPrefixes: d.resellerPrefixes })
      return decision.allowed && decision.owner
    }
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await d.search.search(account, q, { mode, limit, resume, canRead })
  })

  return jsonRoutes(router, (path) => path === '/api/search', d.errorLog)
}
