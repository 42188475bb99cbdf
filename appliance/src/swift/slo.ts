/**
 * Static Large Objects (Swift's slo.py) above the object service: validating and storing a
 * manifest (each segment HEADed as the caller, concurrently), the assembled object's ETag
 * and size (kept in sysmeta), the segment reads for ranges of it, and deleting a manifest
 * with its segments (sub-SLOs first expanded). No HTTP types: problems come back as error
 * kinds and texts for http/ to format.
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { ObjectRef } from '../cluster/replicated-objects.js'
import { VeloxError, isVeloxError, type ErrorKind } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { ObjectMetadata } from '../store/types.js'
import { OVERRIDE_ETAG_KEY, OVERRIDE_SIZE_KEY, type ObjectService } from './objects.js'
import { type SegmentCaller, type ObjectRead, SegmentReader } from './segments.js'
import { openThroughLinks } from './symlinks.js'
import {
  SLO_LIMITS,
  byteRangeReads,
  isDataSegment,
  manifestBody,
  parseStoredManifest,
  rangeForLength,
  sloEtag,
  sloSize,
  type InputSegment,
  type StoredSegment,
} from './slo-manifest.js'
import type { HeaderMap } from './types.js'

export const SLO_ETAG_KEY = 'x-object-sysmeta-slo-etag'
export const SLO_SIZE_KEY = 'x-object-sysmeta-slo-size'

/** How many segment HEADs a manifest PUT runs at once. */
const HEAD_CONCURRENCY = 8

/** A segment that failed validation: its path (as given) and either an error kind or Swift's text. */
export interface SegmentProblem {
  name: string
  problem: ErrorKind | string
}

export type ManifestCheck = { ok: true; segments: StoredSegment[]; etag: string; size: number } | { ok: false; problems: SegmentProblem[] }

/** What a HEAD of a segment tells the manifest. */
interface SegmentFacts {
  size: number
  etag: string
  contentType: string
  lastModified: string
  slo: boolean
}

export const isSlo = (headers: Record<string, string>) => /^(1|true|yes|on|t|y)$/i.test(headers['x-static-large-object'] ?? '')

export class SloService {
  readonly reader: SegmentReader

  constructor(private readonly objects: ObjectService) {
    this.reader = new SegmentReader(objects)
  }

  /** HEADs every distinct segment path (as the caller) and builds the stored manifest. */
  async check(account: string, input: InputSegment[], caller: SegmentCaller): Promise<ManifestCheck> {
    const paths = [...new Set(input.flatMap((s) => (s.kind === 'path' ? [s.path] : [])))]
    const facts = new Map<string, SegmentFacts | ErrorKind>()
    let next = 0
    const worker = async () => {
      while (next < paths.length) {
        const p = paths[next++]
        facts.set(p, await this.head(account, p, caller))
      }
    }
    await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, paths.length) }, worker))
    const problems: SegmentProblem[] = []
    const segments: StoredSegment[] = input.map((s, i) => {
      if (s.kind === 'data') return { data: s.data }
      return this.validate(s, facts.get(s.path) as SegmentFacts | ErrorKind, i === input.length - 1, problems)
    })
    if (problems.length) return { ok: false, problems }
    return { ok: true, segments, etag: sloEtag(segments), size: sloSize(segments) }
  }

  private validate(s: Extract<InputSegment, { kind: 'path' }>, f: SegmentFacts | ErrorKind, last: boolean, problems: SegmentProblem[]): StoredSegment {
    const bad = (problem: ErrorKind | string) => problems.push({ name: s.path, problem })
    if (typeof f === 'string') {
      bad(f)
      return { data: '' }
    }
    let length = f.size
    let range: string | undefined
    if (s.range) {
      const r = rangeForLength(s.range, f.size)
      if (!r) bad('Unsatisfiable Range')
      else if (!(r[0] === 0 && r[1] === f.size)) {
        range = `${r[0]}-${r[1] - 1}`
        length = r[1] - r[0]
      }
    }
    if (length < SLO_LIMITS.minSegmentSize && !last) bad('Too small; each segment must be at least 1 byte.')
    if (s.sizeBytes !== undefined && s.sizeBytes !== f.size) bad('Size Mismatch')
    if (s.etag !== undefined && s.etag !== null && s.etag !== f.etag) bad('Etag Mismatch')
    const out: StoredSegment = { name: `/${s.path.replace(/^\/+/, '')}`, bytes: f.size, hash: f.etag, content_type: f.contentType, last_modified: f.lastModified }
    if (range !== undefined) out.range = range
    if (f.slo) out.sub_slo = true
    return out
  }

  /** A HEAD of "container/object" as the caller; an error kind when it fails. */
  private async head(account: string, path: string, caller: SegmentCaller): Promise<SegmentFacts | ErrorKind> {
    const p = path.replace(/^\/+/, '')
    const slash = p.indexOf('/')
    const ref = { account, container: p.slice(0, slash), object: p.slice(slash + 1) }
    try {
      // A segment that is a symlink counts as its target, as Swift's HEAD through the symlink middleware sees it.
      const { o, ref: reached } = await openThroughLinks(this.objects, ref, (r) => caller.authorize('HEAD', r))
      await o.close()
      const meta = o.meta
      const lm = Timestamp.parse(o.metaTimestamp ?? meta.timestamp)
      const totals = isSlo(meta.headers) ? await this.totals(reached, meta) : { etag: meta.etag, size: meta.size }
      return {
        size: totals.size,
        etag: totals.etag,
        // swob's content_type: the media type without its parameters.
        contentType: (meta.headers['content-type'] ?? meta.contentType).split(';')[0],
        // Last-Modified has whole seconds; Swift formats it with %f.
        lastModified: new Date(Math.ceil(lm.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, '.000000'),
        slo: isSlo(meta.headers),
      }
    } catch (err) {
      if (isVeloxError(err)) return err.kind
      throw err
    }
  }

  /** ETag and size of an SLO from its sysmeta, or computed from the manifest when missing. */
  async totals(ref: ObjectRef, meta: ObjectMetadata): Promise<{ etag: string; size: number }> {
    const etag = meta.headers[SLO_ETAG_KEY]
    const size = meta.headers[SLO_SIZE_KEY]
    if (etag !== undefined && size !== undefined) return { etag, size: Number(size) }
    const segments = await this.manifest(ref)
    return { etag: etag ?? sloEtag(segments), size: size !== undefined ? Number(size) : sloSize(segments) }
  }

  /**
   * What storing the manifest writes: its JSON body, X-Static-Large-Object and the SLO etag
   * and size in sysmeta, over the request's headers. The PUT itself goes through the rest of
   * the request's pipeline (versioned_writes keeps the manifest it replaces), as Swift's
   * slo middleware sends it on.
   */
  manifestWrite(checked: Extract<ManifestCheck, { ok: true }>, headers: HeaderMap): { headers: HeaderMap; body: Buffer } {
    const body = Buffer.from(manifestBody(checked.segments))
    const md5 = createHash('md5').update(body).digest('hex')
    const h: HeaderMap = {
      ...headers,
      'x-static-large-object': 'True',
      etag: md5,
      [SLO_ETAG_KEY]: checked.etag,
      [SLO_SIZE_KEY]: String(checked.size),
      [OVERRIDE_ETAG_KEY]: `${md5}; slo_etag=${checked.etag}`,
      [OVERRIDE_SIZE_KEY]: String(checked.size),
      'content-length': String(body.length),
    }
    delete h['transfer-encoding']
    return { headers: h, body }
  }

  /** The stored segments of a manifest object (multipart-manifest=get), read directly. */
  async manifest(ref: ObjectRef): Promise<StoredSegment[]> {
    const o = await this.objects.open(ref)
    try {
      if (!isSlo(o.meta.headers)) throw new VeloxError('bad-request', 'Not an SLO manifest', { explain: true })
      const chunks: Buffer[] = []
      for await (const c of o.stream()) chunks.push(c as Buffer)
      return parseStoredManifest(Buffer.concat(chunks))
    } finally {
      await o.close()
    }
  }

  /** The segment reads for bytes [first, last] of the assembled object. */
  reads(account: string, segments: StoredSegment[], first: number, last: number, caller: SegmentCaller): AsyncIterable<ObjectRead> {
    const fetchSub = async (container: string, object: string) => {
      await caller.authorize('GET', { account, container, object })
      return this.manifest({ account, container, object })
    }
    const walk = byteRangeReads(segments, first, last, fetchSub)
    return (async function* () {
      for await (const r of walk) {
        if (r.kind === 'data') yield r
        else yield { kind: 'object', ref: { account, container: r.container, object: r.object }, first: r.first, last: r.last, etag: r.etag, size: r.size } as ObjectRead
      }
    })()
  }

  /**
   * multipart-manifest=delete: the segments (and sub-SLO segments, then the sub-manifests),
   * then the manifest, each as the caller. Returns bulk delete's tallies.
   */
  async deleteAll(ref: ObjectRef, caller: SegmentCaller): Promise<{ deleted: number; notFound: number; failures: SegmentProblem[] }> {
    const result = { deleted: 0, notFound: 0, failures: [] as SegmentProblem[] }
    const queue: Array<{ name: string; subSlo: boolean; error?: ErrorKind | string }> = [{ name: `/${ref.container}/${ref.object}`, subSlo: true }]
    const toDelete: Array<{ name: string; error?: ErrorKind | string }> = []
    while (queue.length) {
      if (queue.length > SLO_LIMITS.maxManifestSegments * 10) throw new VeloxError('bad-request', 'Too many buffered slo segments to delete.', { explain: 'html' })
      const seg = queue.shift()!
      if (!seg.subSlo) {
        toDelete.push(seg)
        continue
      }
      const [container, object] = splitName(seg.name)
      try {
        await caller.authorize('GET', { account: ref.account, container, object })
        for (const s of await this.manifest({ account: ref.account, container, object })) {
          if (!isDataSegment(s)) queue.push({ name: s.name, subSlo: s.sub_slo === true })
        }
      } catch (err) {
        if (!isVeloxError(err)) throw err
        seg.error = err.kind === 'bad-request' ? err.message : err.kind === 'not-found' || err.kind === 'unauthorized' ? err.kind : 'internal'
      }
      queue.push({ ...seg, subSlo: false })
    }
    for (const seg of toDelete) {
      if (seg.error === 'not-found') result.notFound++
      else if (seg.error) result.failures.push({ name: seg.name, problem: seg.error })
      else await this.deleteOne(ref.account, seg.name, caller, result)
    }
    return result
  }

  private async deleteOne(account: string, name: string, caller: SegmentCaller, result: { deleted: number; notFound: number; failures: SegmentProblem[] }): Promise<void> {
    const [container, object] = splitName(name)
    try {
      await caller.authorize('DELETE', { account, container, object })
      await this.objects.delete({ account, container, object })
      result.deleted++
    } catch (err) {
      if (!isVeloxError(err)) throw err
      if (err.kind === 'not-found') result.notFound++
      else result.failures.push({ name, problem: err.kind })
    }
  }
}

function splitName(name: string): [string, string] {
  const n = name.replace(/^\/+/, '')
  const slash = n.indexOf('/')
  return [n.slice(0, slash), n.slice(slash + 1)]
}
