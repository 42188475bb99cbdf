/**
 * Bulk operations as Swift 2.30's bulk middleware: extract-archive (a tar, tar.gz or tar.bz2
 * streamed entry by entry into containers and objects) and bulk-delete (a newline-separated
 * list of paths, objects first, then containers). This module owns the archive reading, the
 * path rules, the limits and the tally that ends up in the response; each single container or
 * object operation is done by the caller (a sub-request through the rest of the pipeline), so
 * auth, quotas and versioning apply as in Swift. Statuses are plain numbers; no HTTP types.
 */
import { spawn } from 'node:child_process'
import { beforeSpawn } from '../lib/close-on-exec.js'
import { Readable, pipeline } from 'node:stream'
import { createGunzip } from 'node:zlib'
import tar from 'tar-stream'
import { isValidName } from './names.js'

export const BULK_LIMITS = Object.freeze({
  maxContainersPerExtraction: 10000,
  maxFailedExtractions: 1000,
  maxDeletesPerRequest: 10000,
  maxFailedDeletes: 1000,
  /** Seconds between whitespace heartbeats on a long request. */
  yieldFrequencySec: 10,
  deleteConcurrency: 2,
})

export type BulkLimits = typeof BULK_LIMITS

/** "" (plain tar), "gz" or "bz2" for `?extract-archive=`; undefined = unsupported. */
export function archiveTypeOf(param: string): '' | 'gz' | 'bz2' | undefined {
  const types: Record<string, '' | 'gz' | 'bz2'> = { tar: '', 'tar.gz': 'gz', 'tar.bz2': 'bz2' }
  return types[param.toLowerCase().replace(/^\.+|\.+$/g, '')]
}

/** Swift's HTTPException inside a bulk run: ends it with this status (and body, or the status's default one). */
export class BulkFailure extends Error {
  constructor(
    readonly status: number,
    readonly body?: string,
  ) {
    super(body ?? String(status))
  }
}

/** What a bulk request reports: Response Status / Response Body, the counters, and [name, status] errors. */
export interface BulkOutcome {
  status: number
  body?: string
  counts: Record<string, number>
  errors: Array<[string, number]>
}

/** Python's quote(name, safe='/') of a name as the failed-files list shows it. */
export function quoteName(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/')
}


// ---- extract-archive

export interface ExtractOps {
  /** HEAD then PUT of a container: true when it was created; throws BulkFailure(status) when it cannot be. */
  ensureContainer(container: string): Promise<boolean>
  /** PUT of one object ("container/object…") with the entry's body; returns the status. */
  putObject(path: string, body: Readable, size: number, headers: Record<string, string>): Promise<number>
  /** "/v1/<account>/<container>", as a failed container is named in the errors list. */
  containerPath(container: string): string
  maxFileSize: number
  /** Longest path a name may be cut to in the errors list (object + container name limits + 2). */
  maxPathLength: number
}

/** pax_key_to_swift_header: xattrs recorded by GNU tar or bsdtar become Content-Type and user metadata. */
export function paxHeaders(pax: Record<string, string> | undefined | null): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(pax ?? {})) {
    if (key === 'SCHILY.xattr.user.mime_type' || key === 'LIBARCHIVE.xattr.user.mime_type') out['content-type'] = value
    else if (key.startsWith('SCHILY.xattr.user.meta.')) out[`x-object-meta-${key.slice(23).toLowerCase()}`] = value
    else if (key.startsWith('LIBARCHIVE.xattr.user.meta.')) out[`x-object-meta-${key.slice(27).toLowerCase()}`] = value
  }
  return out
}

/** A malformed archive, with Python's tarfile message (what Swift reports after "Invalid Tar File: "). */
class TarError extends Error {}

/** The archive's tar stream, decompressed (gzip in process, bzip2 through Debian's bzip2), first block checked. */
function tarStream(body: Readable, type: '' | 'gz' | 'bz2'): Readable {
  if (type === '') return Readable.from(checkedTar(body))
  if (type === 'gz') {
    const gunzip = createGunzip()
    pipeline(body, gunzip, () => undefined)
    return Readable.from(checkedTar(gunzip, (err) => new TarError(/header check/.test(err.message) ? 'not a gzip file' : 'invalid compressed data')))
  }
  beforeSpawn()
  const child = spawn('bzip2', ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] })
  pipeline(body, child.stdin, () => undefined)
  const exited = new Promise<void>((resolve, reject) => {
    child.on('close', (code) => (code ? reject(new TarError('invalid compressed data')) : resolve()))
    child.on('error', reject)
  })
  exited.catch(() => undefined)
  return Readable.from(checkedTar(child.stdout, undefined, exited))
}

/**
 * Passes the tar stream through once its first header block is known good, failing as
 * Python's tarfile does on the first block: empty, truncated, a non-octal or wrong checksum;
 * an all-zero first block is an empty archive (no error: the report says No Valid Files).
 * Later problems are tar-stream's to find.
 */
async function* checkedTar(src: AsyncIterable<Buffer>, mapError?: (err: Error) => Error, exited?: Promise<void>): AsyncGenerator<Buffer> {
  let head = Buffer.alloc(0)
  let checked = false
  let ended = false
  try {
    for await (const chunk of src) {
      // After a zero first block Python's tarfile has seen the end of the archive: the rest is read and dropped.
      if (ended) continue
      if (checked) {
        yield chunk
        continue
      }
      head = Buffer.concat([head, chunk])
      if (head.length < 512) continue
      if (head.subarray(0, 512).every((b) => b === 0)) {
        ended = true
        continue
      }
      const problem = firstBlockProblem(head.subarray(0, 512))
      if (problem) throw new TarError(problem)
      checked = true
      yield head
    }
  } catch (err) {
    if (err instanceof TarError || !mapError) throw err
    throw mapError(err as Error)
  }
  await exited
  if (!checked && !ended) throw new TarError(head.length === 0 ? 'empty file' : 'truncated header')
}

function firstBlockProblem(block: Buffer): string | undefined {
  const field = block.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim()
  if (!/^[0-7]*$/.test(field)) return 'invalid header'
  const expected = parseInt(field || '0', 8)
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }
  return expected === unsigned || expected === signed ? undefined : 'bad checksum'
}

function tarErrorMessage(err: Error): string {
  if (err instanceof TarError) return err.message
  if (/unexpected end/i.test(err.message)) return 'unexpected end of data'
  return 'invalid header'
}

/** handle_extract_iter without the heartbeats: reads the archive and reports what it created. */
export async function extractArchive(body: Readable, type: '' | 'gz' | 'bz2', base: string, ops: ExtractOps, limits: BulkLimits = BULK_LIMITS): Promise<BulkOutcome> {
  const counts = { 'Number Files Created': 0 }
  const out: BulkOutcome = { status: 201, body: '', counts, errors: [] }
  const failed = out.errors
  const cut = (p: string) => quoteName(p.slice(0, ops.maxPathLength))
  let failedType = 400
  let containersCreated = 0
  const accessed = new Set<string>()
  const extract = tar.extract()
  const source = tarStream(body, type)
  source.on('error', (err) => extract.destroy(err))
  source.pipe(extract)
  try {
    for await (const entry of extract) {
      if (failed.length >= limits.maxFailedExtractions) {
        entry.resume()
        break
      }
      const h = entry.header
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        entry.resume()
        continue
      }
      let objPath = h.name
      if (objPath.startsWith('./')) objPath = objPath.slice(2)
      objPath = objPath.replace(/^\/+/, '')
      if (base) objPath = `${base}/${objPath}`
      if (!objPath.includes('/')) {
        entry.resume() // a file at the base level has no container
        continue
      }
      const container = objPath.slice(0, objPath.indexOf('/'))
      const size = h.size ?? 0
      // U+FFFD: the tar name's bytes were not UTF-8 (decoded with replacement).
      if (!isValidName(objPath) || objPath.includes('\uFFFD')) {
        failed.push([cut(objPath), 412])
        entry.resume()
        continue
      }
      if (size > ops.maxFileSize) {
        failed.push([cut(objPath), 413])
        entry.resume()
        continue
      }
      let containerFailure: [string, number] | undefined
      if (!accessed.has(container)) {
        try {
          if (await ops.ensureContainer(container)) {
            containersCreated++
            if (containersCreated > limits.maxContainersPerExtraction) {
              throw new BulkFailure(400, `More than ${limits.maxContainersPerExtraction} containers to create from tar.`)
            }
          }
        } catch (err) {
          if (!(err instanceof BulkFailure) || err.body !== undefined) throw err
          containerFailure = [cut(ops.containerPath(container)), err.status]
          if (err.status === 401) throw new BulkFailure(401)
        }
      }
      const status = await ops.putObject(objPath, entry as unknown as Readable, size, paxHeaders(h.pax as Record<string, string> | undefined))
      entry.resume() // whatever the PUT left unread
      accessed.add(container)
      if (status >= 200 && status < 300) {
        counts['Number Files Created']++
        continue
      }
      if (containerFailure) failed.push(containerFailure)
      if (status === 401) {
        failed.push([cut(objPath), 401])
        throw new BulkFailure(401)
      }
      if (status >= 500) failedType = 502
      failed.push([cut(objPath), status])
    }
    if (failed.length) out.status = failedType
    else if (!counts['Number Files Created']) {
      out.status = 400
      out.body = 'Invalid Tar File: No Valid Files'
    }
  } catch (err) {
    if (err instanceof BulkFailure) {
      out.status = err.status
      out.body = err.body
    } else if (err instanceof Error) {
      out.status = 400
      out.body = `Invalid Tar File: ${tarErrorMessage(err)}`
    } else throw err
  } finally {
    extract.destroy()
    // Never destroy the request itself (that closes the client's socket): drain it instead.
    source.unpipe(extract)
    if (source !== body) source.destroy()
    body.resume()
  }
  return out
}

// ---- bulk-delete

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c])

function stripBytes(b: Buffer): Buffer {
  let s = 0
  let e = b.length
  while (s < e && WHITESPACE.has(b[s])) s++
  while (e > s && WHITESPACE.has(b[e - 1])) e--
  return b.subarray(s, e)
}

/** Percent-decodes bytes (bad escapes stay), then UTF-8; undefined when not valid UTF-8. */
function unquoteLine(line: Buffer): { name: string; valid: boolean } {
  const bytes: number[] = []
  for (let i = 0; i < line.length; i++) {
    const hex = line[i] === 0x25 && i + 2 < line.length ? line.subarray(i + 1, i + 3).toString('latin1') : ''
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else bytes.push(line[i])
  }
  const buf = Buffer.from(bytes)
  try {
    const name = new TextDecoder('utf-8', { fatal: true }).decode(buf)
    return { name, valid: isValidName(name) }
  } catch {
    return { name: buf.toString('latin1'), valid: false }
  }
}

export interface DeleteName {
  name: string
  valid: boolean
}

/** get_objs_to_delete: the body's lines, stripped and unquoted, read as Swift reads them (max_path_length at a time). */
export async function readDeleteList(body: AsyncIterable<Buffer>, maxPathLength: number, limits: BulkLimits = BULK_LIMITS): Promise<DeleteName[]> {
  const names: DeleteName[] = []
  const chunks = body[Symbol.asyncIterator]()
  let pending = Buffer.alloc(0)
  let ended = false
  const read = async (n: number): Promise<Buffer> => {
    while (pending.length < n && !ended) {
      const r = await chunks.next()
      if (r.done) ended = true
      else pending = Buffer.concat([pending, r.value])
    }
    const out = pending.subarray(0, n)
    pending = pending.subarray(out.length)
    return out
  }
  let line = Buffer.alloc(0)
  for (let remaining = true; remaining; ) {
    const nl = line.indexOf(0x0a)
    if (nl >= 0) {
      names.push(unquoteLine(stripBytes(line.subarray(0, nl))))
      line = line.subarray(nl + 1)
    } else {
      const data = await read(maxPathLength)
      if (data.length) line = Buffer.concat([line, data])
      else {
        remaining = false
        const last = stripBytes(line)
        if (last.length) names.push(unquoteLine(last))
      }
    }
    if (names.length > limits.maxDeletesPerRequest) throw new BulkFailure(413, `Maximum Bulk Deletes: ${limits.maxDeletesPerRequest} per request`)
    if (line.length > maxPathLength * 2) throw new BulkFailure(400, 'Invalid File Name')
  }
  return names
}

export interface DeleteOps {
  /** DELETE of "container" or "container/object" (the name without its leading slashes); returns the status. */
  delete(name: string): Promise<number>
}

/** handle_delete_iter without the heartbeats: objects first, then containers, a few at a time. */
export async function bulkDelete(names: DeleteName[], ops: DeleteOps, limits: BulkLimits = BULK_LIMITS): Promise<BulkOutcome> {
  const counts = { 'Number Deleted': 0, 'Number Not Found': 0 }
  const out: BulkOutcome = { status: 200, body: '', counts, errors: [] }
  const failed = out.errors
  let failedType = 400
  const tally = (name: string, status: number) => {
    if (status >= 200 && status < 300) counts['Number Deleted']++
    else if (status === 404) counts['Number Not Found']++
    else {
      if (status >= 500) failedType = 502
      failed.push([quoteName(name), status])
    }
  }
  try {
    const isObject = (n: string) => n.replace(/^\/+|\/+$/g, '').includes('/')
    for (const pass of [isObject, (n: string) => !isObject(n)]) {
      const queue = names.filter((n) => n.name && pass(n.name))
      let next = 0
      const worker = async () => {
        while (next < queue.length && failed.length < limits.maxFailedDeletes) {
          const n = queue[next++]
          if (!n.valid) {
            failed.push([quoteName(n.name), 412])
            continue
          }
          tally(n.name, await ops.delete(n.name.replace(/^\/+/, '')))
        }
      }
      await Promise.all(Array.from({ length: limits.deleteConcurrency }, worker))
      if (failed.length >= limits.maxFailedDeletes) throw new BulkFailure(400, 'Max delete failures exceeded')
    }
    if (failed.length) out.status = failedType
    else if (!(counts['Number Deleted'] || counts['Number Not Found'])) {
      out.status = 400
      out.body = 'Invalid bulk delete.'
    }
  } catch (err) {
    if (!(err instanceof BulkFailure)) throw err
    out.status = err.status
    out.body = err.body
  }
  return out
}
