/**
 * The admin console's JSON API for the health console, under /api/admin: the at-a-glance
 * summary, metric history, disks (SMART and score, on-demand read), alerts (list,
 * acknowledge), alert delivery settings (email, webhook, syslog; save and send a test), the
 * log viewer and audit trail, and a server-sent event stream of live
 * samples and alert changes. Every route requires an administrator's session
 * (`requireAdmin`, with CSRF on POST); state changes are written to the audit trail.
 */
import Router from '@koa/router'
import type { Context, Middleware } from 'koa'
import { PassThrough } from 'node:stream'
import { VeloxError } from '../../errors.js'
import type { AuditTrail } from '../../health/audit.js'
import { searchLogs, type LogLevel, type LogQuery } from '../../health/log-query.js'
import type { HealthService, LiveEvent } from '../../health/service.js'
import type { SessionService } from '../../identity/sessions.js'
import { jsonRoutes, readJson, requireAdmin, sessionName } from '../api/json.js'

export interface HealthWebDeps {
  health: HealthService
  audit: AuditTrail
  /** The rotated log files, newest first (empty when logs are not kept on disk). */
  logFiles: () => string[]
}

const RANGES_MS: Record<string, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, year: 365 * 86_400_000 }
const LEVELS = new Set(['debug', 'info', 'warn', 'error'])

function num(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isFinite(n)) throw new VeloxError('bad-request', `${name} must be a number (ms since the epoch)`)
  return n
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** Log viewer filters from the query string, validated. */
function logQuery(ctx: Context): LogQuery {
  const level = str(ctx.query.level)
  if (level && !LEVELS.has(level)) throw new VeloxError('bad-request', 'level must be debug, info, warn or error')
  const text = str(ctx.query.q)
  const requestId = str(ctx.query.requestId)
  if ((text?.length ?? 0) > 200 || (requestId?.length ?? 0) > 100) throw new VeloxError('bad-request', 'search text too long')
  return { from: num(ctx.query.from, 'from'), to: num(ctx.query.to, 'to'), level: level as LogLevel | undefined, text, requestId, limit: num(ctx.query.limit, 'limit') }
}

export function healthRoutes(d: HealthWebDeps & { sessions: SessionService; errorLog?: (msg: string, err: unknown, transId: string) => void }): Middleware {
  const router = new Router({ prefix: '/api/admin' })
  const h = d.health

  router.get('/health/summary', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { at: Date.now(), values: h.values(), disks: h.disks.disks(), alerts: h.alerts.list({ state: 'active' }), firing: h.alerts.firingCount() }
  })

  router.get('/health/history', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    const metrics = String(ctx.query.metric ?? '').split(',').filter(Boolean).slice(0, 20)
    if (!metrics.length) throw new VeloxError('bad-request', 'metric is required')
    const now = Date.now()
    const range = str(ctx.query.range)
    if (range && !RANGES_MS[range]) throw new VeloxError('bad-request', 'range must be hour, day, week or year')
    const from = num(ctx.query.from, 'from') ?? now - RANGES_MS[range ?? 'hour']
    const to = num(ctx.query.to, 'to') ?? now
    if (from > to) throw new VeloxError('bad-request', 'from is after to')
    const series = await Promise.all(metrics.map(async (m) => ({ metric: m, ...(await h.history.query(m, from, to, now)) })))
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { from, to, series }
  })

  router.get('/health/disks/:device', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    const disk = h.disks.disk(ctx.params.device)
    if (!disk) throw new VeloxError('not-found', 'no such disk')
    ctx.body = disk
  })

  router.get('/health/disks/:device/holds', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(ctx.params.device)) throw new VeloxError('bad-request', 'not a device name')
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await h.holds(ctx.params.device)
  })

  router.post('/health/smart', async (ctx) => {
    const s = await requireAdmin(ctx, d.sessions)
    d.audit.record({ who: sessionName(s), action: 'smart.read', from: ctx.ip })
    ctx.body = { disks: await h.pollSmart() }
    await h.evaluate()
  })

  router.get('/alerts', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    const state = str(ctx.query.state)
    if (state && !['active', 'firing', 'acknowledged', 'resolved'].includes(state)) throw new VeloxError('bad-request', 'unknown state')
    ctx.set('Cache-Control', 'no-store')
    ctx.body = { alerts: h.alerts.list({ state: state as never }), firing: h.alerts.firingCount() }
  })

  router.post('/alerts/:id/acknowledge', async (ctx) => {
    const s = await requireAdmin(ctx, d.sessions)
    const alert = await h.alerts.acknowledge(ctx.params.id, sessionName(s), Date.now())
    d.audit.record({ who: sessionName(s), action: 'alert.acknowledge', from: ctx.ip, target: alert.id, detail: { alert: alert.key } })
    ctx.body = alert
  })

  const delivery = () => h.delivery ?? (() => {
    throw new VeloxError('not-found', 'alert delivery is not set up on this appliance')
  })()
  router.get('/health/delivery', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = delivery().view()
  })

  router.put('/health/delivery', async (ctx) => {
    const s = await requireAdmin(ctx, d.sessions)
    ctx.body = await delivery().save({ who: sessionName(s), from: ctx.ip }, await readJson(ctx))
  })

  router.post('/health/delivery/test', async (ctx) => {
    const s = await requireAdmin(ctx, d.sessions)
    const kind = ((await readJson(ctx)) as { kind?: unknown } | undefined)?.kind
    if (kind !== 'email' && kind !== 'webhook' && kind !== 'syslog') throw new VeloxError('bad-request', 'kind must be email, webhook or syslog')
    ctx.body = await delivery().test({ who: sessionName(s), from: ctx.ip }, kind)
  })

  router.get('/logs', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await searchLogs(d.logFiles(), logQuery(ctx))
  })

  router.get('/audit', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    ctx.body = await d.audit.search(logQuery(ctx))
  })

  router.get('/health/events', async (ctx) => {
    await requireAdmin(ctx, d.sessions)
    liveStream(ctx, h)
  })

  return jsonRoutes(router, (path) => path.startsWith('/api/admin/'), d.errorLog)
}

/** Server-sent events: live samples (coalesced to one message a second) and alert changes. */
function liveStream(ctx: Context, h: HealthService): void {
  const out = new PassThrough()
  ctx.req.socket.setTimeout(0)
  ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' })
  ctx.status = 200
  ctx.body = out
  let pending: Record<string, number> = {}
  let timer: NodeJS.Timeout | undefined
  const send = (event: string, data: unknown) => out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  const onEvent = (e: LiveEvent) => {
    if (e.type === 'sample') {
      Object.assign(pending, e.values)
      timer ??= setTimeout(() => {
        timer = undefined
        send('values', { at: Date.now(), values: pending })
        pending = {}
      }, 1000)
      return
    }
    if (e.type === 'alert') send('alert', { ...e.event, firing: h.alerts.firingCount() })
    if (e.type === 'disks') send('disks', e.disks)
  }
  const unsubscribe = h.subscribe(onEvent)
  const ping = setInterval(() => out.write(': ping\n\n'), 25_000)
  send('hello', { at: Date.now(), firing: h.alerts.firingCount() })
  const end = () => {
    unsubscribe()
    clearInterval(ping)
    clearTimeout(timer)
    out.end()
  }
  ctx.req.once('close', end)
  ctx.res.once('close', end)
}
