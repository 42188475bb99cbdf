/**
 * Renaming a container (a top-level folder of the files app) as a server-side job that
 * survives a reload and a restart. Swift cannot rename a container, so the job makes the new
 * one with the old one's settings (ACLs, X-Container-Meta-* — quotas, CORS, static web,
 * TempURL keys —, storage policy, versioning), moves every object into it (server-side COPY,
 * a large object as its manifest so that its segments stay where they are), re-points the
 * share links and user shares, then removes the old container and its history.
 *
 * Safety: an old object is deleted only after its copy's ETag matched; an object already in
 * the new container under the same name is never overwritten (the same ETag counts as
 * moved, a different one stops the job and says which); the target must be new or empty.
 * Progress (the last name moved, counts) is in the state db ('container-renames') after
 * every object, so a restart continues where it stopped. The calls go through this
 * appliance's Swift API as the user who asked (loopback-swift.ts): the job can do nothing
 * that user could not.
 */
import { randomBytes } from 'node:crypto'
import { VeloxError } from '../errors.js'
import type { StateDb, StateNamespace } from '../store/state-db.js'
import { LoopbackSwift, type ListedObject, type LoopbackIdentity } from './loopback-swift.js'
import { moveObject, purgeHistory } from './rename-steps.js'

export interface RenameJob {
  id: string
  /** "account:user" who asked; the job acts as this user. */
  owner: string
  /** Swift account ("AUTH_test"). */
  storageAccount: string
  from: string
  to: string
  state: 'running' | 'failed' | 'done'
  step: 'copying' | 'finishing'
  /** Objects in the old container when the job began, and moved so far. */
  total: number
  moved: number
  /** The last name handled; the copy pass goes on after it. */
  marker: string
  /** Copy passes made (objects written to the old container meanwhile need another). */
  passes: number
  /** Share links and user shares re-pointed to the new name. */
  repointed?: { links: number; userShares: number }
  error?: string
  startedAt: number
  updatedAt: number
}

export interface RenameDeps extends LoopbackIdentity {
  db: StateDb
  /** Moves share records of `account`/`from` to `to` (idempotent). */
  repoint(account: string, from: string, to: string): Promise<{ links: number; userShares: number }>
  log?: { warn(msg: string, fields?: Record<string, unknown>): void }
}

/** The settings a new container is made with: everything a HEAD shows that a PUT can set. */
const CARRIED = /^(x-container-read|x-container-write|x-container-meta-.+|x-storage-policy|x-versions-enabled|x-versions-location|x-history-location)$/i
const PAGE = 500
const MAX_PASSES = 5
/** Objects moved at once: a few, so that the user's own requests still come first. */
const CONCURRENCY = 4
/** How long a finished job stays readable (its summary after a reload). */
const KEEP_DONE_SEC = 7 * 86_400

export function checkContainerName(name: unknown): string {
  if (typeof name !== 'string' || !name || name.includes('/') || name.length > 256 || Buffer.byteLength(name) > 256) {
    throw new VeloxError('bad-request', 'a container name is 1 to 256 bytes and has no “/”')
  }
  return name
}

export class ContainerRenames {
  private readonly jobs: StateNamespace<RenameJob>
  private readonly running = new Map<string, Promise<void>>()
  private base: string | undefined
  private stopping = false
  private starting: Promise<unknown> = Promise.resolve()

  constructor(private readonly d: RenameDeps) {
    this.jobs = d.db.namespace<RenameJob>('container-renames')
  }

  /** Once the server listens: continues the jobs a stop or a crash interrupted, forgets old finished ones. */
  async start(baseUrl: string): Promise<void> {
    this.base = baseUrl
    const old = Date.now() / 1000 - KEEP_DONE_SEC
    for await (const [id, job] of this.jobs.entries()) {
      if (job.state === 'running') this.launch(job)
      else if (job.state === 'done' && job.updatedAt < old) await this.jobs.del(id)
    }
  }

  /** Lets the running jobs finish the object they are on; they continue after the next start. */
  async stop(): Promise<void> {
    this.stopping = true
    await Promise.all(this.running.values())
  }

  /** Starts renaming; one start at a time, so that two cannot both take the same names. */
  begin(who: { account: string; user: string }, storageAccount: string, body: unknown): Promise<RenameJob> {
    const run = this.starting.catch(() => undefined).then(() => this.beginNow(who, storageAccount, body))
    this.starting = run
    return run
  }

  private async beginNow(who: { account: string; user: string }, storageAccount: string, body: unknown): Promise<RenameJob> {
    const b = (body ?? {}) as { from?: unknown; to?: unknown }
    const from = checkContainerName(b.from)
    const to = checkContainerName(b.to)
    if (from === to) throw new VeloxError('bad-request', 'that is its name already')
    for await (const [, j] of this.jobs.entries()) {
      if (j.state !== 'done' && j.storageAccount === storageAccount && [j.from, j.to].some((n) => n === from || n === to)) {
        throw new VeloxError('conflict', `“${j.from}” is being renamed to “${j.to}” already: continue or finish that first`)
      }
    }
    const swift = this.swift(who, storageAccount)
    const old = await swift.head(encodeURIComponent(from))
    if (!old) throw new VeloxError('not-found', `there is no container “${from}”`)
    const headers: Record<string, string> = {}
    old.forEach((v, k) => {
      if (CARRIED.test(k)) headers[k] = v
    })
    const existing = await swift.head(encodeURIComponent(to))
    if (existing) {
      if (Number(existing.get('x-container-object-count') ?? 0) > 0) throw new VeloxError('conflict', `there is a container “${to}” already and it is not empty: pick another name`)
      if ((existing.get('x-storage-policy') ?? '') !== (old.get('x-storage-policy') ?? '')) {
        throw new VeloxError('conflict', `there is an empty container “${to}” already with another storage policy: delete it or pick another name`)
      }
      const post = { ...headers }
      delete post['x-storage-policy']
      await swift.call('POST', encodeURIComponent(to), { headers: post })
    } else {
      await swift.call('PUT', encodeURIComponent(to), { headers })
    }
    const now = Math.floor(Date.now() / 1000)
    const job: RenameJob = {
      id: randomBytes(9).toString('base64url'),
      owner: `${who.account}:${who.user}`,
      storageAccount,
      from,
      to,
      state: 'running',
      step: 'copying',
      total: Number(old.get('x-container-object-count') ?? 0),
      moved: 0,
      marker: '',
      passes: 1,
      startedAt: now,
      updatedAt: now,
    }
    await this.jobs.put(job.id, job)
    this.launch(job)
    return job
  }

  /** The owner's job `id`, as the app polls it. */
  async get(owner: string, id: string): Promise<RenameJob> {
    const job = await this.jobs.get(id)
    if (!job || job.owner !== owner) throw new VeloxError('not-found', 'no such rename')
    return job
  }

  /** The owner's jobs that are not done (running or stopped by an error), for the app to offer. */
  async open(owner: string): Promise<RenameJob[]> {
    const out: RenameJob[] = []
    for await (const [, j] of this.jobs.entries()) if (j.owner === owner && j.state !== 'done') out.push(j)
    return out
  }

  /** Runs a job an error stopped again from where it stopped. */
  async resume(owner: string, id: string): Promise<RenameJob> {
    const job = await this.get(owner, id)
    if (job.state === 'failed') {
      job.state = 'running'
      delete job.error
      await this.save(job)
    }
    if (job.state === 'running') this.launch(job)
    return job
  }

  /** Forgets a job an error stopped: both containers stay as they are, nothing is undone. */
  async abandon(owner: string, id: string): Promise<void> {
    const job = await this.get(owner, id)
    if (job.state === 'running') throw new VeloxError('conflict', 'the rename is running; it can be left once it stops')
    await this.jobs.del(id)
  }

  /** Resolves when job `id` is not running in this process (tests). */
  async settled(id: string): Promise<void> {
    await this.running.get(id)
  }

  private swift(who: { account: string; user: string }, storageAccount: string): LoopbackSwift {
    return new LoopbackSwift(() => {
      if (!this.base) throw new VeloxError('unavailable', 'the server is not listening yet')
      return this.base
    }, this.d, { ...who, storageAccount })
  }

  private launch(job: RenameJob): void {
    if (this.running.has(job.id) || this.stopping || !this.base) return
    const p = this.run(job)
      .catch(async (err: unknown) => {
        if (this.stopping) return // (the server went away under it: the next start continues)
        job.state = 'failed'
        job.error = err instanceof Error ? err.message : String(err)
        this.d.log?.warn('container rename stopped', { id: job.id, from: job.from, to: job.to, error: job.error })
        await this.save(job)
      })
      .finally(() => this.running.delete(job.id))
    this.running.set(job.id, p)
  }

  private async run(job: RenameJob): Promise<void> {
    const [account, user] = [job.owner.slice(0, job.owner.indexOf(':')), job.owner.slice(job.owner.indexOf(':') + 1)]
    const swift = this.swift({ account, user }, job.storageAccount)
    while (job.step === 'copying') {
      const page = await swift.list(job.from, job.marker, PAGE)
      await this.movePage(swift, job, page)
      if (this.stopping) return
      if (page.length === PAGE) continue
      // Anything written to the old container behind the marker meanwhile needs another pass.
      const left = await swift.list(job.from, '', 1)
      if (left.length && job.passes < MAX_PASSES) {
        job.passes++
        job.marker = ''
        await this.save(job)
        continue
      }
      if (left.length) throw new VeloxError('conflict', `“${job.from}” keeps getting new files (${left[0].name}); stop writing to it, then continue`)
      job.step = 'finishing'
      await this.save(job)
    }
    if (this.stopping) return
    job.repointed = await this.d.repoint(job.storageAccount, job.from, job.to)
    await this.save(job)
    await purgeHistory(swift, job.from)
    await swift.call('DELETE', encodeURIComponent(job.from), { accept: [404] })
    job.state = 'done'
    await this.save(job)
  }

  /**
   * Moves a page of objects, CONCURRENCY at a time. The marker (and the count) only moves
   * over the names done without a gap, so that a stop or crash never skips one: a name done
   * after the gap is looked at again and counted then (its copy is found at the target).
   */
  private async movePage(swift: LoopbackSwift, job: RenameJob, page: ListedObject[]): Promise<void> {
    const done = new Array<boolean | undefined>(page.length)
    let next = 0
    let committed = 0
    let failure: { err: unknown } | undefined
    const worker = async () => {
      while (next < page.length && !this.stopping && !failure) {
        const i = next++
        try {
          done[i] = await moveObject(swift, job.from, job.to, page[i])
        } catch (err) {
          failure ??= { err }
          return
        }
        const before = committed
        for (; committed < page.length && done[committed] !== undefined; committed++) {
          job.marker = page[committed].name
          if (done[committed]) job.moved++
        }
        if (committed > before) await this.save(job)
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    if (failure) throw failure.err
  }

  private async save(job: RenameJob): Promise<void> {
    job.updatedAt = Math.floor(Date.now() / 1000)
    await this.jobs.put(job.id, job)
  }
}
