/**
 * FormPost semantics (Swift 2.30 formpost.py): the form attributes that matter (redirect,
 * max_file_size, max_file_count, expires, signature, x_delete_at, x_delete_after), the
 * signature over "<path>\n<redirect>\n<max_file_size>\n<max_file_count>\n<expires>" with
 * any of the account's or container's TempURL keys (hex, or `<algo>:<base64>`), the object
 * each file becomes, and the final answer (303 to the redirect with status and message, or
 * a plain-text status) worded as Swift words it. No HTTP types and no multipart parsing:
 * the feature in http/ streams the form and asks these questions in Swift's order.
 */
import { createHmac } from 'node:crypto'
import { pyQuote } from '../lib/py-quote.js'
import type { InfoCache } from './info-cache.js'
import { INVALID_NAME, isValidName } from './names.js'
import { DEPRECATED_DIGESTS, SUPPORTED_DIGESTS, extractDigest, isAllowedDigest, sameSignature, tempurlKeysOf } from './tempurl.js'
import type { HeaderMap } from './types.js'

/** Longest attribute value kept; the rest is read and dropped (MAX_VALUE_LENGTH). */
export const MAX_VALUE_LENGTH = 4096

/** A form error: 400 "FormPost: <message>" (FormInvalid, EOFError) or 401 (FormUnauthorized, message title-cased). */
export class FormPostError extends Error {
  constructor(
    readonly status: 400 | 401,
    message: string,
  ) {
    super(message)
    this.name = 'FormPostError'
  }
}

export function formpostInfo(): Record<string, unknown> {
  return { allowed_digests: [...SUPPORTED_DIGESTS], deprecated_digests: [...DEPRECATED_DIGESTS] }
}

/** Python's str.title(), as Swift applies it to messages. */
export function pyTitle(s: string): string {
  return s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_, p: string, c: string) => p + c.toUpperCase())
}

/** A field's value as Swift keeps it: `data.rstrip('\r\n--')` (trailing CR, LF and '-' removed). */
export function attributeValue(data: string): string {
  return data.replace(/[\r\n-]+$/, '')
}

/** Python int() of an attribute ('' or absent → 0), or undefined when it is not an integer. */
function pyInt(v: string | undefined): number | undefined {
  if (!v) return 0
  return /^\s*[+-]?\d+\s*$/.test(v) ? Number(v.trim()) : undefined
}

/** The keys a form may be signed with: the account's and the container's TempURL keys. */
export async function formpostKeys(cache: InfoCache, account: string, container: string | undefined): Promise<string[]> {
  if (!container) return []
  const [acct, cont] = await Promise.all([cache.accountMeta(account), cache.container(account, container)])
  return [...tempurlKeysOf(acct), ...tempurlKeysOf(cont.meta)]
}

/** The file-count check made before each file: throws on a non-integer, false when over the limit. */
export function withinFileCount(attrs: Record<string, string>, fileNumber: number): boolean {
  const max = pyInt(attrs.max_file_count)
  if (max === undefined) throw new FormPostError(400, 'max_file_count not an integer')
  return fileNumber <= max
}

export interface FileUpload {
  /** Object name within the account: container path part plus the file name. */
  object: string
  /** Headers of the PUT (content type and encoding, expiry). */
  headers: HeaderMap
  maxFileSize: number
}

/**
 * _perform_subrequest's checks, in Swift's order, for one file: keys, max_file_size,
 * x_delete_at/after, expiry, signature. `pathInfo` is the request path (/v1/a/c[/prefix]).
 */
export function checkFileUpload(
  attrs: Record<string, string>,
  file: { filename: string; contentType?: string; contentEncoding?: string },
  pathInfo: string,
  objectPrefix: string,
  keys: readonly string[],
  nowSec: number,
): FileUpload {
  if (keys.length === 0) throw new FormPostError(401, 'invalid signature')
  const maxFileSize = pyInt(attrs.max_file_size)
  if (maxFileSize === undefined) throw new FormPostError(400, 'max_file_size not an integer')
  const headers: HeaderMap = {}
  if ('x_delete_at' in attrs) {
    const v = pyInt(attrs.x_delete_at)
    if (v === undefined || attrs.x_delete_at === '') throw new FormPostError(400, 'x_delete_at not an integer: Unix timestamp required.')
    headers['x-delete-at'] = String(v)
  }
  if ('x_delete_after' in attrs) {
    const v = pyInt(attrs.x_delete_after)
    if (v === undefined || attrs.x_delete_after === '') throw new FormPostError(400, 'x_delete_after not an integer: Number of seconds required.')
    headers['x-delete-after'] = String(v)
  }
  const contentType = 'content-type' in attrs ? attrs['content-type'] || 'application/octet-stream' : file.contentType
  if (contentType !== undefined) headers['content-type'] = contentType
  const contentEncoding = 'content-encoding' in attrs ? attrs['content-encoding'] : file.contentEncoding
  if (contentEncoding !== undefined) headers['content-encoding'] = contentEncoding
  const expires = pyInt(attrs.expires)
  if (expires === undefined) throw new FormPostError(400, 'expired not an integer')
  if (expires < nowSec) throw new FormPostError(401, 'form expired')
  checkSignature(attrs, pathInfo, keys)
  const object = objectPrefix + (file.filename || 'filename')
  if (!isValidName(object)) throw new FormPostError(400, INVALID_NAME)
  return { object, headers, maxFileSize }
}

function checkSignature(attrs: Record<string, string>, pathInfo: string, keys: readonly string[]): void {
  const body = [pathInfo, attrs.redirect || '', attrs.max_file_size || '0', attrs.max_file_count || '0', attrs.expires || '0'].join('\n')
  const digest = extractDigest(attrs.signature ?? '')
  if (!digest || !isAllowedDigest(digest.algo)) throw new FormPostError(401, 'invalid signature')
  let valid = false
  for (const key of keys) {
    const sig = createHmac(digest.algo, Buffer.from(key, 'utf8')).update(Buffer.from(body, 'utf8')).digest('hex')
    if (sameSignature(sig, digest.hex)) valid = true
  }
  if (!valid) throw new FormPostError(401, 'invalid signature')
}

export interface FormResult {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * The answer once the form is processed: `statusLine` is the last file's status ("201
 * Created") or Swift's "400 Bad Request" with a message; 303 to `redirect` when one was given.
 */
export function formResult(statusLine: string, message: string, redirect: string | undefined): FormResult {
  const code = Number(statusLine.split(' ', 1)[0])
  if (!redirect) {
    const body = message ? `${statusLine}\r\nFormPost: ${pyTitle(message)}` : statusLine
    return { status: code, headers: { 'Content-Type': 'text/plain' }, body }
  }
  const location = `${redirect}${redirect.includes('?') ? '&' : '?'}status=${code}&message=${pyQuote(message)}`
  return { status: 303, headers: { Location: location }, body: `<html><body><p><a href="${location}">Click to continue...</a></p></body></html>` }
}

