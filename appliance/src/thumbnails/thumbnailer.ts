/**
 * The thumbnailer: told of each object write and removal (swift/objects.ts's listener, wired
 * in main.ts), it renders WebP renditions in the background through a bounded queue and
 * keeps them in step with their objects (renditions.ts). Two lanes: the small rendition of
 * every new image first (what a grid shows), the large one after; videos and PDFs get both
 * from one still. A source that cannot be rendered (corrupt, truncated, a decompression bomb,
 * too large) is logged with its reason and recorded, and answers a placeholder until the
 * object changes. Uploads never wait here; a full lane drops the job and a later request
 * regenerates it (on demand, synchronously when the queue is idle and the object small).
 */
import { availableParallelism } from 'node:os'
import type { ObjectRef } from '../cluster/replicated-objects.js'
import { isVeloxError } from '../errors.js'
import type { Log } from '../lib/log.js'
import type { ObjectMetadata, OpenObject } from '../store/types.js'
import { extractStill } from './extract.js'
import { JobQueue, type QueueStats } from './queue.js'
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
  /**
   * Jobs at once; default one per core plus one (a job also waits on replica writes), at most
   * 3 (libuv's 4 threads run sharp and file I/O alike, and client I/O must keep one).
   */
  concurrency?: number
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
  private readonly placeholders = new Map<Size, Promise<Buffer>>()
  private readonly o: Required<Omit<ThumbnailerOptions, 'imageTypes'>>

  constructor(opts: ThumbnailerOptions) {
    this.o = {
      concurrency: Math.min(availableParallelism() + 1, 3),
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
    this.queue = new JobQueue<Job>((job) => this.run(job), {
      concurrency: this.o.concurrency,
      maxPending: this.o.maxPending,
      lanes: 2,
      // Large renditions never hold every worker: a burst of uploads gets its small ones at once.
      laneConcurrency: [this.o.concurrency, Math.max(1, this.o.concurrency - 1)],
      onError: (err, job) => this.o.log.warn('thumbnail job failed', { ...job.ref, phase: job.phase, error: (err as Error).message }),
    })
  }

  /** The object listener's write: queue the renditions of a new version. Never throws. */
  written(ref: ObjectRef, meta: ObjectMetadata): void {
    if (this.policy.kindOf(meta)) this.queue.offer(keyOf(ref, 'small'), { ref, phase: 'small' })
  }

  /** The object listener's removal: the renditions go too (admitted past the bound: cheap, and never to be lost). */
  removed(ref: ObjectRef, previous?: ObjectMetadata): void {
    if (previous && this.policy.kindOf(previous)) this.queue.offer(keyOf(ref, 'small'), { ref, phase: 'small' }, { force: true })
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
   * is idle and the source small, else queue it (or merge with the waiting job) and return
   * 'missing' at once.
   */
  async request(ref: ObjectRef, meta: ObjectMetadata, size: Size): Promise<Lookup> {
    const kind = this.policy.kindOf(meta)
    if (!kind) return { state: 'unsupported' }
    const phase: Phase = size === SMALL || kind !== 'image' ? 'small' : 'large'
    const key = keyOf(ref, phase)
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
    const sizes: Size[] = kind !== 'image' ? [SMALL, LARGE] : job.phase === 'small' ? [SMALL] : [LARGE]
    let skip: boolean
    try {
      // Already made for this version (a duplicate event, a restart), or failed on the small size.
      skip = !kind || (await this.renditions.has(job.ref, sizes[sizes.length - 1], src.meta.etag)) || (job.phase === 'large' && (await this.smallFailed(job.ref, src.meta.etag)))
    } catch (err) {
      await src.close()
      throw err
    }
    if (!kind) {
      await src.close()
      return this.renditions.remove(job.ref, SIZES)
    }
    if (skip) await src.close()
    else await this.render(job.ref, src, kind, sizes)
    await this.followUp(job, kind)
  }

  /** Renders `sizes` of an opened source (closing it) and stores them, or records why not. */
  private async render(ref: ObjectRef, src: OpenObject, kind: SourceKind, sizes: Size[]): Promise<void> {
    const { meta } = src
    const base = { sourceEtag: meta.etag }
    let rendered
    try {
      if (meta.size > this.o.maxInputBytes) throw new RenderFailure(`source of ${meta.size} bytes is over the ${this.o.maxInputBytes}-byte limit`)
      const still = kind === 'image' ? await readAll(src, this.o.maxInputBytes) : await extractStill(kind, src.stream(), { tools: this.policy.tools, tmpDir: this.o.tmpDir, timeoutMs: this.o.toolTimeoutMs, edge: LARGE })
      rendered = await asRenderFailure(() => renderStill(still, sizes, this.o.limits))
    } catch (err) {
      // Store errors propagate (the job fails and a later request retries); the source's own are recorded.
      if (!(err instanceof RenderFailure)) throw err
      const reason = (err as Error).message
      this.o.log.warn('thumbnail failed', { account: ref.account, container: ref.container, object: ref.object, etag: meta.etag, reason })
      for (const size of sizes) await this.renditions.put(ref, size, Buffer.alloc(0), { ...base, failed: reason })
      return
    } finally {
      await src.close()
    }
    for (const r of rendered.renditions) {
      await this.renditions.put(ref, r.size, r.webp, { ...base, width: r.width, height: r.height, color: r.size === SMALL ? rendered.color : undefined })
    }
  }

  /** After the small rendition of an image: queue the large one; and drop renditions of an object deleted meanwhile. */
  private async followUp(job: Job, kind: SourceKind): Promise<void> {
    try {
      await (await this.o.sources.open(job.ref)).close()
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return this.renditions.remove(job.ref, SIZES)
      throw err
    }
    if (job.phase === 'small' && kind === 'image') this.queue.offer(keyOf(job.ref, 'large'), { ref: job.ref, phase: 'large' }, { lane: 1 })
  }

  private async smallFailed(ref: ObjectRef, etag: string): Promise<boolean> {
    const f = await this.renditions.find(ref, SMALL, etag)
    if (f.state !== 'missing') await f.object.close()
    return f.state === 'failed'
  }
}

function keyOf(ref: ObjectRef, phase: Phase): string {
  return JSON.stringify([phase, ref.account, ref.container, ref.object])
}

/** The whole body of an opened object (its MD5 checked on the way), refusing more than `max` bytes. */
async function readAll(src: OpenObject, max: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let n = 0
  for await (const chunk of src.stream()) {
    n += (chunk as Buffer).length
    if (n > max) throw new RenderFailure(`source is over the ${max}-byte limit`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}
