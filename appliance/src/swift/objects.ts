/**
 * Object semantics above the replicas: PUT with Swift's checks (length, etag, If-None-Match,
 * content type detection, X-Delete-At/After), reads that honour expiry, POST replacing user
 * metadata, DELETE, and server-side copy. Keeps the container listing (rows) and the
 * expirer queue in step. No HTTP types: headers in, plain results out.
 */
import { Readable } from 'node:stream'
import type { AccountUpdater } from '../cluster/account-updater.js'
import type { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import type { ObjectRef, ReplicatedObjects } from '../cluster/replicated-objects.js'
import type { SwiftConstraints } from '../config/index.js'
import { VeloxError, isVeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { ObjectMetadata, OpenObject } from '../store/types.js'
import type { Expirer } from './expirer.js'
import type { ListingUpdates, Ticket } from './listing-updates.js'
import { ownMtime, rowOf } from './object-rows.js'
import { pythonGuessType } from './mimetypes.js'
import type { HeaderMap } from './types.js'

const bad = (msg: string) => new VeloxError('bad-request', msg, { explain: true })

/** Headers an object keeps besides its content type (as Swift's object server allows). */
const KEPT = new Set(['content-disposition', 'content-encoding', 'x-delete-at', 'x-object-manifest', 'x-static-large-object', 'cache-control', 'content-language', 'expires', 'x-robots-tag'])

export interface PutInput {
  headers: HeaderMap
  body: AsyncIterable<Uint8Array> | Readable
  /** Content-Length, or undefined for a chunked body. */
  length?: number
  /** The X-Timestamp to write with (a feature that names versions by it); now by default. */
  timestamp?: string
}

/**
 * Told after an object's body is written (PUT, copy) or removed (DELETE, expiry), once the
 * listing is updated. Called synchronously and must not throw or block: a listener queues
 * its own work (main.ts wires the thumbnailer here; swift/ knows nothing of it).
 */
export interface ObjectWriteListener {
  written(ref: ObjectRef, meta: ObjectMetadata): void
  removed(ref: ObjectRef, previous?: ObjectMetadata): void
}

export class ObjectService {
  private readonly listeners: ObjectWriteListener[] = []

  constructor(
    private readonly objects: ReplicatedObjects,
    private readonly dbs: ReplicatedDatabases,
    private readonly updater: AccountUpdater,
    private readonly expirer: Expirer,
    private readonly constraints: SwiftConstraints,
    /** Journals each PUT/DELETE before the object changes, so the listing row follows even after a crash. */
    private readonly listings: ListingUpdates,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds a listener for successful writes and removals (ObjectWriteListener). */
  addWriteListener(l: ObjectWriteListener): void {
    this.listeners.push(l)
  }

  async put(ref: ObjectRef, input: PutInput): Promise<ObjectMetadata> {
    const h = input.headers
    if (input.length !== undefined && input.length > this.constraints.max_file_size) {
      throw new VeloxError('too-large', 'Your request is too large.', { explain: true })
    }
    const ifNoneMatch = h['if-none-match']
    if (ifNoneMatch !== undefined && ifNoneMatch !== '*') throw bad('If-None-Match only supports *')
    const deleteAt = this.deleteAt(h)
    if (ifNoneMatch === '*' && (await this.exists(ref))) throw new VeloxError('precondition-failed', 'object exists')
    const headers = keptHeaders(h)
    // System metadata reaches here only from features (the gatekeeper drops the client's).
    for (const [k, v] of Object.entries(h)) if (k.startsWith('x-object-sysmeta-') && v !== undefined) headers[k] = v
    if (deleteAt !== undefined) headers['x-delete-at'] = formatDeleteAt(deleteAt)
    const contentType = this.contentType(ref.object, h)
    const etag = h.etag?.replace(/^"(.*)"$/, '$1').toLowerCase()
    const timestamp = input.timestamp ?? Timestamp.now().internal
    // A Content-Length was checked against the limit above, and the store refuses a body longer
    // than it: only a chunked body needs counting on the way.
    const body = input.length !== undefined ? input.body : limitBody(input.body, this.constraints.max_file_size)
    const ticket = await this.listings.begin(ref, timestamp)
    let meta: ObjectMetadata
    try {
      meta = await this.objects.put(ref, { timestamp, contentType, headers, etag, size: input.length }, body)
    } catch (err) {
      this.listings.failed(ticket)
      throw err
    }
    await this.afterWrite(ref, meta, ticket)
    return meta
  }

  /** Opens a live object (expired ones are gone at once). Caller closes it. */
  async open(ref: ObjectRef): Promise<OpenObject> {
    const o = await this.objects.open(ref)
    const at = o.meta.headers['x-delete-at']
    if (at !== undefined && Number(at) * 1000 <= this.now()) {
      await o.close()
      throw new VeloxError('not-found', 'object expired')
    }
    return o
  }

  /** Opens a live object, or undefined when there is none (features that act only on an existing object). */
  async openIfExists(ref: ObjectRef): Promise<OpenObject | undefined> {
    try {
      return await this.open(ref)
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return undefined
      throw err
    }
  }

  async post(ref: ObjectRef, h: HeaderMap): Promise<void> {
    const current = await this.open(ref)
    await current.close()
    const deleteAt = this.deleteAt(h)
    const headers = keptHeaders(h)
    // Swift's fast-POST replaces X-Object-Manifest with the request's (none: a plain object
    // again); an SLO stays one (its flag is system metadata there).
    delete headers['x-static-large-object']
    if (current.meta.headers['x-static-large-object'] !== undefined) headers['x-static-large-object'] = current.meta.headers['x-static-large-object']
    if (deleteAt !== undefined) headers['x-delete-at'] = formatDeleteAt(deleteAt)
    // A POST without Content-Type keeps the one the object has (Swift 2.30's fast-POST).
    const contentType = h['content-type'] || current.meta.headers['content-type']
    if (contentType) headers['content-type'] = contentType
    const timestamp = Timestamp.now().internal
    await this.objects.post(ref, timestamp, headers)
    if (deleteAt !== undefined) await this.expirer.schedule(deleteAt, ref)
    if (h['content-type']) {
      // (a POST replaces the user metadata, the file's own mtime with it)
      await this.dbs.putObjectRow(ref.account, ref.container, { ...rowOf(current.meta), contentType: headers['content-type'], timestamp, mtime: ownMtime(headers) })
    }
  }

  /**
   * Deletes an object; with `ifDeleteAt` (X-If-Delete-At, as the expirer of a Swift cluster
   * sends it) only when that is still its X-Delete-At, as Swift's object server checks it.
   */
  async delete(ref: ObjectRef, ifDeleteAt?: string): Promise<void> {
    if (ifDeleteAt !== undefined) await this.checkIfDeleteAt(ref, ifDeleteAt)
    const timestamp = Timestamp.now().internal
    const { existed, previous } = await this.deleteJournaled(ref, timestamp)
    const expired = previous?.headers['x-delete-at'] !== undefined && Number(previous.headers['x-delete-at']) * 1000 <= this.now()
    if (existed) this.tell((l) => l.removed(ref, previous))
    if (!existed || expired) throw new VeloxError('not-found', 'object not found')
  }

  /**
   * Server-side copy: the source's body and (unless fresh metadata is asked for) its
   * metadata, overridden by the request's own headers.
   */
  async copy(source: ObjectRef, dest: ObjectRef, h: HeaderMap): Promise<{ meta: ObjectMetadata; source: ObjectMetadata }> {
    const src = await this.open(source)
    try {
      const fresh = /^(1|true|yes|on|t|y)$/i.test(h['x-fresh-metadata'] ?? '')
      const headers: HeaderMap = {}
      if (!fresh) {
        for (const [k, v] of Object.entries(src.meta.headers)) if (k !== 'x-delete-at' && k !== 'x-static-large-object' && !k.startsWith('x-object-sysmeta-')) headers[k] = v
        headers['content-type'] = src.meta.contentType
      }
      for (const [k, v] of Object.entries(h)) {
        if (k.startsWith('x-object-meta-') || KEPT.has(k) || k === 'content-type' || k === 'x-delete-at' || k === 'x-delete-after') headers[k] = v
      }
      if (fresh && !h['content-type']) headers['content-type'] = src.meta.contentType
      const meta = await this.put(dest, { headers, body: src.stream(), length: src.meta.size })
      return { meta, source: src.meta }
    } finally {
      await src.close()
    }
  }

  /** The expirer's action: delete the object if its X-Delete-At is still the one queued. */
  async expire(ref: ObjectRef, deleteAt: number): Promise<void> {
    let o: OpenObject
    try {
      o = await this.objects.open(ref)
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return
      throw err
    }
    await o.close()
    if (Number(o.meta.headers['x-delete-at']) !== deleteAt) return
    await this.deleteJournaled(ref, Timestamp.now().internal)
    this.tell((l) => l.removed(ref, o.meta))
  }

  /** Tombstones on the replicas and the deleted row, journaled (listing-updates.ts). */
  private async deleteJournaled(ref: ObjectRef, timestamp: string): Promise<{ existed: boolean; previous?: ObjectMetadata }> {
    const ticket = await this.listings.begin(ref, timestamp)
    let result: { existed: boolean; previous?: ObjectMetadata }
    try {
      result = await this.objects.delete(ref, timestamp)
    } catch (err) {
      this.listings.failed(ticket)
      throw err
    }
    await this.listings.applied(ticket, { name: ref.object, timestamp, size: 0, contentType: '', etag: '', deleted: true })
    return result
  }

  private async checkIfDeleteAt(ref: ObjectRef, value: string): Promise<void> {
    // Swift reads it as a Timestamp: a number, fractions allowed.
    if (!/^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) throw new VeloxError('bad-request', 'Bad X-If-Delete-At header value', { explain: 'html' })
    const current = await this.open(ref)
    await current.close()
    if (Number(current.meta.headers['x-delete-at'] ?? 0) !== Number(value)) {
      throw new VeloxError('precondition-failed', 'X-If-Delete-At and X-Delete-At do not match', { explain: 'html' })
    }
  }

  private async exists(ref: ObjectRef): Promise<boolean> {
    try {
      await (await this.open(ref)).close()
      return true
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return false
      throw err
    }
  }

  private async afterWrite(ref: ObjectRef, meta: ObjectMetadata, ticket: Ticket): Promise<void> {
    await this.listings.applied(ticket, rowOf(meta))
    const at = meta.headers['x-delete-at']
    if (at !== undefined) await this.expirer.schedule(Number(at), ref)
    this.tell((l) => l.written(ref, meta))
  }

  /** A listener's failure is its own: the write has succeeded. */
  private tell(call: (l: ObjectWriteListener) => void): void {
    for (const l of this.listeners) {
      try {
        call(l)
      } catch {
        // listeners queue work and report their own errors
      }
    }
  }

  /**
   * X-Delete-At / X-Delete-After → absolute seconds, checked as Swift's check_delete_headers
   * (Python's int(): an optional sign, digits, surrounding blanks) and clamped as its
   * normalize_delete_at_timestamp does (0 … 9999999999).
   */
  private deleteAt(h: HeaderMap): number | undefined {
    const nowSec = this.now() / 1000
    let at: number | undefined
    if (h['x-delete-after'] !== undefined) {
      if (!PY_INT.test(h['x-delete-after'])) throw bad('Non-integer X-Delete-After')
      at = clampDeleteAt(Math.floor(nowSec + Number(h['x-delete-after'])))
      if (at <= nowSec) throw bad('X-Delete-After in past')
    }
    if (h['x-delete-at'] !== undefined && at === undefined) {
      if (!PY_INT.test(h['x-delete-at'])) throw bad('Non-integer X-Delete-At')
      at = clampDeleteAt(Number(h['x-delete-at']))
      if (at <= nowSec) throw bad('X-Delete-At in past')
    }
    return at
  }

  private contentType(object: string, h: HeaderMap): string {
    const given = h['content-type']
    const detect = /^(1|true|yes|on|t|y)$/i.test(h['x-detect-content-type'] ?? '')
    if (given && !detect) return given
    return guessContentType(object)
  }
}

export { OVERRIDE_ETAG_KEY, OVERRIDE_SIZE_KEY, ownMtime, rowOf } from './object-rows.js'

/** What Python's int() accepts of a header: an optional sign and digits, blanks around. */
const PY_INT = /^\s*[+-]?\d+\s*$/

function clampDeleteAt(seconds: number): number {
  return Math.min(Math.max(0, seconds), 9999999999)
}

/** An X-Delete-At as Swift stores and sends it: ten digits at least ('%010d'). */
export function formatDeleteAt(seconds: number): string {
  return String(seconds).padStart(10, '0')
}

/** Python's mimetypes.guess_type on the object's path, as Swift's proxy guesses (swift/mimetypes.ts). */
export function guessContentType(object: string): string {
  return pythonGuessType(object) ?? 'application/octet-stream'
}

function keptHeaders(h: HeaderMap): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue
    if ((k.startsWith('x-object-meta-') && v !== '') || KEPT.has(k)) out[k] = v
  }
  delete out['x-delete-at']
  return out
}

/** Ends the body with `too-large` as soon as it passes the object size limit (chunked uploads). */
async function* limitBody(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let n = 0
  for await (const chunk of body) {
    n += chunk.length
    if (n > max) throw new VeloxError('too-large', 'Your request is too large.', { explain: true })
    yield chunk
  }
}
