/**
 * The SPA's client of the disks routes (/api/admin/disks, issue 13), shared by the setup
 * wizard's disk step and the admin console's Disks tab: discovery, burn-in jobs polled to
 * their end (the one copy of that loop), format, add, drain, remove, replace. A 404 on the
 * list means this build has no disk management: built-in storage.
 */
import { request, requestJson } from './http'
// The disks routes' own types (type-only: nothing of the server is bundled).
import type { DiskView } from '../../../appliance/src/disks/service'
import type { Job as DiskJob } from '../../../appliance/src/disks/jobs'
import type { DrainStatus, ReplaceResult } from '../../../appliance/src/disks/lifecycle'

export type { DiskView, DiskJob, DrainStatus, ReplaceResult }

const base = '/api/admin/disks'
const path = (id: string, action?: string) => `${base}/${encodeURIComponent(id)}${action ? `/${action}` : ''}`
const post = <T,>(url: string, body: unknown) => requestJson<T>(url, { method: 'POST', json: body, quiet401: true })

/** The disks and each one's newest burn-in job, or null when there are no disk routes. */
export async function loadDisks(): Promise<{ disks: DiskView[]; jobs: Record<string, DiskJob> } | null> {
  const r = await request(base, { accept: [404], quiet401: true, cache: 'no-store' })
  if (r.status === 404) return null
  const body = (await r.json()) as { disks: DiskView[]; jobs?: Record<string, DiskJob> }
  return { disks: body.disks, jobs: body.jobs ?? {} }
}

/** The disks, or null when there are no disk routes. */
export async function listDisks(): Promise<DiskView[] | null> {
  return (await loadDisks())?.disks ?? null
}

/** One disk, its newest job and (draining or drained) what it still holds. */
export const getDisk = (id: string) => requestJson<{ disk: DiskView; job: DiskJob | null; drain: DrainStatus | null }>(path(id), { quiet401: true, cache: 'no-store' })

/** The typed confirmation, when the disk asks for one (it holds the OS or data). */
const confirmOf = (d: DiskView, confirmSerial: string) => (d.needsConfirmation ? { confirmSerial } : {})

/**
 * Runs a burn-in and polls its job until it ends; `onJob` hears every state of it. Throws
 * with the server's reason when it failed or was interrupted (the appliance restarted).
 */
export async function burnIn(d: DiskView, confirmSerial: string, onJob: (job: DiskJob) => void, pollMs = 1000): Promise<DiskJob> {
  let { job } = await post<{ job: DiskJob }>(path(d.id, 'burn-in'), confirmOf(d, confirmSerial))
  onJob(job)
  while (job.state === 'running') {
    await new Promise((r) => setTimeout(r, pollMs))
    job = (await requestJson<{ job: DiskJob }>(`${base}/jobs/${encodeURIComponent(job.id)}`, { quiet401: true, cache: 'no-store' })).job
    onJob(job)
  }
  if (job.state === 'failed') throw new Error(`burn-in of ${d.id} failed: ${job.message}`)
  // The appliance restarted during it: preparing the disk again runs it again.
  if (job.state === 'interrupted') throw new Error(`burn-in of ${d.id} was interrupted (${job.message}); prepare the disk again to run it again`)
  return job
}

export interface PrepareOptions {
  confirmSerial?: string
  /** Add gradually: start at this share of the weight, then as much again per step. */
  rampPercent?: number
  pollMs?: number
}

/** Burn-in (unless passed), then format, then add to the ring; `onProgress` hears each phase. */
export async function prepareDisk(d: DiskView, opts: PrepareOptions, onProgress: (text: string, job?: DiskJob) => void): Promise<void> {
  const confirmSerial = opts.confirmSerial ?? ''
  if (!d.burnIn?.passed && !d.velox) {
    await burnIn(d, confirmSerial, (job) => onProgress(`burn-in ${job.phase} ${Math.round(job.progress * 100)} %`, job), opts.pollMs)
  }
  if (!d.velox) {
    onProgress('formatting')
    await post(path(d.id, 'format'), confirmOf(d, confirmSerial))
  }
  if (d.velox?.state !== 'in-ring') {
    onProgress('adding to storage')
    await post(path(d.id, 'add'), opts.rampPercent ? { rampPercent: opts.rampPercent } : {})
  }
  onProgress('in storage')
}

export const drainDisk = (id: string) => post<{ disk: DiskView; drain: DrainStatus }>(path(id, 'drain'), {})

export const removeDisk = (id: string) => post<{ disk: { id: string; deviceName: string; state: 'removed' } }>(path(id, 'remove'), {})

/** The new disk must have passed a burn-in (run `burnIn` first); the old one is drained. */
export const replaceDisk = (oldId: string, fresh: DiskView, opts: { confirmSerial?: string; rampPercent?: number } = {}) =>
  post<ReplaceResult>(path(oldId, 'replace'), { with: fresh.id, ...confirmOf(fresh, opts.confirmSerial ?? ''), ...(opts.rampPercent ? { rampPercent: opts.rampPercent } : {}) })
