/**
 * The process guard: one request's failure must never stop the box (issue 11, items 1–3).
 * Every request runs in its own AsyncLocalStorage scope holding its response and, once the
 * surface has made one, its transaction id. An error that no handler caught — a throw in a
 * stream, timer or event callback, a promise rejected with nobody awaiting it — reaches the
 * process-level listeners installed here: it is logged with the transaction id of the
 * request it happened in and that request is answered 500 (or its connection is cut when
 * the answer had already started); everyone else's requests go on. An error outside any
 * request (a background job) is logged and the process goes on as well: a crash there
 * would stop every user's storage just the same.
 *
 * Owns only the scope and the listeners; it decides nothing about what a request means.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { Log } from '../lib/log.js'

interface RequestScope {
  res: ServerResponse
  transId?: string
  failed?: boolean
}

const scopes = new AsyncLocalStorage<RequestScope>()

/** Wraps the server's request listener so that each request runs in its own scope. */
export function guardRequests(handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => scopes.run({ res }, () => handler(req, res))
}

/** Records the transaction id of the request being handled, for the guard's log line. */
export function noteTransId(transId: string): void {
  const scope = scopes.getStore()
  if (scope) scope.transId = transId
}

/**
 * Installs the process-level listeners (once per process: `velox serve` calls this, tests
 * that run the app in process keep mocha's own). Returns a function that removes them.
 */
export function installProcessGuard(log: Log): () => void {
  const onError = (err: unknown, origin: string) => {
    const scope = scopes.getStore()
    log.error(scope ? 'uncaught error in a request' : 'uncaught error outside any request', {
      trans_id: scope?.transId ?? '',
      origin,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    })
    if (scope) failRequest(scope)
  }
  const onException = (err: Error, origin: string) => onError(err, origin)
  const onRejection = (reason: unknown) => onError(reason, 'unhandledRejection')
  process.on('uncaughtException', onException)
  process.on('unhandledRejection', onRejection)
  return () => {
    process.off('uncaughtException', onException)
    process.off('unhandledRejection', onRejection)
  }
}

/** Answers 500 once; when the status line is already out, cutting the connection is the only honest signal. */
function failRequest(scope: RequestScope): void {
  if (scope.failed) return
  scope.failed = true
  const { res } = scope
  if (res.writableEnded || res.destroyed) return
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = '<html><h1>Internal Error</h1><p>The server has either erred or is incapable of performing the requested operation.</p></html>'
  try {
    res.writeHead(500, {
      'Content-Type': 'text/html; charset=UTF-8',
      'Content-Length': Buffer.byteLength(body),
      ...(scope.transId ? { 'X-Trans-Id': scope.transId, 'X-Openstack-Request-Id': scope.transId } : {}),
      Connection: 'close',
    })
    res.end(res.req?.method === 'HEAD' ? undefined : body)
  } catch {
    res.destroy()
  }
}
