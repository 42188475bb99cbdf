/**
 * The disk step's view of the disks routes (/api/admin/disks, issue 13): discovery, burn-in
 * jobs, format, add. A 404 means this build has no disk management: built-in storage.
 */
import { request, requestJson } from '../api/http'
// The disks routes' own type (type-only: nothing of the server is bundled).
import type { DiskView } from '../../../appliance/src/disks/service'

export type { DiskView }


export interface DiskJob {
  id: string
  state: 'running' | 'passed' | 'failed' | 'interrupted'
  phase: string
  progress: number
  message: string
}

/** The disks, or null when there are no disk routes. */
export async function listDisks(): Promise<DiskView[] | null> {
  const r = await request('/api/admin/disks', { accept: [404], quiet401: true, cache: 'no-store' })
  if (r.status === 404) return null
  return ((await r.json()) as { disks: DiskView[] }).disks
}

const post = <T,>(path: string, body: unknown) => requestJson<T>(`/api/admin/disks/${path}`, { method: 'POST', json: body, quiet401: true })

/** Burn-in, then format, then add to the ring; `onProgress` hears each phase. */
export async function prepareDisk(d: DiskView, confirmSerial: string, onProgress: (text: string) => void): Promise<void> {
  const confirm = d.needsConfirmation ? { confirmSerial } : {}
  if (!d.burnIn?.passed && !d.velox) {
    let { job } = await post<{ job: DiskJob }>(`${encodeURIComponent(d.id)}/burn-in`, confirm)
    while (job.state === 'running') {
      onProgress(`burn-in ${job.phase} ${Math.round(job.progress * 100)} %`)
      await new Promise((r) => setTimeout(r, 1000))
      job = (await requestJson<{ job: DiskJob }>(`/api/admin/disks/jobs/${encodeURIComponent(job.id)}`, { quiet401: true, cache: 'no-store' })).job
    }
    if (job.state === 'failed') throw new Error(`burn-in of ${d.id} failed: ${job.message}`)
    // The appliance restarted during it: preparing the disk again runs it again.
    if (job.state === 'interrupted') throw new Error(`burn-in of ${d.id} was interrupted (${job.message}); prepare the disk again to run it again`)
  }
  if (!d.velox) {
    onProgress('formatting')
    await post(`${encodeURIComponent(d.id)}/format`, confirm)
  }
  if (d.velox?.state !== 'in-ring') {
    onProgress('adding to storage')
    await post(`${encodeURIComponent(d.id)}/add`, {})
  }
  onProgress('in storage')
}
