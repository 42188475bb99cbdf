/**
 * The bulk features (Swift's `bulk` middleware, first in the pipeline): `PUT ?extract-archive=`
 * (bulk_upload) and `POST|DELETE ?bulk-delete` (bulk_delete). Each container or object
 * operation is a sub-request through the rest of the pipeline, authorized on its own path;
 * the answer is 200 at once, whitespace heartbeats while the work runs, then Swift's report
 * in text, JSON or XML chosen by Accept. The rules and the tally live in swift/bulk.ts.
 */
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { VeloxError } from '../../../errors.js'
import { BULK_LIMITS, BulkFailure, archiveTypeOf, bulkDelete, extractArchive, readDeleteList, type BulkOutcome } from '../../../swift/bulk.js'
import type { SwiftServices } from '../../../swift/index.js'
import { REASONS, swiftErrorResponse } from '../../error-response.js'
import { listingFormat, pyJson } from '../listing-format.js'
import type { Next, SwiftFeature } from '../pipeline.js'
import { bodyLength, type SwiftRequest } from '../request.js'
import { parseSwiftPath } from '../swift-path.js'

export const bulkUploadFeature: SwiftFeature = {
  name: 'bulk_upload',
  stage: 'pre-auth',
  info: () => ({ max_containers_per_extraction: BULK_LIMITS.maxContainersPerExtraction, max_failed_extractions: BULK_LIMITS.maxFailedExtractions }),
  async handle(s, req, next) {
    const param = req.query.get('extract-archive')
    if (param === null || req.method !== 'PUT') return next()
    const type = archiveTypeOf(param)
    if (type === undefined) throw new VeloxError('bad-request', 'Unsupported archive format', { explain: 'html' })
    return reportStreamed(req, 'extract', { 'Number Files Created': 0 }, () => extract(s, req, next, type))
  },
}

export const bulkDeleteFeature: SwiftFeature = {
  name: 'bulk_delete',
  stage: 'pre-auth',
  info: () => ({ max_deletes_per_request: BULK_LIMITS.maxDeletesPerRequest, max_failed_deletes: BULK_LIMITS.maxFailedDeletes }),
  async handle(s, req, next) {
    if (!req.query.has('bulk-delete') || (req.method !== 'POST' && req.method !== 'DELETE')) return next()
    return reportStreamed(req, 'delete', { 'Number Deleted': 0, 'Number Not Found': 0 }, () => del(s, req, next))
  },
}

/** Longest name the bulk middleware reads or reports (MAX_OBJECT_NAME_LENGTH + MAX_CONTAINER_NAME_LENGTH + 2). */
function maxPathLength(s: SwiftServices): number {
  return s.constraints.max_object_name_length + s.constraints.max_container_name_length + 2
}

// ---- the response

function statusLine(status: number): string {
  const reasons: Record<number, string> = { 200: 'OK', 201: 'Created', 502: 'Bad Gateway' }
  return `${status} ${reasons[status] ?? REASONS[status]?.[0] ?? 'Unknown'}`
}

/** get_response_body: the report in the asked format (XML without its declaration, as Swift). */
export function renderReport(format: string | undefined, o: BulkOutcome, rootTag: string): string {
  const dict: Record<string, string | number> = { 'Response Status': statusLine(o.status), 'Response Body': o.body ?? '', ...o.counts }
  const errors = o.errors.map(([name, status]) => [name, statusLine(status)])
  if (format === 'application/json') return pyJson({ ...dict, Errors: errors })
  const keys = Object.keys(dict).sort()
  if (format?.endsWith('/xml')) {
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    const fields = keys.map((k) => {
      const tag = k.replace(/ /g, '_').toLowerCase()
      return `<${tag}>${esc(String(dict[k]))}</${tag}>\n`
    })
    const objs = errors.map(([n, st]) => `<object><name>${esc(n)}</name><status>${esc(st)}</status></object>\n`)
    return `<${rootTag}>\n${fields.join('')}<errors>\n${objs.join('')}</errors>\n</${rootTag}>\n`
  }
  return `${keys.map((k) => `${k}: ${dict[k]}\n`).join('')}Errors:\n${errors.map(([n, st]) => `${n}, ${st}\n`).join('')}`
}

/** 200 at once, the body written as the work goes (heartbeatBody). */
function reportStreamed(req: SwiftRequest, rootTag: string, counts: Record<string, number>, work: () => Promise<BulkOutcome>) {
  const format = listingFormat(undefined, req.headers.accept)
  const running = (format ? work() : Promise.resolve<BulkOutcome>({ status: 406, counts, errors: [] })).catch(
    (): BulkOutcome => ({ status: 500, counts, errors: [] }),
  )
  const contentType = format ?? 'text/html; charset=UTF-8'
  return { status: 200, headers: { 'Content-Type': contentType }, body: Readable.from(heartbeatBody(format, running, rootTag, BULK_LIMITS.yieldFrequencySec * 1000)) }
}

/**
 * While `running` runs, a heartbeat every `intervalMs` (the first one the XML declaration for
 * XML, then single spaces), so that proxies and clients keep the connection; then the report,
 * after a blank line when a heartbeat went out.
 */
export async function* heartbeatBody(format: string | undefined, running: Promise<BulkOutcome>, rootTag: string, intervalMs: number): AsyncGenerator<Buffer> {
  let heartbeat = format?.endsWith('/xml') ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ' '
  let separator = ''
  let outcome: BulkOutcome | undefined
  void running.then((o) => (outcome = o))
  for (;;) {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([running, new Promise((resolve) => (timer = setTimeout(resolve, intervalMs)))])
    clearTimeout(timer)
    await Promise.resolve()
    if (outcome !== undefined) break
    yield Buffer.from(heartbeat)
    heartbeat = ' '
    separator = '\r\n\r\n'
  }
  yield Buffer.from(separator + renderReport(format, outcome, rootTag))
}

// ---- sub-requests (Swift's make_subrequest)

function quotePath(version: string, account: string, rest: string): string {
  return `/${version}/${encodeURIComponent(account)}/${rest.split('/').map(encodeURIComponent).join('/')}`
}

function fakeRaw(method: string, url: string, headers: Record<string, string>, body: Readable = Readable.from([])): IncomingMessage {
  return Object.assign(body, { method, url, headers, complete: true }) as unknown as IncomingMessage
}

/** Runs one sub-request through the rest of the pipeline and returns its status (errors included). */
async function subStatus(s: SwiftServices, req: SwiftRequest, next: Next, method: string, rest: string, extra: Record<string, string> = {}, body?: Readable): Promise<number> {
  const rawPath = quotePath(req.path.version, req.path.account, rest)
  const headers: Record<string, string> = { ...extra }
  for (const k of ['x-auth-token', 'x-storage-token', 'host', 'referer', 'user-agent']) if (req.headers[k] !== undefined) headers[k] = req.headers[k] as string
  if (!('content-length' in headers)) headers['content-length'] = '0'
  try {
    const path = parseSwiftPath(rawPath, s.constraints)
    if (!path) return 404
    const sub: SwiftRequest = { ...req, method, path, headers, query: new URLSearchParams(), raw: fakeRaw(method, rawPath, headers, body), grant: { owner: false }, authorized: false }
    const r = await next(sub)
    if (r.body instanceof Readable) r.body.destroy()
    return r.status
  } catch (err) {
    return swiftErrorResponse(err).status
  }
}

function requireLength(req: SwiftRequest): void {
  if (bodyLength(req.raw) === 'missing') throw new BulkFailure(411)
}

async function extract(s: SwiftServices, req: SwiftRequest, next: Next, type: '' | 'gz' | 'bz2'): Promise<BulkOutcome> {
  try {
    requireLength(req)
  } catch (err) {
    if (err instanceof BulkFailure) return { status: err.status, body: err.body, counts: { 'Number Files Created': 0 }, errors: [] }
    throw err
  }
  const base = [req.path.container, req.path.object].filter((p) => p !== undefined).join('/').replace(/\/+$/, '')
  const copied: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && (k === 'x-delete-at' || k === 'x-delete-after' || (k.startsWith('x-object-meta-') && k.length > 14))) copied[k] = v
  }
  return extractArchive(req.raw, type, base, {
    containerPath: (container) => `/${req.path.version}/${req.path.account}/${container}`,
    maxFileSize: s.constraints.max_file_size,
    maxPathLength: maxPathLength(s),
    async ensureContainer(container) {
      const head = await subStatus(s, req, next, 'HEAD', container)
      if (head >= 200 && head < 300) return false
      if (head === 404) {
        const put = await subStatus(s, req, next, 'PUT', container)
        if (put >= 200 && put < 300) return true
        throw new BulkFailure(put)
      }
      throw new BulkFailure(head)
    },
    putObject(path, body, size, pax) {
      return subStatus(s, req, next, 'PUT', path, { ...copied, ...pax, 'content-length': String(size) }, body)
    },
  })
}

async function del(s: SwiftServices, req: SwiftRequest, next: Next): Promise<BulkOutcome> {
  const empty = { status: 200, counts: { 'Number Deleted': 0, 'Number Not Found': 0 }, errors: [] }
  try {
    const incoming = req.headers['content-type']
    if (incoming && !incoming.startsWith('text/plain')) throw new BulkFailure(406)
    requireLength(req)
    const names = await readDeleteList(req.raw, maxPathLength(s))
    return await bulkDelete(names, { delete: (name) => subStatus(s, req, next, 'DELETE', name) })
  } catch (err) {
    if (err instanceof BulkFailure) return { ...empty, status: err.status, body: err.body }
    throw err
  }
}
