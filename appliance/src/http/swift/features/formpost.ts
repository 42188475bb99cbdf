/**
 * The FormPost feature (pre-auth): a browser's multipart/form-data POST to
 * /v1/<account>/<container>[/<prefix>] becomes one object PUT per file, parsed as a stream
 * with busboy (fields before a file apply to it; nothing is buffered beyond a field's 4 KiB)
 * and each PUT run down the rest of the pipeline as Swift's pre-authorized subrequests are.
 * Answers a 303 to the form's redirect with status and message, or the plain-text status;
 * errors as Swift words them ("FormPost: max_file_size exceeded", 401 "FormPost: Invalid
 * Signature"). The form's rules (signature, limits, names): swift/formpost.ts.
 */
import busboy from 'busboy'
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { isVeloxError } from '../../../errors.js'
import { FormPostError, MAX_VALUE_LENGTH, attributeValue, checkFileUpload, formResult, formpostInfo, formpostKeys, pyTitle, withinFileCount } from '../../../swift/formpost.js'
import type { SwiftServices } from '../../../swift/index.js'
import { REASONS, clientStatus } from '../../error-response.js'
import type { Next, SwiftFeature } from '../pipeline.js'
import type { SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'

type Part =
  | { kind: 'field'; name?: string; value: string }
  | { kind: 'file'; name?: string; stream: Readable; filename?: string; mimeType: string }

/** Raised into the multipart stream when the form itself is malformed (Swift's MimeInvalid). */
class MimeInvalid extends Error {}

/** The form's parts in order; a file part must be consumed before the next part arrives. */
async function* formParts(raw: IncomingMessage): AsyncGenerator<Part> {
  let bb: busboy.Busboy
  try {
    bb = busboy({ headers: raw.headers, limits: { fieldSize: MAX_VALUE_LENGTH }, preservePath: true, defParamCharset: 'utf8' })
  } catch {
    throw new MimeInvalid()
  }
  const queue: Array<Part | Error | null> = []
  let wake: (() => void) | undefined
  const push = (p: Part | Error | null) => {
    queue.push(p)
    wake?.()
  }
  bb.on('field', (name, value) => push({ kind: 'field', name: name || undefined, value }))
  bb.on('file', (name, stream, info) => push({ kind: 'file', name: name || undefined, stream, filename: info.filename, mimeType: info.mimeType }))
  bb.on('error', () => push(new MimeInvalid()))
  bb.on('close', () => push(null))
  raw.pipe(bb)
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r))
      const p = queue.shift() as Part | Error | null
      if (p === null) return
      if (p instanceof Error) throw p
      yield p
    }
  } finally {
    raw.unpipe(bb)
    if (!raw.readableEnded) raw.resume()
  }
}

/** A file part with no file name is a field; its first 4 KiB are its value. */
async function readValue(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  let n = 0
  for await (const c of stream) {
    if (n < MAX_VALUE_LENGTH) chunks.push((c as Buffer).subarray(0, MAX_VALUE_LENGTH - n))
    n += (c as Buffer).length
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Thrown when the file passes max_file_size (Swift's EOFError from _CappedFileLikeObject). */
class SizeExceeded extends Error {}

/** The part's bytes as a PUT body that fails once past max_file_size; `exceeded()` tells afterwards. */
function cappedBody(stream: Readable, max: number, like: IncomingMessage): { body: IncomingMessage; exceeded: () => boolean } {
  let over = false
  async function* capped(): AsyncGenerator<Buffer> {
    let n = 0
    for await (const c of stream) {
      n += (c as Buffer).length
      if (n > max) {
        over = true
        throw new SizeExceeded('max_file_size exceeded')
      }
      yield c as Buffer
    }
  }
  const body = Object.assign(Readable.from(capped(), { objectMode: false }), { headers: { 'transfer-encoding': 'chunked' }, rawHeaders: [], method: 'PUT', url: like.url, socket: like.socket, complete: false })
  return { body: body as unknown as IncomingMessage, exceeded: () => over }
}

function statusLine(status: number): string {
  const reason = ({ 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content' } as Record<number, string>)[status] ?? REASONS[status]?.[0] ?? 'Unknown'
  return `${status} ${reason}`
}

/** Headers a pre-authorized subrequest keeps from the form's request (make_env's list). */
const KEPT = ['user-agent', 'host', 'origin', 'access-control-request-method', 'referer']

/** Runs one file's PUT down the rest of the pipeline; returns its status and headers. */
async function putFile(req: SwiftRequest, next: Next, object: string, headers: Record<string, string | undefined>, file: ReturnType<typeof cappedBody>): Promise<{ status: number; headers: Record<string, string | number> }> {
  // The request is re-pointed at the file's PUT and restored afterwards, so this works with any `next`.
  const saved = { method: req.method, path: req.path, headers: req.headers, raw: req.raw, grant: req.grant, authorized: req.authorized, query: req.query }
  const sub: Record<string, string | undefined> = { ...headers }
  for (const h of KEPT) if (saved.headers[h] !== undefined) sub[h] = saved.headers[h]
  Object.assign(req, { method: 'PUT', path: { ...req.path, object }, headers: sub, raw: file.body, grant: { owner: false, via: 'formpost' }, authorized: true, query: new URLSearchParams() })
  try {
    const res = await next()
    if (res.body instanceof Readable) res.body.destroy()
    // Swift checks the cap when the PUT answers, whatever the answer.
    if (file.exceeded()) throw new SizeExceeded('max_file_size exceeded')
    return { status: res.status, headers: res.headers }
  } catch (err) {
    if (file.exceeded()) throw new SizeExceeded('max_file_size exceeded')
    if (!isVeloxError(err)) throw err
    return { status: clientStatus(err.kind), headers: {} }
  } finally {
    Object.assign(req, saved)
  }
}

async function translateForm(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const { version, account, container, object } = req.path
  const keys = await formpostKeys(s.infoCache, account, container)
  const pathInfo = `/${version}/${account}${container !== undefined ? `/${container}` : ''}${object !== undefined ? `/${object}` : ''}`
  const attrs: Record<string, string> = {}
  let status = ''
  let message = ''
  let subheaders: Record<string, string | number> = {}
  let files = 0
  for await (const part of formParts(req.raw)) {
    if (part.kind === 'file' && part.filename) {
      files++
      if (!withinFileCount(attrs, files)) {
        status = '400 Bad Request'
        message = 'max file count exceeded'
        part.stream.resume()
        break
      }
      if (container === undefined) throw new FormPostError(401, 'invalid signature')
      const upload = checkFileUpload(attrs, { filename: part.filename, contentType: part.mimeType }, pathInfo, object ?? '', keys, Date.now() / 1000)
      const r = await putFile(req, next, upload.object, upload.headers, cappedBody(part.stream, upload.maxFileSize, req.raw))
      part.stream.resume()
      status = statusLine(r.status)
      subheaders = r.headers
      if (r.status < 200 || r.status >= 300) break
      continue
    }
    const value = part.kind === 'field' ? part.value : await readValue(part.stream)
    if (part.name !== undefined) attrs[part.name.toLowerCase()] = attributeValue(value)
  }
  if (!status) {
    status = '400 Bad Request'
    message = 'no files to process'
  }
  const result = formResult(status, message, attrs.redirect)
  const cors = Object.fromEntries(Object.entries(subheaders).filter(([k]) => k.toLowerCase().startsWith('access-control')))
  return { status: result.status, headers: { ...cors, ...result.headers }, body: result.body }
}

function plain400(text: string): SwiftResponse {
  return { status: 400, headers: { 'Content-Type': 'text/plain', Connection: 'close' }, body: text }
}

export const formpostFeature: SwiftFeature = {
  name: 'formpost',
  stage: 'pre-auth',
  info: () => formpostInfo(),
  async handle(s, req, next) {
    const ct = req.headers['content-type'] ?? ''
    if (req.method !== 'POST' || !/^\s*multipart\/form-data\s*;/i.test(ct) || !/;\s*boundary=/i.test(ct)) return next()
    try {
      return await translateForm(s, req, next)
    } catch (err) {
      if (err instanceof MimeInvalid) return plain400('FormPost: invalid starting boundary')
      if (err instanceof SizeExceeded) return plain400('FormPost: max_file_size exceeded')
      if (err instanceof FormPostError && err.status === 400) return plain400(`FormPost: ${err.message}`)
      if (err instanceof FormPostError) {
        return { status: 401, headers: { 'Content-Type': 'text/html; charset=UTF-8', 'Www-Authenticate': 'Swift realm="unknown"' }, body: `FormPost: ${pyTitle(err.message)}` }
      }
      throw err
    }
  },
}
