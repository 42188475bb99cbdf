/**
 * Reused 1 MiB buffers for the bulk data path (object reads, hashing copies). A fresh 1 MiB
 * Buffer costs page faults on first touch and, every 64 MB of them, a full V8 garbage
 * collection (external memory); streaming a GiB that way spent more CPU on the collector
 * and the faults than on the data. A buffer comes back to the pool only from its last
 * holder: the HTTP response writer once the socket has taken the bytes (`release`), or the
 * hashing thread once it has hashed them (`give`).
 * Owns buffer reuse only.
 */

export const POOL_CHUNK_BYTES = 1024 * 1024
/** Buffers kept for reuse (32 MiB); more are left to the collector. */
const MAX_FREE = 32

const free: Buffer[] = []
/** Buffers handed out with `recyclable`: their consumer may give them back with `release`. */
const handedOut = new WeakSet<Buffer>()

/** A POOL_CHUNK_BYTES buffer with unspecified contents (and its own ArrayBuffer). */
export function takeChunk(): Buffer {
  return free.pop() ?? Buffer.allocUnsafeSlow(POOL_CHUNK_BYTES)
}

/** Returns a buffer from takeChunk() that nobody holds any more. */
export function giveChunk(buf: Buffer): void {
  if (buf.length === POOL_CHUNK_BYTES && buf.byteOffset === 0 && buf.buffer.byteLength === POOL_CHUNK_BYTES && free.length < MAX_FREE) free.push(buf)
}

/** Marks a chunk (from takeChunk) that is passed on as a stream chunk: the consumer that
 *  writes it out last may `release` it. A chunk that is sliced, copied or kept is simply never
 *  released, and the collector takes it as any other buffer. */
export function recyclable(buf: Buffer): Buffer {
  handedOut.add(buf)
  return buf
}

/** The stream's last consumer is done with `chunk`: back to the pool if it is a recyclable one. */
export function release(chunk: Uint8Array): void {
  if (Buffer.isBuffer(chunk) && handedOut.delete(chunk)) giveChunk(chunk)
}
