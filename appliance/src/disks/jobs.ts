/**
 * Long disk operations (burn-in) as pollable jobs: an id, the disk, a phase, progress and a
 * throughput figure while running, the result or the reason when done. Kept in memory (a job
 * does not survive a restart; its result does, in disks.json); finished jobs are forgotten
 * after an hour.
 */
import { randomUUID } from 'node:crypto'
import { VeloxError } from '../errors.js'

export type JobState = 'running' | 'passed' | 'failed'

export interface Job {
  id: string
  diskId: string
  kind: 'burn-in'
  state: JobState
  /** What it is doing now: "smart-self-test", "write", "read-verify", "done". */
  phase: string
  /** 0..1 over the whole job. */
  progress: number
  bytesDone: number
  bytesTotal: number
  /** Throughput of the current phase, MB/s (10^6 bytes). */
  mbps: number
  /** Why it failed, or what it found. */
  message: string
  startedAt: string
  finishedAt: string | null
}

const KEEP_MS = 3600_000

export class JobTable {
  private readonly jobs = new Map<string, Job>()

  create(diskId: string, kind: Job['kind'], bytesTotal: number): Job {
    this.prune()
    const job: Job = {
      id: randomUUID(),
      diskId,
      kind,
      state: 'running',
      phase: 'starting',
      progress: 0,
      bytesDone: 0,
      bytesTotal,
      mbps: 0,
      message: '',
      startedAt: new Date().toISOString(),
      finishedAt: null,
    }
    this.jobs.set(job.id, job)
    return job
  }

  get(id: string): Job {
    const j = this.jobs.get(id)
    if (!j) throw new VeloxError('not-found', `no job ${id}`)
    return { ...j }
  }

  runningFor(diskId: string): Job | undefined {
    return [...this.jobs.values()].find((j) => j.diskId === diskId && j.state === 'running')
  }

  /** The newest job of a disk, running or finished. */
  latestFor(diskId: string): Job | undefined {
    return [...this.jobs.values()].filter((j) => j.diskId === diskId).pop()
  }

  finish(job: Job, state: Exclude<JobState, 'running'>, message: string): void {
    job.state = state
    job.phase = 'done'
    job.message = message
    job.finishedAt = new Date().toISOString()
    if (state === 'passed') job.progress = 1
  }

  /** Resolves when the job has finished (tests and the CLI wait on it). */
  async wait(id: string, pollMs = 100): Promise<Job> {
    for (;;) {
      const j = this.get(id)
      if (j.state !== 'running') return j
      await new Promise((r) => setTimeout(r, pollMs))
    }
  }

  private prune(): void {
    const now = Date.now()
    for (const [id, j] of this.jobs) if (j.finishedAt && now - Date.parse(j.finishedAt) > KEEP_MS) this.jobs.delete(id)
  }
}
