/**
 * The appliance's HTTP server: one Koa app holding every surface (today the Swift API).
 * Stamps every response with X-Trans-Id / X-Openstack-Request-Id, logs one JSON line per
 * request (never keys or tokens, never query strings that may carry signatures), and sends
 * errors through the one error table.
 */
import { randomBytes } from 'node:crypto'
import Koa from 'koa'
import type { KeystoneService } from '../identity/keystone.js'
import type { SwiftServices } from '../swift/index.js'
import { swiftErrorResponse } from './error-response.js'
import { isKeystonePath, routeKeystone } from './keystone/router.js'
import { noteTransId } from './request-guard.js'
import { webMiddlewares, type WebDeps } from './web.js'
import { healthRoutes, type HealthWebDeps } from './admin/health-routes.js'
import { metricsRoute, type MetricsAccess } from './admin/metrics-route.js'
import type { HealthMetrics } from '../health/metrics.js'
import { routeSwift, isSwiftRequest } from './swift/router.js'
import { setupRoutes, type SetupRouteDeps } from './api/setup-routes.js'
import { settingsRoutes, type SettingsRouteDeps } from './api/settings-routes.js'
import { writeSwiftResponse, type SwiftResponse } from './swift/respond.js'

export interface RequestLogLine {
  trans_id: string
  method: string
  path: string
  status: number
  bytes: number
  duration_ms: number
  client: string
}

export interface AppDeps {
  swift: SwiftServices
  /** The Keystone v3 subset at /v3 (off when absent). */
  keystone?: KeystoneService
  /** The web app: sessions and share links for /api, /s/… and the SPA at / (off when absent). */
  web?: Pick<WebDeps, 'sessions' | 'shares' | 'distDir' | 'disks' | 'trash' | 'search' | 'ownerLinks' | 'userShares' | 'renames'>
  /** Receives one line per request. */
  requestLog?: (line: RequestLogLine) => void
  /** Receives 5xx causes. */
  errorLog?: (msg: string, err: unknown, transId: string) => void
  /** The first-boot wizard (/api/setup) and the gate in front of everything until it is done. */
  setup?: SetupRouteDeps
  /** The admin settings area (/api/admin/settings, /api/admin/users). */
  settings?: SettingsRouteDeps
  /** The health console: /metrics and the /api/admin health routes (off when absent). */
  health?: { metrics: HealthMetrics; access: MetricsAccess; web: HealthWebDeps }
}

/** Swift's transaction id: "tx" + 21 hex + "-" + hex seconds. */
export function newTransId(): string {
  return `tx${randomBytes(11).toString('hex').slice(0, 21)}-${Math.floor(Date.now() / 1000).toString(16).padStart(10, '0')}`
}

export function createApp(deps: AppDeps): Koa {
  const app = new Koa()
  app.proxy = false
  app.silent = true
  if (deps.setup) app.use(setupRoutes(deps.setup))
  if (deps.settings) app.use(settingsRoutes(deps.settings))
  app.use(async (ctx, next) => {
    const rawPath = ctx.path
    if (!isSwiftRequest(deps.swift, rawPath, ctx.get('host') || undefined)) return next()
    const started = performance.now()
    const transId = newTransId()
    noteTransId(transId)
    // Read now: the socket is gone from the request once the client has left (issue 11).
    const client = ctx.req.socket?.remoteAddress ?? ''
    ctx.respond = false
    let r: SwiftResponse
    try {
      r = await routeSwift(deps.swift, ctx.req, rawPath, new URLSearchParams(ctx.querystring), transId, ctx.protocol)
    } catch (err) {
      const e = swiftErrorResponse(err)
      if (e.status >= 500) deps.errorLog?.('request failed', err, transId)
      // Swift answers a HEAD error with its headers only: Content-Length 0 for swob's default
      // page, the explanation's length when the error has its own (`Bad URL`: 7).
      r = { status: e.status, headers: { 'Content-Type': e.contentType, ...e.headers }, body: ctx.method === 'HEAD' ? undefined : e.body }
      if (ctx.method === 'HEAD' && e.explained) r.length = Buffer.byteLength(e.body)
      // A body we did not read must not be left hanging on a kept-alive connection.
      if (!ctx.req.complete) ctx.set('Connection', 'close')
    }
    r.headers['X-Trans-Id'] = transId
    r.headers['X-Openstack-Request-Id'] = transId
    if (ctx.response.get('Connection')) r.headers.Connection = 'close'
    // Already answered on the connection's behalf (a 408 for an idle body: connection-limits.ts).
    if (ctx.res.headersSent) return
    writeSwiftResponse(ctx.res, ctx.method, r, (bytes) => {
      deps.requestLog?.({
        trans_id: transId,
        method: ctx.method,
        path: rawPath,
        status: r.status,
        bytes,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
        client,
      })
    })
  })
  app.use(async (ctx, next) => {
    if (!deps.keystone || !isKeystonePath(ctx.path)) return next()
    const r = await routeKeystone(deps.keystone, ctx.req, ctx.path, new URLSearchParams(ctx.querystring), `${ctx.protocol}://${ctx.get('host') || 'localhost'}`)
    ctx.status = r.status
    ctx.set({ ...r.headers, 'X-Openstack-Request-Id': `req-${crypto.randomUUID()}` })
    ctx.body = r.body ?? ''
  })
  if (deps.health) app.use(metricsRoute(deps.health.metrics, deps.health.access))
  const admin = deps.web && deps.health ? healthRoutes({ ...deps.health.web, sessions: deps.web.sessions, errorLog: deps.errorLog }) : undefined
  if (deps.web) for (const mw of webMiddlewares({ ...deps.web, admin, swift: deps.swift, requestLog: deps.requestLog, errorLog: deps.errorLog })) app.use(mw)
  app.use(async (ctx) => {
    ctx.status = 404
    ctx.type = 'text/plain'
    ctx.body = 'Not Found'
  })
  return app
}
