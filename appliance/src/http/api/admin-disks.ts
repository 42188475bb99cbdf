/**
 * /api/admin/disks: the appliance's disks for administrators (session + CSRF on POST, via
 * requireAdmin). Only parses and answers; every decision and every command is disks/'s.
 * The install wizard's disk step uses exactly these routes. JSON shapes:
 *
 *   GET  /api/admin/disks                 → { disks: DiskView[], jobs: { [diskId]: Job } }  (disks/service.ts)
 *        jobs: each disk's newest burn-in job (running, finished or interrupted), when it has one
 *        DiskView = { id, stable, path, kind, model, vendor, serial, wwn, byId[], backingFile,
 *          sizeBytes, rotational, media: hdd|ssd|nvme|virtual, transport, hctl, removable,
 *          readOnly, filesystem: {fstype,label,uuid}|null, partitions[], mountpoints[], holdsOs,
 *          hasData, veloxDevice (from a "vx-" XFS label) | null, present, needsConfirmation, confirmWith,
 *          velox: { deviceName, state: formatted|in-ring|draining|drained|removed|failed,
 *                   mountPoint, uuid, weight, targetWeight, rampPercent,
 *                   partitions: { account, container, object, "object-1", … } | null, failedReason } | null,
 *          burnIn: { passed, reason, smartSelfTest, bytesVerified, writeMBps, readMBps, finishedAt } | null,
 *          smart: { available, protocol, passed, temperatureC, powerOnHours, failing[],
 *                   selfTest: {supported, shortMinutes}, lastSelfTest, messages[] } | null }
 *   GET  /api/admin/disks/:id             → { disk: DiskView, job: Job|null, drain: DrainStatus|null }
 *   GET  /api/admin/disks/jobs/:job       → { job: Job }
 *        Job = { id, diskId, kind: 'burn-in', state: running|passed|failed, phase, progress (0..1),
 *                bytesDone, bytesTotal, mbps, message, startedAt, finishedAt }
 *   POST /api/admin/disks/:id/burn-in     { confirmSerial? }            → 202 { job: Job }
 *   POST /api/admin/disks/:id/format      { confirmSerial? }            → { disk: DiskView }
 *   POST /api/admin/disks/:id/add         { rampPercent?, skipBurnIn? } → { disk: DiskView }
 *   POST /api/admin/disks/:id/drain       {}                            → { disk: DiskView, drain: DrainStatus }
 *        DrainStatus = { ringPartitions, partitionsOnDisk, bytesOnDisk, drained }
 *   POST /api/admin/disks/:id/remove      {}                            → { disk: { id, deviceName, state: 'removed' } }
 *   POST /api/admin/disks/:id/replace     { with, confirmSerial?, rampPercent?, skipBurnIn? }
 *        → { old: { id, deviceName, serial, bay, path, state }, locateLed: { ok, message }, new: DiskView }
 *
 * Errors are { kind, message } through the one table: 412 precondition-failed when the serial
 * must be typed (or burn-in has not passed), 409 conflict for a disk in the wrong state, in use,
 * busy with another request, or whose removal would leave fewer devices than replicas.
 */
import Router from '@koa/router'
import type { Context, Middleware } from 'koa'
import { VeloxError } from '../../errors.js'
import type { SessionService } from '../../identity/sessions.js'
import { addDisk, drainDisk, drainStatus, formatDisk, removeDisk, replaceDisk } from '../../disks/lifecycle.js'
import type { DiskService } from '../../disks/service.js'
import { jsonRoutes, readJson, requireAdmin } from './json.js'

const DISK_ID = /^[A-Za-z0-9._:-]{1,128}$/

export interface AdminDiskDeps {
  disks: DiskService
  sessions: SessionService
  errorLog?: (msg: string, err: unknown, transId: string) => void
}

export function adminDiskRoutes(d: AdminDiskDeps): Middleware {
  const router = new Router({ prefix: '/api/admin/disks' })
  const svc = d.disks

  router.use(async (ctx, next) => {
    await requireAdmin(ctx, d.sessions)
    ctx.set('Cache-Control', 'no-store')
    await next()
  })

  router.get('/', async (ctx) => {
    const disks = await svc.list()
    // The console's table shows a running or interrupted burn-in without a request per disk.
    const jobs = Object.fromEntries(disks.flatMap((x) => svc.jobs.latestFor(x.id) ?? []).map((j) => [j.diskId, j]))
    ctx.body = { disks, jobs }
  })

  router.get('/jobs/:job', (ctx) => {
    ctx.body = { job: svc.jobs.get(ctx.params.job) }
  })

  router.get('/:id', async (ctx) => {
    const id = diskId(ctx)
    const disk = await svc.get(id)
    const state = disk.velox?.state
    ctx.body = { disk, job: svc.jobs.latestFor(id) ?? null, drain: state === 'draining' || state === 'drained' ? drainStatus(svc, id) : null }
  })

  router.post('/:id/burn-in', async (ctx) => {
    const body = await bodyOf(ctx)
    const id = diskId(ctx)
    ctx.status = 202
    ctx.body = { job: await svc.exclusive([id], () => svc.burnIn(id, { confirmSerial: optString(body, 'confirmSerial') })) }
  })

  router.post('/:id/format', async (ctx) => {
    const body = await bodyOf(ctx)
    const id = diskId(ctx)
    ctx.body = { disk: await svc.exclusive([id], () => formatDisk(svc, id, { confirmSerial: optString(body, 'confirmSerial') })) }
  })

  router.post('/:id/add', async (ctx) => {
    const body = await bodyOf(ctx)
    const id = diskId(ctx)
    ctx.body = { disk: await svc.exclusive([id], () => addDisk(svc, id, { rampPercent: optNumber(body, 'rampPercent'), skipBurnIn: body.skipBurnIn === true })) }
  })

  router.post('/:id/drain', async (ctx) => {
    const id = diskId(ctx)
    const disk = await svc.exclusive([id], () => drainDisk(svc, id))
    ctx.body = { disk, drain: drainStatus(svc, id) }
  })

  router.post('/:id/remove', async (ctx) => {
    const id = diskId(ctx)
    ctx.body = { disk: await svc.exclusive([id], () => removeDisk(svc, id)) }
  })

  router.post('/:id/replace', async (ctx) => {
    const body = await bodyOf(ctx)
    const withId = optString(body, 'with')
    if (!withId || !DISK_ID.test(withId)) throw new VeloxError('bad-request', 'with: the id of the new disk is required')
    const id = diskId(ctx)
    ctx.body = await svc.exclusive([id, withId], () =>
      replaceDisk(svc, id, {
        with: withId,
        confirmSerial: optString(body, 'confirmSerial'),
        rampPercent: optNumber(body, 'rampPercent'),
        skipBurnIn: body.skipBurnIn === true,
      }),
    )
  })

  return jsonRoutes(router, (path) => path.startsWith('/api/admin/disks'), d.errorLog)
}

function diskId(ctx: Context): string {
  const id = (ctx as Context & { params: Record<string, string> }).params.id
  if (!id || !DISK_ID.test(id)) throw new VeloxError('bad-request', 'invalid disk id')
  return id
}

/** A POST body: JSON object, or nothing at all. */
async function bodyOf(ctx: Context): Promise<Record<string, unknown>> {
  if (!ctx.request.length && !ctx.get('transfer-encoding')) return {}
  const body = await readJson(ctx)
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new VeloxError('bad-request', 'send a JSON object')
  return body as Record<string, unknown>
}

function optString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string' || v.length > 256) throw new VeloxError('bad-request', `${key} must be a string`)
  return v
}

function optNumber(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new VeloxError('bad-request', `${key} must be a number`)
  return v
}
