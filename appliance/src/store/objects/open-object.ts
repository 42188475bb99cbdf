/**
 * An object opened for reading (`OpenObject`): holds the data file's descriptor so that an
 * overwrite, delete or quarantine after open() does not disturb reads in progress, serves
 * byte ranges with positioned reads, and verifies the MD5 of every whole-body read, reporting
 * a mismatch (or a file that ends early) to `onCorrupt` before failing the stream.
 * Owns reading one opened file; it must not list directories or choose which file to open.
 */
import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { VeloxError, isVeloxError } from '../../errors.js'
import { POOL_CHUNK_BYTES, recyclable, takeChunk } from '../../lib/buffer-pool.js'
import { CRC_BLOCK_BYTES, crcOf, decodeBlockCrcs } from '../../lib/block-crc.js'
import { md5, type Md5 } from '../../lib/md5.js'
import type { ObjectMetadata, OpenObject } from '../types.js'
import { translateOsError } from '../os-errors.js'

/** One positioned read per chunk: every read is a thread-pool round trip, so a whole-object
 *  stream reads 1 MiB at a time (64 KiB reads capped one stream at ~250 MB/s here), and the
 *  stream's buffer holds two chunks so the next read runs while the last one is sent. */
const READ_CHUNK_BYTES = POOL_CHUNK_BYTES

export type CorruptionHandler = (reason: string) => Promise<void>

export class OpenedObject implements OpenObject {
  private readonly streams = new Set<ObjectReadStream>()
  private closing = false
  private closed?: Promise<void>
  /** The block CRCs, decoded on the first stream (null: none kept). */
  private crcs?: Uint32Array | null

  constructor(
    private readonly fh: FileHandle,
    readonly meta: ObjectMetadata,
    readonly metaTimestamp: string | undefined,
    private readonly onCorrupt: CorruptionHandler,
  ) {}

  stream(range?: { start: number; end: number }): Readable {
    if (this.closing) throw new VeloxError('internal', 'object stream requested after close()')
    const size = this.meta.size
    const { start, end } = clampRange(range, size)
    const verify = start === 0 && end === size - 1 ? this.meta.etag : undefined
    this.crcs ??= decodeBlockCrcs(this.meta.blockCrc32, size) ?? null
    const stream = new ObjectReadStream(this.fh, start, end, verify, this.onCorrupt, this.crcs ?? undefined, size)
    this.streams.add(stream)
    stream.once('close', () => {
      this.streams.delete(stream)
      if (this.closing && this.streams.size === 0) void this.closeNow()
    })
    return stream
  }

  /** Closes the descriptor now, or when the last stream still reading has finished. A stream
   *  that nobody has started reading (its consumer failed first, e.g. a copy refused by a
   *  quota) is destroyed here, so it cannot hold the descriptor open until garbage collection. */
  async close(): Promise<void> {
    this.closing = true
    for (const s of this.streams) if (!s.started) s.destroy()
    if (this.streams.size === 0) await this.closeNow()
  }

  private closeNow(): Promise<void> {
    this.closed ??= this.fh.close().catch(() => undefined)
    return this.closed
  }
}

/** The inclusive byte range [start, end] a read of `range` covers in an object of `size`
 *  bytes (the whole body without one); `range-not-satisfiable` when it cannot be served. */
export function clampRange(range: { start: number; end: number } | undefined, size: number): { start: number; end: number } {
  if (!range) return { start: 0, end: size - 1 }
  if (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0 || range.end < range.start) {
    throw new VeloxError('range-not-satisfiable', `bad range ${range.start}-${range.end}`)
  }
  if (range.start >= size) throw new VeloxError('range-not-satisfiable', `range starts at ${range.start}, object has ${size} bytes`, { size })
  return { start: range.start, end: Math.min(range.end, size - 1) }
}

class ObjectReadStream extends Readable {
  /** Reading has begun (a consumer owns the stream and will end or destroy it). */
  started = false
  private pos: number
  private readonly md5?: Md5

  constructor(
    private readonly fh: FileHandle,
    start: number,
    private readonly end: number,
    private readonly expectedEtag: string | undefined,
    private readonly onCorrupt: CorruptionHandler,
    /** When given, reads go by whole 1 MiB blocks, each checked before any byte of it is
     *  pushed (a range's first and last blocks are read whole and cut). */
    private readonly crcs?: Uint32Array,
    private readonly size = 0,
  ) {
    // Object mode, two chunks: a consumer's read() (an async iterator's, say) gets one chunk
    // as it was read. A byte-mode stream hands over everything buffered at once, and so
    // copied two chunks into a fresh 2 MiB buffer whenever the consumer lagged (54 times per
    // GiB of a large object), whose chunks then never came back to the pool.
    super({ objectMode: true, highWaterMark: 2 })
    this.pos = start
    if (expectedEtag !== undefined) this.md5 = md5(end - start + 1)
  }

  override _read(): void {
    this.started = true
    this.readChunk().catch((err: unknown) => this.destroy(isVeloxError(err) ? err : translateOsError(err, 'read object')))
  }

  private async readChunk(): Promise<void> {
    if (this.pos > this.end) return this.finish()
    if (this.crcs) return this.readBlock(this.crcs)
    const want = Math.min(READ_CHUNK_BYTES, this.end - this.pos + 1)
    // Whole chunks come from the pool and may go back once the response has sent them.
    const buf = want === READ_CHUNK_BYTES ? recyclable(takeChunk()) : Buffer.allocUnsafe(want)
    const { bytesRead } = await this.fh.read(buf, 0, want, this.pos)
    if (bytesRead === 0) return this.corrupt(`data file ends at ${this.pos}, metadata says ${this.end + 1}`)
    this.pos += bytesRead
    const chunk = bytesRead === want ? buf : buf.subarray(0, bytesRead)
    await this.pushChecked(chunk)
  }

  /** Reads the block holding `pos` whole, checks its CRC32, pushes the part of it wanted. */
  private async readBlock(crcs: Uint32Array): Promise<void> {
    const block = Math.floor(this.pos / CRC_BLOCK_BYTES)
    const blockStart = block * CRC_BLOCK_BYTES
    const blockBytes = Math.min(CRC_BLOCK_BYTES, this.size - blockStart)
    const buf = blockBytes === READ_CHUNK_BYTES ? recyclable(takeChunk()) : Buffer.allocUnsafe(blockBytes)
    const { bytesRead } = await this.fh.read(buf, 0, blockBytes, blockStart)
    if (bytesRead < blockBytes) return this.corrupt(`data file ends at ${blockStart + bytesRead}, metadata says ${this.size}`)
    if (crcOf(buf) !== crcs[block]) return this.corrupt(`block ${block} (bytes ${blockStart}-${blockStart + blockBytes - 1}) fails its CRC32`)
    const from = this.pos - blockStart
    const to = Math.min(this.end - blockStart + 1, blockBytes)
    this.pos = blockStart + to
    await this.pushChecked(from === 0 && to === blockBytes ? buf : buf.subarray(from, to))
  }

  private async pushChecked(chunk: Buffer): Promise<void> {
    this.md5?.update(chunk)
    if (this.pos > this.end && this.md5) {
      // Verify before handing out the last bytes, so a corrupt body never ends cleanly.
      const etag = await this.md5.digest()
      if (etag !== this.expectedEtag) return this.corrupt(`md5 ${etag} does not match etag ${this.expectedEtag}`)
    }
    this.push(chunk)
  }

  private async finish(): Promise<void> {
    if (this.md5 && this.end === -1) {
      const etag = await this.md5.digest()
      if (etag !== this.expectedEtag) return this.corrupt(`md5 ${etag} does not match etag ${this.expectedEtag}`)
    }
    this.push(null)
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.md5?.dispose()
    callback(err)
  }

  private async corrupt(reason: string): Promise<void> {
    await this.onCorrupt(reason).catch(() => undefined)
    this.destroy(new VeloxError('internal', `object quarantined: ${reason}`, { quarantined: true, reason }))
  }
}
