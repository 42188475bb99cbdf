/**
 * Long disk operations (burn-in) as pollable jobs: an id, the disk, a phase, progress and a
 * throughput figure while running, the result or the reason when done. Also written to a jobs
 * file beside the mount table (when given a path) at start, at each phase and at the end, so
 * that a job survives a restart: one that was running in a process that is gone (the appliance
 * stopped, a `velox disk burn-in` was interrupted) comes back as `interrupted`, to be run
 * again; never silently lost. Its result, when it had one, is in disks.json anyway. Finished
 * jobs are forgotten after an hour. The CLI and the appliance may share the file: each writes
 * its own jobs and keeps the others' as it read them.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { VeloxError } from '../errors.js'
import { processAlive } from '../lib/pids.js'

/** `interrupted`: the process running it stopped before it finished; run it again. */
export type JobState = 'running' | 'passed' | 'failed' | 'interrupted'

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

interface StoredJob extends Job {
  /** The process running it. */
  pid: number
}

const KEEP_MS = 3600_000

export class JobTable {
  private readonly jobs = new Map<string, Job>()
  /** Jobs of other processes, as last read from the file. */
  private readonly foreign = new Map<string, StoredJob>()

  /** `path`: the jobs file (none: in memory only). */
  constructor(private readonly path?: string) {
    for (const j of this.readFile()) {
      // A job under this very pid was an earlier process's (a restarted container is pid 1 again).
      if (j.state === 'running' && (j.pid === process.pid || !processAlive(j.pid))) this.jobs.set(j.id, interrupted(j))
      else if (j.pid !== process.pid) this.foreign.set(j.id, j)
      else if (!(j.finishedAt && Date.now() - Date.parse(j.finishedAt) > KEEP_MS)) this.jobs.set(j.id, publicJob(j))
    }
    if (this.jobs.size > 0) this.save() // the interruptions are now this process's to keep
  }

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
    this.save()
    return job
  }

  get(id: string): Job {
    if (!this.jobs.has(id)) this.refreshForeign()
    const j = this.jobs.get(id) ?? this.foreign.get(id)
    if (!j) throw new VeloxError('not-found', `no job ${id}`)
    return publicJob(j)
  }

  /** A running job of the disk, in this process or (as last written) in another one. */
  runningFor(diskId: string): Job | undefined {
    this.refreshForeign()
    return this.all().find((j) => j.diskId === diskId && j.state === 'running')
  }

  /** The newest job of a disk, running or finished (an interrupted one included). */
  latestFor(diskId: string): Job | undefined {
    this.refreshForeign()
    return this.all()
      .filter((j) => j.diskId === diskId)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      .pop()
  }

  /** The job entered a new phase: written, so a restart knows how far it got. */
  phase(job: Job, phase: string): void {
    job.phase = phase
    this.save()
  }

  finish(job: Job, state: Exclude<JobState, 'running' | 'interrupted'>, message: string): void {
    job.state = state
    job.phase = 'done'
    job.message = message
    job.finishedAt = new Date().toISOString()
    if (state === 'passed') job.progress = 1
    this.save()
  }

  /** Resolves when the job has finished (tests and the CLI wait on it). */
  async wait(id: string, pollMs = 100): Promise<Job> {
    for (;;) {
      const j = this.get(id)
      if (j.state !== 'running') return j
      await new Promise((r) => setTimeout(r, pollMs))
    }
  }

  private all(): Job[] {
    return [...this.jobs.values(), ...[...this.foreign.values()].map(publicJob)]
  }

  private prune(): void {
    const now = Date.now()
    for (const [id, j] of this.jobs) if (j.finishedAt && now - Date.parse(j.finishedAt) > KEEP_MS) this.jobs.delete(id)
  }

  /** Re-reads other processes' jobs; one whose process died while running is now interrupted. */
  private refreshForeign(): void {
    if (!this.path) return
    this.foreign.clear()
    for (const j of this.readFile()) {
      if (j.pid === process.pid || this.jobs.has(j.id)) continue
      this.foreign.set(j.id, j.state === 'running' && !processAlive(j.pid) ? { ...interrupted(j), pid: j.pid } : j)
    }
  }

  private readFile(): StoredJob[] {
    if (!this.path) return []
    try {
      const f = JSON.parse(readFileSync(this.path, 'utf8')) as { jobs?: StoredJob[] }
      return Array.isArray(f.jobs) ? f.jobs.filter((j) => j && typeof j.id === 'string' && Number.isSafeInteger(j.pid)) : []
    } catch {
      return [] // none yet, or unreadable: jobs are a convenience, their results are in disks.json
    }
  }

  /** Writes this process's jobs and keeps the others' (atomically: a crash leaves one or the other). */
  private save(): void {
    if (!this.path) return
    const mine = new Set(this.jobs.keys())
    const now = Date.now()
    const others = this.readFile().filter((j) => !mine.has(j.id) && j.pid !== process.pid && !(j.finishedAt && now - Date.parse(j.finishedAt) > KEEP_MS))
    const jobs = [...others, ...[...this.jobs.values()].map((j) => ({ ...j, pid: process.pid }))]
    try {
      const tmp = `${this.path}.${process.pid}.tmp`
      writeFileSync(tmp, `${JSON.stringify({ jobs }, null, 1)}\n`)
      renameSync(tmp, this.path)
    } catch {
      // A jobs file that cannot be written costs a restart the job's progress, not the job.
    }
  }
}

function interrupted(j: StoredJob): Job {
  return {
    ...publicJob(j),
    state: 'interrupted',
    message: `interrupted in its ${j.phase} phase at ${Math.round(j.progress * 100)} %: the process running it stopped; run the burn-in again`,
    finishedAt: new Date().toISOString(),
  }
}

/** A job without the file's bookkeeping. */
function publicJob(j: Job | StoredJob): Job {
  const { pid: _pid, ...job } = j as StoredJob
  return { ...job }
}
