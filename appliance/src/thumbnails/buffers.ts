/**
 * Memory for sources read whole before they are decoded: a pool of buffers handed back after
 * each render, so that the next photo's bytes land in memory the previous one used instead of
 * fresh pages (page faults and garbage-collector pressure, paid per megabyte, on every image).
 * The pool keeps a few buffers while the thumbnailer is busy and lets them go when it idles.
 */
import type { Readable } from 'node:stream'
import { release } from '../lib/buffer-pool.js'

const GRAIN = 1024 * 1024

export class BufferPool {
  private free: Buffer[] = []

  /**
   * Keeps at most `maxFree` buffers, none larger than `maxKeptBytes` (a rare huge source is
   * not kept).
   */
  constructor(private readonly o: { maxFree: number; maxKeptBytes: number }) {}

  /** A buffer of at least `size` bytes (its contents are stale). */
  take(size: number): Buffer {
    let best = -1
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].length >= size && (best < 0 || this.free[i].length < this.free[best].length)) best = i
    }
    if (best >= 0) return this.free.splice(best, 1)[0]
    return Buffer.allocUnsafeSlow(Math.max(GRAIN, Math.ceil(size / GRAIN) * GRAIN))
  }

  /** Hands `buf` back (nothing may use it any more). */
  give(buf: Buffer): void {
    if (buf.length > this.o.maxKeptBytes) return
    this.free.push(buf)
    // The smallest go first when there are too many: the large ones fit every source.
    if (this.free.length > this.o.maxFree) this.free.sort((a, b) => b.length - a.length).length = this.o.maxFree
  }

  /** Lets every kept buffer go. */
  clear(): void {
    this.free = []
  }

  /** Buffers kept now (tests). */
  get kept(): number {
    return this.free.length
  }
}

/**
 * Reads `body`, which must hold exactly `size` bytes, into a buffer from `pool`; returns the
 * buffer (to be handed back) and the view of the bytes. A body longer or shorter than `size`
 * is an error, and the buffer goes back to the pool.
 */
export async function readWhole(body: Readable, size: number, pool: BufferPool): Promise<{ buffer: Buffer; bytes: Buffer }> {
  const buffer = pool.take(size)
  let n = 0
  try {
    for await (const chunk of body) {
      const c = chunk as Buffer
      if (n + c.length > size) throw new Error(`source has more than the ${size} bytes its metadata says`)
      c.copy(buffer, n)
      n += c.length
      // The store's read chunk, copied: back to its pool.
      release(c)
    }
    if (n !== size) throw new Error(`source has ${n} bytes, its metadata says ${size}`)
  } catch (err) {
    body.destroy()
    pool.give(buffer)
    throw err
  }
  return { buffer, bytes: buffer.subarray(0, size) }
}
