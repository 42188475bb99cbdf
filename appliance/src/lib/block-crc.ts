/**
 * CRC32 per 1 MiB block of an object's body (issue 11 item 10): kept in a data file's metadata
 * so that a read of any block (a Range GET, or the block a whole-body stream is about to send)
 * is checked before it leaves, where the body's MD5 can only be checked at its very end.
 * Encoded as base64 of big-endian 32-bit values, one per block, the last block short. CRC32
 * (zlib's, with its SIMD paths) costs little beside the MD5 already computed. No Velox imports.
 */
import { crc32 } from 'node:zlib'

export const CRC_BLOCK_BYTES = 1024 * 1024

/** Bodies of at most one block need none: their MD5 (checked whole) covers them. */
export class BlockCrc {
  private readonly crcs: number[] = []
  private crc = 0
  private inBlock = 0

  update(chunk: Uint8Array): void {
    let at = 0
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, CRC_BLOCK_BYTES - this.inBlock)
      this.crc = crc32(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n), this.crc)
      this.inBlock += n
      at += n
      if (this.inBlock === CRC_BLOCK_BYTES) {
        this.crcs.push(this.crc)
        this.crc = 0
        this.inBlock = 0
      }
    }
  }

  /** The encoded list, or undefined for a body of one block or less. */
  digest(): string | undefined {
    const all = this.inBlock > 0 ? [...this.crcs, this.crc] : this.crcs
    if (all.length <= 1) return undefined
    const buf = Buffer.alloc(all.length * 4)
    all.forEach((c, i) => buf.writeUInt32BE(c >>> 0, i * 4))
    return buf.toString('base64')
  }
}

/** The decoded list (undefined when absent or malformed: such a file is read unchecked by blocks). */
export function decodeBlockCrcs(encoded: string | undefined, size: number): Uint32Array | undefined {
  if (encoded === undefined) return undefined
  const buf = Buffer.from(encoded, 'base64')
  const blocks = Math.ceil(size / CRC_BLOCK_BYTES)
  if (buf.length !== blocks * 4) return undefined
  const out = new Uint32Array(blocks)
  for (let i = 0; i < blocks; i++) out[i] = buf.readUInt32BE(i * 4)
  return out
}

export function crcOf(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0
}
