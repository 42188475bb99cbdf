/**
 * Where renditions live: objects in the same replicated object store as the data, under a
 * derived name in Swift's reserved (NUL) namespace — account unchanged, container
 * "\0thumbnails\0<container>", object "<object>\0<size>" — so they are placed, replicated
 * and audited like any object, while no client can name them (the Swift path parser
 * refuses NUL) and no listing shows them (they have no container rows, so they do not count
 * in account or container stats either). One object per size: a new rendition replaces the
 * old one (last write wins), and each carries the source ETag it was made from, so a
 * rendition of an older version of the object is never served. A failed source leaves an
 * empty rendition carrying the reason, so it is not tried again until the object changes.
 */
import { Readable } from 'node:stream'
import type { ObjectRef, ReplicatedObjects } from '../cluster/replicated-objects.js'
import { isVeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { OpenObject } from '../store/types.js'
import type { Size } from './render.js'

const SOURCE_ETAG = 'x-object-sysmeta-thumbnail-source-etag'
const COLOR = 'x-object-sysmeta-thumbnail-color'
const WIDTH = 'x-object-sysmeta-thumbnail-width'
const HEIGHT = 'x-object-sysmeta-thumbnail-height'
const FAILED = 'x-object-sysmeta-thumbnail-failed'

export type RenditionStore = Pick<ReplicatedObjects, 'put' | 'open' | 'delete'>

/** The derived object of one size of `ref`'s renditions. */
export function renditionRef(ref: ObjectRef, size: Size): ObjectRef {
  return { account: ref.account, container: `\0thumbnails\0${ref.container}`, object: `${ref.object}\0${size}` }
}

export interface RenditionFacts {
  sourceEtag: string
  width?: number
  height?: number
  color?: string
  /** Why the source could not be rendered (the rendition is then empty). */
  failed?: string
}

export type Found =
  | { state: 'ready'; facts: RenditionFacts; object: OpenObject }
  | { state: 'failed'; facts: RenditionFacts; object: OpenObject }
  | { state: 'missing' }

function factsOf(h: Record<string, string>): RenditionFacts {
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v))
  return { sourceEtag: h[SOURCE_ETAG] ?? '', width: num(h[WIDTH]), height: num(h[HEIGHT]), color: h[COLOR], failed: h[FAILED] }
}

export class Renditions {
  constructor(private readonly store: RenditionStore) {}

  /**
   * The rendition of `size` made from the source version `sourceEtag`; 'missing' when there
   * is none or only one of another version. The caller closes a found object.
   */
  async find(ref: ObjectRef, size: Size, sourceEtag: string): Promise<Found> {
    let o: OpenObject
    try {
      o = await this.store.open(renditionRef(ref, size))
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return { state: 'missing' }
      throw err
    }
    const facts = factsOf(o.meta.headers)
    if (facts.sourceEtag !== sourceEtag) {
      await o.close()
      return { state: 'missing' }
    }
    return { state: facts.failed !== undefined ? 'failed' : 'ready', facts, object: o }
  }

  /** True when a rendition (or a failure record) of `size` exists for `sourceEtag`. */
  async has(ref: ObjectRef, size: Size, sourceEtag: string): Promise<boolean> {
    const f = await this.find(ref, size, sourceEtag)
    if (f.state === 'missing') return false
    await f.object.close()
    return true
  }

  /** The stored renditions of `ref`, whatever version they were made from. */
  async describe(ref: ObjectRef, sizes: readonly Size[]): Promise<Partial<Record<Size, { sourceEtag: string; failed?: string }>>> {
    const out: Partial<Record<Size, { sourceEtag: string; failed?: string }>> = {}
    for (const size of sizes) {
      try {
        const o = await this.store.open(renditionRef(ref, size))
        await o.close()
        const f = factsOf(o.meta.headers)
        out[size] = f.failed === undefined ? { sourceEtag: f.sourceEtag } : { sourceEtag: f.sourceEtag, failed: f.failed }
      } catch (err) {
        if (!isVeloxError(err, 'not-found')) throw err
      }
    }
    return out
  }

  async put(ref: ObjectRef, size: Size, webp: Buffer, facts: RenditionFacts): Promise<void> {
    const headers: Record<string, string> = { [SOURCE_ETAG]: facts.sourceEtag }
    if (facts.width !== undefined) headers[WIDTH] = String(facts.width)
    if (facts.height !== undefined) headers[HEIGHT] = String(facts.height)
    if (facts.color !== undefined) headers[COLOR] = facts.color
    // A reason is one line of at most 200 characters (it is stored as a header value).
    if (facts.failed !== undefined) headers[FAILED] = facts.failed.replace(/[\r\n]+/g, ' ').slice(0, 200)
    const put = { timestamp: Timestamp.now().internal, contentType: 'image/webp', headers, size: webp.length }
    await this.store.put(renditionRef(ref, size), put, Readable.from([webp]))
  }

  /** Removes the renditions of `sizes` that exist (no tombstones for what never was). */
  async remove(ref: ObjectRef, sizes: readonly Size[]): Promise<void> {
    for (const size of sizes) {
      const target = renditionRef(ref, size)
      try {
        await (await this.store.open(target)).close()
      } catch (err) {
        if (isVeloxError(err, 'not-found')) continue
        throw err
      }
      await this.store.delete(target, Timestamp.now().internal)
    }
  }
}
