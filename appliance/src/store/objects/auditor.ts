/**
 * The object auditor of one device: walks `objects[-N]/<partition>/<suffix>/<hash>`, re-reads each
 * live data file at a bounded rate (a token bucket of bytes per second, so client traffic comes
 * first), and lets the store's checks do the judging: size against metadata on open, MD5 on the
 * whole-body read, quarantine of what fails (Swift obj/auditor.py `object_audit`).
 * Each quarantine is told to `onQuarantined` with the object's name when its metadata gave it,
 * so that the cluster re-creates the replica at once (issue 11 item 10), not on the next read.
 * An object of more than one block written before block CRCs existed gets them once its whole
 * body has passed the MD5 check (computed on the bytes just read), so its Range GETs are
 * checked from then on (DeviceObjectStore.addBlockCrcs).
 * Owns the walk and the pace; it must not repair, delete or decide what is corrupt by itself.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isVeloxError } from '../../errors.js'
import { BlockCrc, CRC_BLOCK_BYTES } from '../../lib/block-crc.js'
import { listDir } from './durable-files.js'
import type { DeviceObjectStore } from './device-object-store.js'
import { isObjectHash } from './layout.js'

export interface AuditReport {
  /** Live objects read to the end and found good. */
  objects: number
  bytes: number
  quarantined: number
  /** Objects written without block CRCs that were given them. */
  crcsAdded: number
  /** Objects that could not be audited (device errors); they are left in place. */
  errors: number
  elapsedMs: number
  /** True when stop() ended the pass early. */
  stopped: boolean
}

export interface AuditorOptions {
  /** Read rate cap, bytes per second. */
  bytesPerSecond: number
  /** Pause between passes of start(); default one hour. */
  intervalMs?: number
  /** Told after every pass of start(). */
  onPass?: (report: AuditReport) => void
  /** Told of every object this auditor's reads quarantined. */
  onQuarantined?: (q: AuditQuarantine) => void
}

export interface AuditQuarantine {
  partition: number
  hash: string
  policy: number
  /** "/account/container/object"; undefined when the metadata itself was unreadable. */
  name?: string
  reason?: string
}

/** Tokens are bytes; the bucket holds at most one second's worth. */
export class TokenBucket {
  private tokens: number
  private last = performance.now()
  private readonly rate: () => number

  /** `perSecond`: a fixed rate, or a function read at every take (a rate that follows conditions, e.g. the replicator's busy rates). */
  constructor(perSecond: number | (() => number)) {
    this.rate = typeof perSecond === 'number' ? () => perSecond : perSecond
    const r = this.rate()
    if (!(r > 0)) throw new RangeError(`bad rate ${r}`)
    this.tokens = r
  }

  /** Waits until `n` tokens are available, then takes them (a debt larger than the bucket is
   *  allowed so one big chunk never blocks for ever). */
  async take(n: number, signal?: AbortSignal): Promise<void> {
    const now = performance.now()
    const perSecond = this.rate()
    this.tokens = Math.min(perSecond, this.tokens + ((now - this.last) / 1000) * perSecond)
    this.last = now
    this.tokens -= n
    if (this.tokens < 0) await sleep((-this.tokens / perSecond) * 1000, undefined, { signal })
  }
}

export class ObjectAuditor {
  private abort = new AbortController()
  private loop?: Promise<void>

  constructor(
    private readonly store: DeviceObjectStore,
    private readonly options: AuditorOptions,
  ) {}

  /** One pass over the device. */
  async runOnce(): Promise<AuditReport> {
    const started = performance.now()
    const report: AuditReport = { objects: 0, bytes: 0, quarantined: 0, crcsAdded: 0, errors: 0, elapsedMs: 0, stopped: false }
    const bucket = new TokenBucket(this.options.bytesPerSecond)
    const signal = this.abort.signal
    try {
      for await (const found of this.walk()) {
        if (signal.aborted) break
        await this.auditOne(found, bucket, signal, report)
      }
    } catch (err) {
      if (!signal.aborted) throw err
    }
    report.stopped = signal.aborted
    report.elapsedMs = performance.now() - started
    return report
  }

  /** Runs passes until stop(), `intervalMs` apart. */
  start(): void {
    if (this.loop) return
    this.loop = (async () => {
      while (!this.abort.signal.aborted) {
        this.options.onPass?.(await this.runOnce())
        await sleep(this.options.intervalMs ?? 3_600_000, undefined, { signal: this.abort.signal }).catch(() => undefined)
      }
    })()
  }

  /** Ends the pass in progress (and the loop of start()); resolves when it has stopped. */
  async stop(): Promise<void> {
    this.abort.abort()
    await this.loop
    this.loop = undefined
    this.abort = new AbortController()
  }

  private async auditOne({ partition, hash, policy }: { partition: number; hash: string; policy: number }, bucket: TokenBucket, signal: AbortSignal, report: AuditReport): Promise<void> {
    let opened
    try {
      opened = await this.store.openHash(partition, hash, undefined, policy)
    } catch (err) {
      if (isVeloxError(err, 'not-found')) {
        if (err.detail?.quarantined) this.quarantined(report, { partition, hash, policy }, err.detail)
        return
      }
      report.errors++
      return
    }
    const stream = opened.stream()
    const meta = opened.meta
    const crcs = meta.blockCrc32 === undefined && meta.size > CRC_BLOCK_BYTES ? new BlockCrc() : undefined
    let bytes = 0
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytes += chunk.length
        crcs?.update(chunk)
        await bucket.take(chunk.length, signal)
      }
      // The stream ended, so the whole body matched its MD5: the CRCs are of good bytes.
      const digest = crcs?.digest()
      if (digest !== undefined && (await this.store.addBlockCrcs(partition, hash, policy, meta, digest))) report.crcsAdded++
      report.objects++
      report.bytes += bytes
    } catch (err) {
      if (signal.aborted) throw err
      if (isVeloxError(err) && err.detail?.quarantined) this.quarantined(report, { partition, hash, policy }, { ...err.detail, name: opened.meta.name })
      else report.errors++
    } finally {
      stream.destroy()
      await opened.close()
    }
  }

  private quarantined(report: AuditReport, at: { partition: number; hash: string; policy: number }, detail: Record<string, unknown>): void {
    report.quarantined++
    const name = typeof detail.name === 'string' ? detail.name : undefined
    const reason = typeof detail.reason === 'string' ? detail.reason : undefined
    this.options.onQuarantined?.({ ...at, name, reason })
  }

  /** Every storage policy's objects dir (`objects`, `objects-1`, …), as Swift's auditor walks them. */
  private async *walk(): AsyncGenerator<{ partition: number; hash: string; policy: number }> {
    for (const name of await listDir(this.store.root)) {
      const m = /^objects(?:-(\d+))?$/.exec(name)
      if (m) yield* this.walkPolicy(join(this.store.root, name), m[1] === undefined ? 0 : Number(m[1]))
    }
  }

  private async *walkPolicy(objects: string, policy: number): AsyncGenerator<{ partition: number; hash: string; policy: number }> {
    for (const part of await listDir(objects)) {
      if (!/^\d+$/.test(part)) continue
      for (const suffix of await listDir(join(objects, part))) {
        if (!/^[0-9a-f]{3}$/.test(suffix)) continue
        for (const hash of await listDir(join(objects, part, suffix))) {
          if (isObjectHash(hash) && hash.endsWith(suffix)) yield { partition: Number(part), hash, policy }
        }
      }
    }
  }
}
