/**
 * The one table from error kinds to HTTP statuses, and Swift's response bodies. Every
 * surface (Swift API, JSON API) ends here; no handler picks a status for an error itself.
 * 4xx messages reach the client (as Swift's plain-text explanations when the error says
 * `detail.explain`), 5xx are generic and logged. Swift sends an explanation with one of two
 * content types: `content_type='text/plain'` where its constraint checks set it
 * (`explain: true`), or swob's default `text/html; charset=UTF-8` where the proxy answers
 * with a bare body, e.g. path and listing-limit checks (`explain: 'html'`).
 */
import { type ErrorKind, VeloxError } from '../errors.js'

export const STATUS_OF: Readonly<Record<ErrorKind, number>> = Object.freeze({
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'not-acceptable': 406,
  'client-timeout': 408,
  conflict: 409,
  'length-required': 411,
  'precondition-failed': 412,
  'too-large': 413,
  'range-not-satisfiable': 416,
  'etag-mismatch': 422,
  'client-disconnected': 499,
  internal: 500,
  'not-implemented': 501,
  unavailable: 503,
  'insufficient-storage': 507,
})

/** Swift's reason phrases and default explanations (swift/common/swob.py RESPONSE_REASONS). */
export const REASONS: Readonly<Record<number, [string, string]>> = Object.freeze({
  202: ['Accepted', 'The request is accepted for processing.'],
  400: ['Bad Request', 'The server could not comply with the request since it is either malformed or otherwise incorrect.'],
  401: ['Unauthorized', 'This server could not verify that you are authorized to access the document you requested.'],
  403: ['Forbidden', 'Access was denied to this resource.'],
  404: ['Not Found', 'The resource could not be found.'],
  405: ['Method Not Allowed', 'The method is not allowed for this resource.'],
  406: ['Not Acceptable', 'The resource is not available in a format acceptable to your browser.'],
  408: ['Request Timeout', 'The server has waited too long for the request to be sent by the client.'],
  409: ['Conflict', 'There was a conflict when trying to complete your request.'],
  411: ['Length Required', 'Content-Length header required.'],
  412: ['Precondition Failed', 'A precondition for this request was not met.'],
  413: ['Request Entity Too Large', 'The body of your request was too large for this server.'],
  416: ['Requested Range Not Satisfiable', 'The Range requested is not available.'],
  422: ['Unprocessable Entity', 'Unable to process the contained instructions'],
  499: ['Client Disconnect', 'The client was disconnected during request.'],
  500: ['Internal Error', 'The server has either erred or is incapable of performing the requested operation.'],
  501: ['Not Implemented', 'The server does not support the functionality required to fulfill the request.'],
  503: ['Service Unavailable', 'The server is currently unavailable. Please try again at a later time.'],
  507: ['Insufficient Storage', 'There was not enough space to save the resource.'],
})

/** Statuses that clients see for a kind; 507 is peer-to-peer only, clients get 503. */
export function clientStatus(kind: ErrorKind): number {
  const s = STATUS_OF[kind]
  return s === 507 ? 503 : s
}

export interface ErrorBody {
  status: number
  contentType: string
  body: string
  headers: Record<string, string>
  /** The body is the error's own explanation (swob's `body=`), not the status's default page. */
  explained?: true
}

/** Swift's default HTML body for a status. */
export function swiftHtmlBody(status: number): string {
  const [title, explanation] = REASONS[status] ?? ['Error', '']
  return `<html><h1>${title}</h1><p>${explanation}</p></html>`
}

/** Response for an error on the Swift surface: HTML as swob, or the explanation as plain text. */
export function swiftErrorResponse(err: unknown): ErrorBody {
  const v = err instanceof VeloxError ? err : new VeloxError('internal', 'internal error', undefined, { cause: err })
  const status = clientStatus(v.kind)
  const headers: Record<string, string> = {}
  const extra = v.detail?.headers
  if (extra && typeof extra === 'object') Object.assign(headers, extra as Record<string, string>)
  // 501 names what the client sent that Swift does not implement: no secret in it.
  if ((status < 500 || status === 501) && v.detail?.explain) {
    const contentType = v.detail.explain === 'html' ? 'text/html; charset=UTF-8' : 'text/plain'
    return { status, contentType, body: v.message, headers, explained: true }
  }
  return { status, contentType: 'text/html; charset=UTF-8', body: swiftHtmlBody(status), headers }
}

/** Response for an error on the JSON API: the kind travels with the message. */
export function jsonErrorResponse(err: unknown): { status: number; body: { kind: ErrorKind; message: string } } {
  const v = err instanceof VeloxError ? err : new VeloxError('internal', 'internal error')
  const status = clientStatus(v.kind)
  return { status, body: { kind: v.kind, message: status >= 500 ? 'internal error' : v.message } }
}

