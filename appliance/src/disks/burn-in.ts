/**
 * Burn-in before a disk enters the ring: the drive's own SMART short self-test where it has
 * one, then a bounded write-then-read-verify pass over a sample of the disk (regions spread
 * from its first to its last byte, so a bad zone anywhere has a chance to show), with progress
 * and MB/s. A failure of either refuses the disk with the reason; the result is kept in
 * disks.json so that `add` can insist on a passed burn-in.
 *
 * Between writing and reading, the written pages are dropped from the page cache (the
 * page-cache native module), so the read comes from the disk rather than from memory; where
 * the module is not built, the result says the read may have been cached.
 */
import { createCipheriv, createHash } from 'node:crypto'
import { available as pageCacheDrops, dropCache } from '../lib/page-cache.js'
import type { DiscoveredDisk } from './discovery.js'
import type { Job } from './jobs.js'
import type { BurnInResult } from './registry.js'
import type { DiskService } from './service.js'

export interface BurnInOptions {
  /** Bytes written and read back in all (bounded: a burn-in must not take hours). */
  sampleBytes: number
  /** How many regions the sample is split into. */
  regions: number
  /** Longest wait for the SMART self-test, ms. */
  selfTestTimeoutMs: number
  /** How often the self-test is polled, ms. */
  selfTestPollMs: number
}

const DEFAULTS: BurnInOptions = { sampleBytes: 256 * 2 ** 20, regions: 8, selfTestTimeoutMs: 10 * 60_000, selfTestPollMs: 5000 }
const CHUNK = 4 * 2 ** 20
const ALIGN = 4096

class BurnInFailure extends Error {}

export function startBurnIn(svc: DiskService, d: DiscoveredDisk, options: Partial<BurnInOptions>): Job {
  const o = { ...DEFAULTS, ...options }
  const regions = sampleRegions(d.sizeBytes, o.sampleBytes, o.regions)
  const total = regions.reduce((n, r) => n + r.length, 0)
  const job = svc.jobs.create(d.id, 'burn-in', total * 2)
  void run(svc, d, o, regions, job)
  return { ...job }
}

async function run(svc: DiskService, d: DiscoveredDisk, o: BurnInOptions, regions: Region[], job: Job): Promise<void> {
  const result: BurnInResult = { passed: false, reason: '', smartSelfTest: 'skipped', bytesVerified: 0, writeMBps: 0, readMBps: 0, finishedAt: '' }
  try {
    result.smartSelfTest = await selfTest(svc, d, o, job)
    const io = await writeAndVerify(svc, d, regions, job)
    Object.assign(result, io, { passed: true })
    const notes = [result.smartSelfTest === 'unsupported' ? 'no SMART self-test on this disk' : `SMART short self-test ${result.smartSelfTest}`]
    if (!pageCacheDrops) notes.push('page-cache module not built: the read-back may have come from memory')
    result.reason = notes.join('; ')
    svc.jobs.finish(job, 'passed', `${(io.bytesVerified / 2 ** 20).toFixed(0)} MiB verified, write ${io.writeMBps} MB/s, read ${io.readMBps} MB/s; ${result.reason}`)
  } catch (err) {
    result.reason = err instanceof BurnInFailure ? err.message : `burn-in could not run: ${(err as Error).message}`
    svc.jobs.finish(job, 'failed', result.reason)
  }
  result.finishedAt = new Date().toISOString()
  svc.registry.putBurnIn(d.id, result)
  if (svc.registry.get(d.id)) svc.registry.update(d.id, { burnIn: result })
  svc.opts.log.info('burn-in finished', { disk: d.id, passed: result.passed, reason: result.reason })
}

async function selfTest(svc: DiskService, d: DiscoveredDisk, o: BurnInOptions, job: Job): Promise<BurnInResult['smartSelfTest']> {
  svc.jobs.phase(job, 'smart-self-test')
  const before = await svc.smart(d, true)
  if (!before.available) return 'unsupported'
  if (before.failing.length > 0) throw new BurnInFailure(`SMART says the disk is failing: ${before.failing.join('; ')}`)
  if (!before.selfTest.supported) return 'unsupported'
  await svc.system.smartctl(d.path, 'short-test')
  const deadline = Date.now() + Math.min(o.selfTestTimeoutMs, ((before.selfTest.shortMinutes ?? 2) + 2) * 60_000)
  for (;;) {
    await new Promise((r) => setTimeout(r, o.selfTestPollMs))
    const s = await svc.smart(d, true)
    const t = s.lastSelfTest
    if (t && t.running) {
      job.message = `SMART short self-test: ${t.remainingPercent ?? '?'} % left`
    } else if (t) {
      if (t.passed === false) throw new BurnInFailure(`SMART short self-test failed: ${t.text}`)
      return 'passed'
    }
    if (Date.now() > deadline) {
      await svc.system.smartctl(d.path, 'abort-test').catch(() => undefined)
      throw new BurnInFailure('SMART short self-test did not finish in time')
    }
  }
}

interface Region {
  offset: number
  length: number
}

/** `count` regions of equal size covering `sample` bytes, spread evenly from start to end, 4 KiB aligned. */
export function sampleRegions(diskBytes: number, sample: number, count: number): Region[] {
  const per = Math.max(ALIGN, Math.floor(Math.min(sample, diskBytes) / count / ALIGN) * ALIGN)
  const n = Math.max(1, Math.min(count, Math.floor(diskBytes / per)))
  const span = diskBytes - per
  const out: Region[] = []
  for (let i = 0; i < n; i++) {
    const offset = n === 1 ? 0 : Math.floor((span * i) / (n - 1) / ALIGN) * ALIGN
    out.push({ offset, length: per })
  }
  return out
}

/** A pattern no disk produces by accident: AES-CTR keystream keyed by the disk and run, per offset. */
function pattern(key: Buffer, offset: number, length: number): Buffer {
  const iv = Buffer.alloc(16)
  iv.writeBigUInt64BE(BigInt(offset / 16), 8)
  return createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(length))
}

async function writeAndVerify(svc: DiskService, d: DiscoveredDisk, regions: Region[], job: Job): Promise<Pick<BurnInResult, 'bytesVerified' | 'writeMBps' | 'readMBps'>> {
  const key = createHash('sha256').update(`${d.id}:${job.id}`).digest().subarray(0, 16)
  const handle = await svc.system.openBlockDevice(d.path)
  try {
    svc.jobs.phase(job, 'write')
    let t0 = performance.now()
    let done = 0
    for (const r of regions) {
      for (let at = r.offset; at < r.offset + r.length; at += CHUNK) {
        const len = Math.min(CHUNK, r.offset + r.length - at)
        await ioStep(() => handle.write(pattern(key, at, len), 0, len, at), at, 'write')
        done += len
        progress(job, done, t0)
      }
    }
    await ioStep(() => handle.datasync(), 0, 'flush')
    const writeMBps = mbps(done, t0)
    await dropCache(handle.fd, 0, 0)
    svc.jobs.phase(job, 'read-verify')
    t0 = performance.now()
    let verified = 0
    const buf = Buffer.alloc(CHUNK)
    for (const r of regions) {
      for (let at = r.offset; at < r.offset + r.length; at += CHUNK) {
        const len = Math.min(CHUNK, r.offset + r.length - at)
        const { bytesRead } = await ioStep(() => handle.read(buf, 0, len, at), at, 'read')
        if (bytesRead !== len || !buf.subarray(0, len).equals(pattern(key, at, len))) {
          throw new BurnInFailure(`data read back differs from what was written at byte ${at + firstDifference(buf.subarray(0, bytesRead), pattern(key, at, len))}`)
        }
        verified += len
        progress(job, done + verified, t0)
      }
    }
    return { bytesVerified: verified, writeMBps, readMBps: mbps(verified, t0) }
  } finally {
    await handle.close()
  }
}

async function ioStep<T>(op: () => Promise<T>, at: number, what: string): Promise<T> {
  try {
    return await op()
  } catch (err) {
    throw new BurnInFailure(`${what} failed at byte ${at}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

function progress(job: Job, bytesDone: number, phaseStart: number): void {
  job.bytesDone = bytesDone
  job.progress = job.bytesTotal > 0 ? bytesDone / job.bytesTotal : 0
  const phaseBytes = job.phase === 'write' ? bytesDone : bytesDone - job.bytesTotal / 2
  job.mbps = mbps(phaseBytes, phaseStart)
}

function mbps(bytes: number, since: number): number {
  const sec = (performance.now() - since) / 1000
  return sec > 0 ? Math.round((bytes / 1e6 / sec) * 10) / 10 : 0
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return n
}
