/**
 * The thumbnailer: told of each object write and removal (swift/objects.ts's listener, wired
 * in main.ts), it renders WebP renditions in the background through a bounded queue and
 * keeps them in step with their objects (renditions.ts). Two lanes: the small rendition of
 * every new image first (what a grid shows), the large one after; while the small lane is
 * short, one job renders both sizes from one decode (the small one stored first), and under a
 * burst the small ones alone, the large ones queued behind them. Jobs hold a render slot
 * (one per core) only while they decode and encode, so that their reads and the replicated
 * writes of their renditions overlap the rendering of others; the slots go to small-lane jobs
 * first. Videos and PDFs get both sizes from one still. A source that cannot be rendered
 * (corrupt, truncated, a decompression bomb, too large) is logged with its reason and
 * recorded, and answers a placeholder until the object changes. Uploads never wait here; a
 * full lane drops the job and a later request regenerates it (on demand, synchronously when
 * the queue is idle and the object small). One object has one job at a time (its key is the
 * object's name, whatever the lane), so a removal or a new version waits for the job in
 * progress and then cleans up after it.
 */
import { availableParallelism } from 'node:os'
import type { ObjectRef } from '../cluster/replicated-objects.js'
import { isVeloxError } from '../errors.js'
import type { Log } from '../lib/log.js'
import type { ObjectMetadata, OpenObject } from '../store/types.js'
import { BufferPool, readWhole } from './buffers.js'
import { extractStill } from './extract.js'
import { Budget, JobQueue, Slots, type QueueStats } from './queue.js'
import { DEFAULT_LIMITS, SIZES, decodableImageTypes, placeholderWebp, renderStill, type RenderLimits, type Size } from './render.js'
import { Renditions, type Found, type RenditionStore } from './renditions.js'
import { RenderFailure, SourcePolicy, asRenderFailure, type SourceKind, type Tools } from './sources.js'

/** Reads live objects (ObjectService: expired ones are gone). */
export interface SourceObjects {
  open(ref: ObjectRef): Promise<OpenObject>
}

export interface ThumbnailerOptions {
  sources: SourceObjects
  store: RenditionStore
  log: Log
  /** Where videos and PDFs are spooled for ffmpeg/pdftoppm. */
  tmpDir: string
  tools: Tools
  /** Images rendered at once, each on one libvips thread; default one per core. */
  concurrency?: number
  /**
   * Jobs in progress beyond those rendering: reading their source or storing their renditions
   * while others render, so that the latency of replicated reads and writes (fsyncs) does not
   * leave a core idle. Default 12.
   */
  ioJobs?: number
  /** Bytes of sources that jobs hold in memory at once (one larger source still runs alone). Default 256 MiB. */
  memoryBytes?: number
  /**
   * While at most this many small-lane jobs wait, an image's job renders both sizes from one
   * decode. Past it (a burst of uploads) the small size alone, a fraction of the work, and the
   * large one later, until no small job waits any more: the grid thumbnails of a burst come
   * first, and its last ones are not held up by large renditions. Default 12 per render slot.
   */
  combineBacklog?: number
  /** Waiting jobs per lane before new ones are dropped. */
  maxPending?: number
  /** Sources larger than this are not rendered (images are decoded from memory). */
  maxInputBytes?: number
  /** A request renders on demand (and waits) only for sources up to this size. */
  onDemandMaxBytes?: number
  onDemandWaitMs?: number
  limits?: RenderLimits
  toolTimeoutMs?: number
  /** Overrides this libvips build's decodable types (tests). */
  imageTypes?: readonly string[]
}

type Phase = 'small' | 'large'
interface Job {
  ref: ObjectRef
  phase: Phase
}

const SMALL: Size = SIZES[0]
const LARGE: Size = SIZES[1]

export type Lookup = Found | { state: 'unsupported' }

export class Thumbnailer {
  readonly policy: SourcePolicy
  private readonly renditions: Renditions
  private readonly queue: JobQueue<Job>
  private readonly slots: Slots
  private readonly memory: Budget
  private readonly buffers: BufferPool
  /** In a burst: small renditions alone until the small lane is empty. */
  private bursting = false
  private readonly placeholders = new Map<Size, Promise<Buffer>>()
  private readonly o: Required<Omit<ThumbnailerOptions, 'imageTypes'>>

  constructor(opts: ThumbnailerOptions) {
    this.o = {
      concurrency: availableParallelism(),
      ioJobs: 12,
      memoryBytes: 256 * 1024 * 1024,
      combineBacklog: 12 * Math.max(1, opts.concurrency ?? availableParallelism()),
      maxPending: 1000,
      maxInputBytes: 128 * 1024 * 1024,
      onDemandMaxBytes: 16 * 1024 * 1024,
      onDemandWaitMs: 10_000,
      limits: DEFAULT_LIMITS,
      toolTimeoutMs: 30_000,
      // an option given as undefined keeps its default
      ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
    } as Required<Omit<ThumbnailerOptions, 'imageTypes'>>
    this.policy = new SourcePolicy(opts.imageTypes ?? decodableImageTypes(), opts.tools)
    this.renditions = new Renditions(opts.store)
    this.slots = new Slots(Math.max(1, this.o.concurrency))
    this.memory = new Budget(this.o.memoryBytes)
    const jobs = this.slots.size + Math.max(0, this.o.ioJobs)
    this.buffers = new BufferPool({ maxFree: jobs, maxKeptBytes: 32 * 1024 * 1024 })
    this.queue = new JobQueue<Job>((job) => this.run(job), {
      concurrency: jobs,
      maxPending: this.o.maxPending,
      lanes: 2,
      // Large renditions hold at most one job more than there are slots (they need the CPU, not
      // I/O in parallel): a burst of uploads finds jobs free for its small ones at once.
      laneConcurrency: [jobs, Math.min(jobs, this.slots.size + 1)],
      onError: (err, job) => this.o.log.warn('thumbnail job failed', { ...job.ref, phase: job.phase, error: (err as Error).message }),
    })
  }

  /** The object listener's write: queue the renditions of a new version. Never throws. */
  written(ref: ObjectRef, meta: ObjectMetadata): void {
    if (this.policy.kindOf(meta)) this.queue.offer(keyOf(ref), { ref, phase: 'small' })
  }

  /** The object listener's removal: the renditions go too (admitted past the bound: cheap, and never to be lost). */
  removed(ref: ObjectRef, previous?: ObjectMetadata): void {
    if (previous && this.policy.kindOf(previous)) this.queue.offer(keyOf(ref), { ref, phase: 'small' }, { force: true })
  }

  /** The rendition of `size` for the object version `meta`; the caller closes a found object. */
  async find(ref: ObjectRef, meta: ObjectMetadata, size: Size): Promise<Lookup> {
    const kind = this.policy.kindOf(meta)
    if (!kind) return { state: 'unsupported' }
    // A failed source is recorded on the small size (and on the large one when it failed there).
    const found = await this.renditions.find(ref, size, meta.etag)
    if (found.state !== 'missing' || size === SMALL) return found
    const small = await this.renditions.find(ref, SMALL, meta.etag)
    if (small.state === 'failed') return small
    if (small.state === 'ready') await small.object.close()
    return found
  }

  /**
   * A client asked for a rendition that is not there: render it now and wait when the queue
   * is idle and the source small, else queue it (unless a job of the object waits or runs
   * already) and return 'missing' at once.
   */
  async request(ref: ObjectRef, meta: ObjectMetadata, size: Size): Promise<Lookup> {
    const kind = this.policy.kindOf(meta)
    if (!kind) return { state: 'unsupported' }
    const phase: Phase = size === SMALL || kind !== 'image' ? 'small' : 'large'
    const key = keyOf(ref)
    // A job of this object waiting or running makes the rendition (or queues the large one): a
    // client polling meanwhile adds nothing.
    if (this.queue.isBusyWith(key)) return { state: 'missing' }
    const now = this.queue.idle && meta.size <= this.o.onDemandMaxBytes
    this.queue.offer(key, { ref, phase }, { lane: phase === 'small' ? 0 : 1, front: now, force: now })
    if (!now) return { state: 'missing' }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, this.o.onDemandWaitMs)))
    await Promise.race([this.queue.settled(key), timeout])
    clearTimeout(timer)
    return this.find(ref, meta, size)
  }

  /** What is stored for `ref`, per size: the source version each rendition was made from (operators, tests). */
  async describe(ref: ObjectRef): Promise<Partial<Record<Size, { sourceEtag: string; failed?: string }>>> {
    return this.renditions.describe(ref, SIZES)
  }

  placeholder(size: Size): Promise<Buffer> {
    let p = this.placeholders.get(size)
    if (!p) this.placeholders.set(size, (p = placeholderWebp(size)))
    return p
  }

  /** The /info section. */
  info(): Record<string, unknown> {
    return { sizes: [...SIZES], format: 'image/webp', types: this.policy.types(), color: true }
  }

  stats(): QueueStats {
    return this.queue.stats()
  }

  /** Resolves when no job waits or runs (tests, benchmarks). */
  drained(): Promise<void> {
    return this.queue.drained()
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  private async run(job: Job): Promise<void> {
    let src: OpenObject
    try {
      src = await this.o.sources.open(job.ref)
    } catch (err) {
      // Gone (deleted or expired): so are its renditions.
      if (isVeloxError(err, 'not-found')) return job.phase === 'small' ? this.renditions.remove(job.ref, SIZES) : undefined
      throw err
    }
    const kind = this.policy.kindOf(src.meta)
    let plan: Plan
    try {
      plan = kind ? await this.plan(job, kind, src.meta.etag) : { sizes: [], large: false }
    } catch (err) {
      await src.close()
      throw err
    }
    if (!kind) {
      await src.close()
      return this.renditions.remove(job.ref, SIZES)
    }
    if (plan.sizes.length === 0) await src.close()
    else plan.large = !(await this.render(job, src, kind, plan.sizes, plan.large))
    // The last job of a busy spell: the pooled source buffers go.
    const { pending, running } = this.queue.stats()
    if (pending === 0 && running <= 1) this.buffers.clear()
    if (plan.large) this.queue.offer(keyOf(job.ref), { ref: job.ref, phase: 'large' }, { lane: 1 })
  }

  /**
   * What this job renders of the source version `etag`: nothing when it is there already (a
   * duplicate event, a restart) or when the source failed on the small size; `large` when the
   * large size is left to a job of the large lane unless this one renders it too.
   */
  private async plan(job: Job, kind: SourceKind, etag: string): Promise<Plan> {
    if (kind !== 'image') return { sizes: (await this.renditions.has(job.ref, LARGE, etag)) ? [] : [SMALL, LARGE], large: false }
    if (job.phase === 'large') {
      const skip = (await this.renditions.has(job.ref, LARGE, etag)) || (await this.smallFailed(job.ref, etag))
      return { sizes: skip ? [] : [LARGE], large: false }
    }
    const small = await this.renditions.find(job.ref, SMALL, etag)
    if (small.state !== 'missing') await small.object.close()
    if (small.state === 'failed') return { sizes: [], large: false }
    return { sizes: small.state === 'missing' ? [SMALL] : [], large: true }
  }

  /**
   * Whether a small-lane job that has just got its render slot renders the large size too:
   * not in a burst, which begins when more than `combineBacklog` small-lane jobs wait (queued,
   * or holding their source for a slot) and ends when none does.
   */
  private combine(): boolean {
    const backlog = this.queue.waiting(0) + this.slots.waiting(0)
    if (backlog > this.o.combineBacklog) this.bursting = true
    else if (backlog === 0) this.bursting = false
    return !this.bursting
  }

  /**
   * Renders `sizes` of an opened source (closing it) and stores them, each as soon as it is
   * encoded (the small one while the large one still encodes), or records why not. With
   * `withLarge`, the large size too when the small lane is short at the moment a render slot
   * is granted (one decode for both); returns whether it did. A render slot is held from the
   * decode (or the tool, for videos and PDFs) to the last encode only; the source's bytes
   * count against the memory budget until then.
   */
  private async render(job: Job, src: OpenObject, kind: SourceKind, sizes: Size[], withLarge: boolean): Promise<boolean> {
    const { ref } = job
    const { meta } = src
    let open = true
    const close = async () => {
      if (open) await src.close()
      open = false
    }
    const base = { sourceEtag: meta.etag }
    const stores: Array<Promise<void>> = []
    const releases: Array<() => void> = []
    const releaseAll = () => releases.splice(0).forEach((r) => r())
    const slot = async () => releases.push(await this.slots.acquire(job.phase === 'small' ? 0 : 1))
    let rendering = sizes
    try {
      if (meta.size > this.o.maxInputBytes) throw new RenderFailure(`source of ${meta.size} bytes is over the ${this.o.maxInputBytes}-byte limit`)
      let still: Buffer
      if (kind === 'image') {
        releases.push(await this.memory.acquire(meta.size))
        const read = await readWhole(src.stream(), meta.size, this.buffers)
        releases.push(() => this.buffers.give(read.buffer))
        still = read.bytes
        await close()
        await slot()
      } else {
        await slot()
        still = await extractStill(kind, src.stream(), { tools: this.policy.tools, tmpDir: this.o.tmpDir, timeoutMs: this.o.toolTimeoutMs, edge: LARGE })
      }
      // One decode for both sizes while the small lane keeps up; the small one alone in a burst.
      if (withLarge && !sizes.includes(LARGE) && this.combine()) rendering = [...sizes, LARGE]
      await asRenderFailure(() =>
        renderStill(still, rendering, this.o.limits, (r) => {
          stores.push(this.renditions.put(ref, r.size, r.webp, { ...base, width: r.width, height: r.height, color: r.color }))
        }),
      )
    } catch (err) {
      releaseAll()
      await Promise.allSettled(stores)
      // Store errors propagate (the job fails and a later request retries); the source's own are recorded.
      if (!(err instanceof RenderFailure)) throw err
      const reason = (err as Error).message
      this.o.log.warn('thumbnail failed', { account: ref.account, container: ref.container, object: ref.object, etag: meta.etag, reason })
      for (const size of rendering) await this.renditions.put(ref, size, Buffer.alloc(0), { ...base, failed: reason })
      return rendering.includes(LARGE)
    } finally {
      releaseAll()
      await close()
    }
    await Promise.all(stores)
    return rendering.includes(LARGE)
  }

  private async smallFailed(ref: ObjectRef, etag: string): Promise<boolean> {
    const f = await this.renditions.find(ref, SMALL, etag)
    if (f.state !== 'missing') await f.object.close()
    return f.state === 'failed'
  }
}

interface Plan {
  sizes: Size[]
  /** The large size is left to a job of the large lane (unless this job renders it too). */
  large: boolean
}

/** One key per object, whatever the lane: its jobs never run at once. */
function keyOf(ref: ObjectRef): string {
  return JSON.stringify([ref.account, ref.container, ref.object])
}
