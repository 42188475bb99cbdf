/**
 * Small helpers shared by the object-store tests and the crash writer: object locations with
 * real Swift-style hashes, bodies, reading a stream to a buffer, scratch directories.
 * Owns test conveniences only; it must not reach into the store's internals.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { type ErrorKind, VeloxError, isVeloxError } from '../../../src/errors.js'
import type { ObjectLocation } from '../../../src/store/types.js'

export function md5Hex(bytes: Uint8Array | string): string {
  return createHash('md5').update(bytes).digest('hex')
}

/** A location for `/a/c/<object>` with the partition taken from the hash (part power 6). */
export function objectLoc(object: string, account = 'a', container = 'c'): ObjectLocation {
  const name = `/${account}/${container}/${object}`
  const hash = md5Hex(`prefix${name}suffix`)
  return { partition: parseInt(hash.slice(0, 8), 16) >>> 26, hash, name }
}

/** A body as an async iterable of `chunkBytes`-sized pieces. */
export async function* chunked(bytes: Uint8Array, chunkBytes = 65536): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += chunkBytes) yield bytes.subarray(i, i + chunkBytes)
}

/** Deterministic bytes: a cheap xorshift stream seeded by `seed`. */
export function patternBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

export async function scratchDir(prefix = 'velox-objects-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Seeded PRNG so failures can be replayed from the printed seed. */
export { seededRandom } from '../../../src/lib/random.js'

/** Timestamps a fixed distance apart, in Swift's internal form. */
export function ts(n: number, base = 1_700_000_000): string {
  return `${base + Math.floor(n / 100000)}.${String(n % 100000).padStart(5, '0')}`
}

/** The body the crash writer stores for (name, timestamp): anyone can recompute it, so every
 *  visible version can be checked byte for byte. Sizes span 0 B to 192 KiB. */
export function versionBody(name: string, timestamp: string): Buffer {
  const seed = parseInt(md5Hex(`${name}@${timestamp}`).slice(0, 8), 16)
  return patternBytes(seed % (192 * 1024 + 1), seed)
}

/** The names the crash writer chooses from (a small pool, so later rounds overwrite). */
export const CRASH_OBJECT_NAMES: readonly string[] = Array.from({ length: 60 }, (_, i) => `obj-${i}`)

/** Resolves with the VeloxError of `kind` that `p` rejects with; fails on anything else. */
export async function rejection(p: Promise<unknown>, kind: ErrorKind): Promise<VeloxError> {
  try {
    await p
  } catch (err) {
    if (isVeloxError(err, kind)) return err
    throw err
  }
  throw new Error(`expected ${kind}, it resolved`)
}
