/**
 * MD5 of a byte stream, computed off the event loop for large bodies. Every object byte is
 * hashed once on PUT and again on every whole-object GET (Swift's etag check); at ~700 MB/s a
 * core, that alone kept the event-loop thread busy for 1.5 s per GiB. A stream's first
 * `INLINE_BYTES` are only held (by reference: chunks must not change after update()): a body
 * that ends within them is hashed right here, so small objects pay no thread hop; a longer one
 * is handed, in 1 MiB copies, to a hashing worker thread, which hashes while the event loop
 * goes on with the I/O. The copies are slots of memory shared with the threads: a message
 * names a slot, and the slot is free again once the thread has hashed it. (Moving an
 * ArrayBuffer to a thread and back instead counted 1 MiB of new external memory on each side
 * per copy, and V8 starts a full collection every 64 MB of that: 9 % of the machine's CPU
 * while serving a large object.) A stream that declares its size hashes in place when small,
 * and copies from the first byte when large (holding nothing of the caller's).
 * Owns hashing only: no files, no HTTP.
 */
import { createHash, type Hash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { POOL_CHUNK_BYTES, giveChunk, takeChunk } from './buffer-pool.js'
import type { HashReply, HashRequest } from './md5-worker.js'

/** Bytes hashed in place before a stream moves to a worker. */
const INLINE_BYTES = 1024 * 1024

/** Copies shared with the threads: this many slots (64 MiB of address space, touched as used);
 *  when all are waiting to be hashed, a copy goes in a pooled buffer that moves instead. */
const SLOT_BYTES = POOL_CHUNK_BYTES
const SLOTS = 64
let arena: SharedArrayBuffer | undefined
const slotViews: Buffer[] = []
const freeSlots: number[] = []

function sharedArena(): SharedArrayBuffer {
  if (!arena) {
    arena = new SharedArrayBuffer(SLOTS * SLOT_BYTES)
    for (let i = 0; i < SLOTS; i++) slotViews.push(Buffer.from(arena, i * SLOT_BYTES, SLOT_BYTES))
    for (let i = SLOTS - 1; i >= 0; i--) freeSlots.push(i)
  }
  return arena
}

/** A SLOT_BYTES buffer for a copy: a shared slot, or a pooled buffer when none is free. */
function takeStaging(): Buffer {
  sharedArena()
  const slot = freeSlots.pop()
  return slot === undefined ? takeChunk() : slotViews[slot]
}

/** Shared slots free now (all of them, SLOTS, when nothing waits to be hashed). */
export function sharedSlotsFree(): number {
  sharedArena()
  return freeSlots.length
}

function slotOf(buf: Buffer): number | undefined {
  return arena !== undefined && buf.buffer === arena ? buf.byteOffset / SLOT_BYTES : undefined
}

function giveStaging(buf: Buffer): void {
  const slot = slotOf(buf)
  if (slot === undefined) giveChunk(buf)
  else freeSlots.push(slot)
}

export interface Md5 {
  update(chunk: Uint8Array): void
  /** The hex digest of everything updated; update() must not be called after it. */
  digest(): Promise<string>
  /** Forgets the stream (an aborted body); digest() must not be called after it. */
  dispose(): void
}

/** `size`: the body's length when known (a stream is then never held by reference). */
export function md5(size?: number): Md5 {
  if ((size !== undefined && size <= INLINE_BYTES) || threadsUnusable) return new InlineMd5()
  return new GatheredMd5(size !== undefined)
}

type Reply = HashReply

/** Set when a hashing thread died before it ever answered (it cannot start here): from then
 *  on every stream is hashed in place, slower but working. */
let threadsUnusable = false

class InlineMd5 implements Md5 {
  private readonly hash = createHash('md5')
  private result?: Promise<string>

  update(chunk: Uint8Array): void {
    if (this.result) throw new Error('md5 update after digest')
    this.hash.update(chunk)
  }

  digest(): Promise<string> {
    return (this.result ??= Promise.resolve(this.hash.digest('hex')))
  }

  dispose(): void {}
}

/** A hashing thread; unref'd, so it never keeps the process alive. Restarted after a crash. */
class HashThread {
  private worker?: Worker
  private answered = false
  private readonly waiting = new Map<number, { resolve(d: string): void; reject(e: Error): void }>()
  /** Shared slots posted and not yet hashed (free again if the thread dies). */
  private readonly slotsOut = new Set<number>()
  /** Streams that have posted to this thread (their updates are lost if it dies). */
  readonly streams = new Set<number>()
  readonly failed = new Set<number>()

  /** The thread, started if needed; undefined if no thread can start here (the caller then
   *  hashes in place). */
  start(): Worker | undefined {
    if (this.worker) return this.worker
    let w: Worker
    try {
      // No flags of the process: the hashing code needs none, and a worker refuses some
      // (--perf-basic-prof, --input-type …) by throwing here.
      w = new Worker(new URL('./md5-worker.js', import.meta.url), { execArgv: [], workerData: { arena: sharedArena(), slotBytes: SLOT_BYTES } })
    } catch {
      threadsUnusable = true
      return undefined
    }
    w.on('message', (r: Reply) => {
      // A thread that failed has had its slots and waiters settled: a late answer is stale.
      if (this.worker !== w) return
      this.answered = true
      if (r.slot !== undefined) {
        if (this.slotsOut.delete(r.slot)) freeSlots.push(r.slot)
        return
      }
      if (r.recycle) return giveChunk(Buffer.from(r.recycle))
      const p = this.waiting.get(r.id)
      this.waiting.delete(r.id)
      this.streams.delete(r.id)
      this.refWhileBusy()
      if (!p) return
      if (r.error !== undefined) p.reject(new Error(`md5 worker: ${r.error}`))
      else p.resolve(r.digest as string)
    })
    const fail = (err: Error) => {
      if (this.worker !== w) return
      this.worker = undefined
      if (!this.answered) threadsUnusable = true
      for (const id of this.streams) this.failed.add(id)
      this.streams.clear()
      for (const slot of this.slotsOut) freeSlots.push(slot)
      this.slotsOut.clear()
      for (const [, p] of this.waiting) p.reject(err)
      this.waiting.clear()
    }
    w.on('error', fail)
    w.on('exit', (code) => fail(new Error(`md5 worker exited with ${code}`)))
    this.worker = w
    this.refWhileBusy()
    return w
  }

  /** The thread keeps the process alive only while a stream is being hashed (an idle one
   *  must not hold a finished CLI open; a pending digest must not let it exit). */
  private refWhileBusy(): void {
    if (this.streams.size + this.waiting.size > 0) this.worker?.ref()
    else this.worker?.unref()
  }

  private ensure(): Worker {
    const w = this.start()
    if (!w) throw new Error('md5 worker cannot start')
    return w
  }

  /** Hands over `buf` (from takeStaging), whose first `length` bytes are to be hashed. */
  post(id: number, buf: Buffer, length: number): void {
    const w = this.ensure()
    this.streams.add(id)
    this.refWhileBusy()
    const slot = slotOf(buf)
    if (slot !== undefined) {
      this.slotsOut.add(slot)
      w.postMessage({ op: 'update', id, slot, length } satisfies HashRequest)
    } else {
      // A pooled chunk has an ArrayBuffer of its own, so it can move (and comes back hashed).
      const data = buf.buffer as ArrayBuffer
      w.postMessage({ op: 'update', id, data, length } satisfies HashRequest, [data])
    }
  }

  digest(id: number): Promise<string> {
    if (this.failed.delete(id)) return Promise.reject(new Error('md5 worker failed while hashing'))
    return new Promise((resolve, reject) => {
      const w = this.ensure()
      this.waiting.set(id, { resolve, reject })
      this.refWhileBusy()
      w.postMessage({ op: 'digest', id } satisfies HashRequest)
    })
  }

  drop(id: number): void {
    this.failed.delete(id)
    if (this.streams.delete(id)) this.worker?.postMessage({ op: 'drop', id } satisfies HashRequest)
    this.refWhileBusy()
  }
}

let threads: HashThread[] | undefined
let nextThread = 0
let nextId = 1

/** A started thread, or undefined if none can start here. */
function pickThread(): HashThread | undefined {
  if (threadsUnusable) return undefined
  // One thread per core the event loop does not use, at least 2 (two streams hashed at once,
  // e.g. a large object's segment being sent and the next one read ahead, must not wait for
  // each other), at most 4: hashing is CPU-bound.
  threads ??= Array.from({ length: Math.min(4, Math.max(2, availableParallelism() - 1)) }, () => new HashThread())
  const thread = threads[nextThread++ % threads.length]
  return thread.start() ? thread : undefined
}

class GatheredMd5 implements Md5 {
  /** Until INLINE_BYTES have come: the chunks themselves (not yet copied or hashed). */
  private held: Uint8Array[] | undefined
  private heldBytes = 0
  private staging?: Buffer
  private used = 0
  private thread?: HashThread
  /** Hashing in place after all, because no thread could start. */
  private inline?: Hash
  private readonly id = nextId++
  private result?: Promise<string>

  /** `large`: known to exceed INLINE_BYTES, so copied from the start. */
  constructor(large: boolean) {
    if (!large) this.held = []
  }

  update(chunk: Uint8Array): void {
    if (this.result) throw new Error('md5 update after digest')
    if (this.held) {
      if (this.heldBytes + chunk.length <= INLINE_BYTES) {
        this.held.push(chunk)
        this.heldBytes += chunk.length
        return
      }
      const held = this.held
      this.held = undefined
      for (const c of held) this.copy(c)
    }
    this.copy(chunk)
  }

  digest(): Promise<string> {
    if (this.result) return this.result
    if (this.held || !this.thread) {
      // Never grew past INLINE_BYTES (or a declared-large body ended early, or no thread
      // could start): hash in place.
      const h = this.inline ?? createHash('md5')
      for (const c of this.held ?? []) h.update(c)
      if (this.staging) {
        h.update(this.staging.subarray(0, this.used))
        giveStaging(this.staging)
      }
      this.held = undefined
      this.staging = undefined
      this.result = Promise.resolve(h.digest('hex'))
    } else {
      if (this.used > 0) this.post()
      this.result = this.thread!.digest(this.id)
    }
    return this.result
  }

  dispose(): void {
    this.held = undefined
    if (this.staging) giveStaging(this.staging)
    this.staging = undefined
    this.thread?.drop(this.id)
    this.result ??= Promise.reject(new Error('md5 stream disposed'))
    this.result.catch(() => undefined)
  }

  private copy(chunk: Uint8Array): void {
    if (this.inline) return void this.inline.update(chunk)
    let offset = 0
    while (offset < chunk.length) {
      this.staging ??= takeStaging()
      const n = Math.min(chunk.length - offset, this.staging.length - this.used)
      this.staging.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), this.used)
      this.used += n
      offset += n
      if (this.used === this.staging.length) this.post()
    }
  }

  private post(): void {
    const buf = this.staging!
    this.thread ??= pickThread()
    if (!this.thread) {
      this.inline = createHash('md5').update(buf.subarray(0, this.used))
      giveStaging(buf)
      this.staging = undefined
      this.used = 0
      return
    }
    this.thread.post(this.id, buf, this.used)
    this.staging = undefined
    this.used = 0
  }
}
