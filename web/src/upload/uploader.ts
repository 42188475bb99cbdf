/**
 * The upload queue of the file browser. Small files go up in one PUT (three at a time);
 * files above SEGMENTED_THRESHOLD become a Static Large Object: segments PUT to
 * `<container>_segments/<name>/<size>-<mtime>-<upload id>/<n>` with SEGMENTS_IN_FLIGHT at
 * once, each retried with backoff when the connection drops, then the manifest. A segment
 * already on the server with the expected size is skipped (one listing of the file's
 * segments: stored-segments.ts), so a retried or re-dropped file resumes where it stopped, and
 * so does a file resumed after a reload (its stem comes back from leave-guard.ts). The upload
 * id makes every upload's segments its own: a finished upload's segments are never reused by
 * a later upload of the same file — a manifest moved elsewhere (rename, move, a renamed
 * container) still refers to them, and deleting the new file would delete them under it. The
 * manifest's ETags make the server check every segment. Every upload carries the file's own modification time in
 * X-Object-Meta-Mtime (seconds with decimals, as swiftclient and rclone write it). Knows
 * nothing of React: pages subscribe to snapshots.
 */
import { csrfHeaders, request } from '../api/http'
import { SEGMENTS_SUFFIX, type SwiftClient } from '../api/swift'
import { RateMeter, etaSec } from './rate'
import { storedSegments } from './stored-segments'
import { AbortedError, sleep, xhrPut } from './xhr'

export const SEGMENTED_THRESHOLD = 32 * 1024 * 1024
export const SEGMENT_SIZE = 16 * 1024 * 1024
export const SEGMENTS_IN_FLIGHT = 4
const FILES_IN_FLIGHT = 3
const ATTEMPTS = 6
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000]

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled'

export interface UploadItem {
  id: number
  file: File
  container: string
  object: string
  size: number
  loaded: number
  status: UploadStatus
  segmented: boolean
  segmentsDone: number
  segmentsTotal: number
  bytesPerSec: number
  etaSec: number | null
  error?: string
  /** A note while retrying after a dropped connection. */
  retrying?: string
  /** Where a segmented upload's segments go, under `<container>_segments/` (set when it starts, or given to resume one). */
  segmentStem?: string
}

export interface UploadTotals {
  files: number
  active: number
  done: number
  failed: number
  size: number
  loaded: number
  bytesPerSec: number
  etaSec: number | null
}

interface Job {
  item: UploadItem
  abort: AbortController
  meter: RateMeter
  /** Segment index → ETag, kept across retries of the whole file. */
  segmentEtags: Map<number, string>
}

export class Uploader {
  private jobs: Job[] = []
  private nextId = 1
  private listeners = new Set<() => void>()
  private completed = new Set<(item: UploadItem) => void>()
  private overall = new RateMeter()
  private notifyScheduled = false
  private segmentContainers = new Map<string, Promise<void>>()
  private snapshot: UploadItem[] = []
  /** The stems of segmented uploads not finished in this page, so that a re-dropped file resumes. */
  private unfinishedStems = new Map<string, string>()

  constructor(private readonly swift: SwiftClient) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Called once per finished file (for listings to refresh). */
  onCompleted(fn: (item: UploadItem) => void): () => void {
    this.completed.add(fn)
    return () => this.completed.delete(fn)
  }

  items(): UploadItem[] {
    return this.snapshot
  }

  /** `stem`: the segments of an interrupted upload to go on from (leave-guard.ts). */
  add(files: Array<{ file: File; container: string; object: string; stem?: string }>): void {
    // A batch after a pause starts a new overall speed, not an average over the idle time.
    if (!this.jobs.some((j) => j.item.status === 'queued' || j.item.status === 'uploading')) this.overall.reset()
    for (const f of files) {
      const segmented = f.file.size > SEGMENTED_THRESHOLD
      this.jobs.push({
        item: {
          id: this.nextId++,
          file: f.file,
          container: f.container,
          object: f.object,
          size: f.file.size,
          loaded: 0,
          status: 'queued',
          segmented,
          segmentsDone: 0,
          segmentsTotal: segmented ? Math.ceil(f.file.size / SEGMENT_SIZE) : 1,
          bytesPerSec: 0,
          etaSec: null,
          ...(f.stem ? { segmentStem: f.stem } : {}),
        },
        abort: new AbortController(),
        meter: new RateMeter(),
        segmentEtags: new Map(),
      })
    }
    this.changed()
    this.pump()
  }

  cancel(id: number): void {
    const job = this.jobs.find((j) => j.item.id === id)
    if (!job || job.item.status === 'done') return
    job.abort.abort()
    job.item.status = 'cancelled'
    this.changed()
    this.pump()
  }

  cancelAll(): void {
    for (const j of this.jobs) if (j.item.status === 'queued' || j.item.status === 'uploading') this.cancel(j.item.id)
  }

  retry(id: number): void {
    const job = this.jobs.find((j) => j.item.id === id)
    if (!job || (job.item.status !== 'failed' && job.item.status !== 'cancelled')) return
    job.abort = new AbortController()
    job.item.status = 'queued'
    job.item.error = undefined
    this.changed()
    this.pump()
  }

  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => j.item.status === 'queued' || j.item.status === 'uploading')
    this.changed()
  }

  totals(): UploadTotals {
    const t: UploadTotals = { files: 0, active: 0, done: 0, failed: 0, size: 0, loaded: 0, bytesPerSec: this.overall.bytesPerSec(), etaSec: null }
    for (const j of this.jobs) {
      const i = j.item
      if (i.status === 'cancelled') continue
      t.files++
      t.size += i.size
      t.loaded += i.status === 'done' ? i.size : i.loaded
      if (i.status === 'uploading' || i.status === 'queued') t.active++
      if (i.status === 'done') t.done++
      if (i.status === 'failed') t.failed++
    }
    t.etaSec = t.active ? etaSec(t.size - t.loaded, t.bytesPerSec) : null
    return t
  }

  private pump(): void {
    const running = this.jobs.filter((j) => j.item.status === 'uploading').length
    let free = FILES_IN_FLIGHT - running
    for (const job of this.jobs) {
      if (free <= 0) break
      if (job.item.status !== 'queued') continue
      free--
      void this.run(job)
    }
  }

  private async run(job: Job): Promise<void> {
    const item = job.item
    item.status = 'uploading'
    item.loaded = 0
    job.meter.reset()
    this.changed()
    try {
      if (item.segmented) await this.putSegmented(job)
      else await this.putWhole(job)
      item.status = 'done'
      item.loaded = item.size
      item.retrying = undefined
      for (const fn of this.completed) fn(item)
    } catch (err) {
      if (err instanceof AbortedError || job.abort.signal.aborted) item.status = 'cancelled'
      else {
        item.status = 'failed'
        item.error = (err as Error).message
      }
    }
    item.retrying = undefined
    this.changed()
    this.pump()
  }

  private progress(job: Job, loaded: number): void {
    const delta = loaded - job.item.loaded
    job.item.loaded = loaded
    job.meter.add(loaded)
    this.overallLoaded += delta
    this.overall.add(this.overallLoaded)
    this.changed()
  }

  private overallLoaded = 0

  private async putWhole(job: Job): Promise<void> {
    const { item } = job
    const url = this.swift.objectUrl(item.container, item.object)
    const headers = { ...csrfHeaders(), ...mtimeHeader(item.file), ...(item.file.type ? { 'Content-Type': item.file.type } : {}) }
    await this.withRetries(job, async () => {
      const base = item.loaded
      const r = await xhrPut(url, item.file, headers, (n) => this.progress(job, n), job.abort.signal)
      if (r.status >= 200 && r.status < 300) return
      this.progress(job, base)
      throw httpFailure(r.status, r.body)
    })
  }

  private async putSegmented(job: Job): Promise<void> {
    const { item } = job
    const segContainer = item.container + SEGMENTS_SUFFIX
    await this.ensureContainer(segContainer)
    const key = [item.container, item.object, item.size, item.file.lastModified].join('\n')
    const stem = (item.segmentStem ??= this.unfinishedStems.get(key) ?? `${item.object}/${item.size}-${item.file.lastModified}-${uploadId()}`)
    this.unfinishedStems.set(key, stem)
    const count = item.segmentsTotal
    const sizeOf = (n: number) => Math.min(SEGMENT_SIZE, item.size - n * SEGMENT_SIZE)
    if (job.segmentEtags.size < count) {
      for (const [n, etag] of await storedSegments(this.swift, segContainer, stem, sizeOf)) if (!job.segmentEtags.has(n)) job.segmentEtags.set(n, etag)
      if (job.abort.signal.aborted) throw new AbortedError()
    }
    const inFlight = new Map<number, number>()
    let doneBytes = 0
    const report = () => {
      let n = doneBytes
      for (const v of inFlight.values()) n += v
      this.progress(job, n)
    }
    let next = 0
    const worker = async () => {
      while (next < count) {
        const n = next++
        const start = n * SEGMENT_SIZE
        const blob = item.file.slice(start, Math.min(item.size, start + SEGMENT_SIZE))
        const segPath = `${stem}/${String(n).padStart(6, '0')}`
        const url = this.swift.objectUrl(segContainer, segPath)
        if (!job.segmentEtags.has(n)) {
          await this.withRetries(job, async () => {
            inFlight.set(n, 0)
            const r = await xhrPut(url, blob, { ...csrfHeaders() }, (loaded) => {
              inFlight.set(n, loaded)
              report()
            }, job.abort.signal).finally(() => inFlight.delete(n))
            if (r.status < 200 || r.status >= 300) throw httpFailure(r.status, r.body)
            job.segmentEtags.set(n, unquote(r.etag ?? ''))
          })
        }
        doneBytes += blob.size
        item.segmentsDone++
        report()
      }
    }
    item.segmentsDone = 0
    await Promise.all(Array.from({ length: Math.min(SEGMENTS_IN_FLIGHT, count) }, worker))
    const manifest = Array.from({ length: count }, (_, n) => ({
      path: `/${segContainer}/${stem}/${String(n).padStart(6, '0')}`,
      etag: job.segmentEtags.get(n) || null,
      size_bytes: sizeOf(n),
    }))
    const url = `${this.swift.objectUrl(item.container, item.object)}?multipart-manifest=put`
    await this.withRetries(job, async () => {
      const headers = { ...csrfHeaders(), ...mtimeHeader(item.file), 'Content-Type': item.file.type || 'application/octet-stream' }
      const r = await request(url, { method: 'PUT', body: JSON.stringify(manifest), headers, accept: [400, 401, 403, 409, 413, 422, 500, 503], signal: job.abort.signal })
      if (!r.ok) throw httpFailure(r.status, await r.text())
    })
    this.unfinishedStems.delete(key)
  }

  private ensureContainer(container: string): Promise<void> {
    let p = this.segmentContainers.get(container)
    if (!p) {
      p = this.swift.createContainer(container)
      p.catch(() => this.segmentContainers.delete(container))
      this.segmentContainers.set(container, p)
    }
    return p
  }

  /** Retries a step after a dropped connection or a 5xx, with backoff; 4xx fail at once. */
  private async withRetries(job: Job, step: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await step()
        if (job.item.retrying) {
          job.item.retrying = undefined
          this.changed()
        }
        return
      } catch (err) {
        if (err instanceof AbortedError || job.abort.signal.aborted) throw new AbortedError()
        const permanent = err instanceof HttpFailure && err.status < 500 && err.status !== 408
        if (permanent || attempt >= ATTEMPTS) throw err
        const wait = BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]
        job.item.retrying = `${(err as Error).message}; retrying (${attempt}/${ATTEMPTS - 1})`
        this.changed()
        await sleep(wait, job.abort.signal)
      }
    }
  }

  private changed(): void {
    if (this.notifyScheduled) return
    this.notifyScheduled = true
    setTimeout(() => {
      this.notifyScheduled = false
      for (const j of this.jobs) {
        j.item.bytesPerSec = j.item.status === 'uploading' ? j.meter.bytesPerSec() : 0
        j.item.etaSec = j.item.status === 'uploading' ? etaSec(j.item.size - j.item.loaded, j.item.bytesPerSec) : null
      }
      this.snapshot = this.jobs.map((j) => ({ ...j.item }))
      for (const fn of this.listeners) fn()
    }, 100)
  }
}

class HttpFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

function httpFailure(status: number, body: string): HttpFailure {
  const text = body && body.length < 200 && !body.trimStart().startsWith('<') ? `: ${body.trim()}` : ''
  return new HttpFailure(status, status === 0 ? 'connection lost' : `HTTP ${status}${text}`)
}

/** The file's own modification time, in the header and format swiftclient and rclone use. */
/** Eight random hex digits (crypto.getRandomValues: also on plain HTTP, where randomUUID is missing). */
function uploadId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, '0')).join('')
}

export function mtimeHeader(file: File): Record<string, string> {
  return file.lastModified ? { 'X-Object-Meta-Mtime': (file.lastModified / 1000).toFixed(6) } : {}
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '')
}

