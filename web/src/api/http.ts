/**
 * The one place the SPA talks HTTP: same-origin fetch with the session cookie, the CSRF
 * header on state-changing calls, and errors turned into `ApiError` with the server's
 * `kind` (the same kinds as the Swift error table) so pages can react to them.
 */

let csrfToken = ''

/** Set after sign-in (and cleared on sign-out); sent as X-CSRF-Token on writes. */
export function setCsrfToken(token: string): void {
  csrfToken = token
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {}
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly kind?: string) {
    super(message)
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Listeners told when any call answers 401, so the app can show the sign-in page. */
const unauthorizedListeners = new Set<() => void>()
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn)
  return () => unauthorizedListeners.delete(fn)
}

export interface RequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: BodyInit | null
  json?: unknown
  signal?: AbortSignal
  /** Statuses the caller handles itself (no ApiError thrown). */
  accept?: number[]
  /** Don't signal a 401 to the app (sign-in and public pages). */
  quiet401?: boolean
  /** The browser's cache mode; listings use 'no-store' (they change under the same URL). */
  cache?: RequestCache
}

export async function request(url: string, opts: RequestOptions = {}): Promise<Response> {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = { ...(SAFE.has(method) ? {} : csrfHeaders()), ...opts.headers }
  let body = opts.body
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.json)
  }
  const r = await fetch(url, { method, headers, body, credentials: 'same-origin', signal: opts.signal, cache: opts.cache })
  if (r.ok || opts.accept?.includes(r.status)) return r
  if (r.status === 401 && !opts.quiet401) for (const fn of unauthorizedListeners) fn()
  throw await errorOf(r)
}

export async function errorOf(r: Response): Promise<ApiError> {
  let message = `${r.status} ${r.statusText}`
  let kind: string | undefined
  try {
    const text = await r.text()
    try {
      const j = JSON.parse(text) as { message?: string; error?: string; kind?: string }
      message = j.message ?? j.error ?? message
      kind = j.kind
    } catch {
      if (text && text.length < 300 && !text.trimStart().startsWith('<')) message = text.trim()
    }
  } catch {
    // the body is gone (aborted); the status line is all we have
  }
  return new ApiError(r.status, message, kind)
}

export async function requestJson<T>(url: string, opts: RequestOptions = {}): Promise<T> {
  const r = await request(url, { ...opts, headers: { Accept: 'application/json', ...opts.headers } })
  return (await r.json()) as T
}

/**
 * The first `bytes` of a ranged GET's answer as UTF-8 text (a preview): reads no further
 * even if the server sent the whole body (200), and drops a character cut in half at the end.
 */
export async function readTextPrefix(r: Response, bytes: number): Promise<{ text: string; truncated: boolean }> {
  if (r.status === 416) return { text: '', truncated: false }
  const range = /\/(\d+)$/.exec(r.headers.get('Content-Range') ?? '')
  const total = range ? Number(range[1]) : Number(r.headers.get('Content-Length') ?? NaN)
  const chunks: Uint8Array[] = []
  let got = 0
  if (r.body) {
    const reader = r.body.getReader()
    while (got < bytes) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      got += value.length
    }
    if (got >= bytes) await reader.cancel().catch(() => undefined)
  }
  const all = new Uint8Array(Math.min(got, bytes))
  let at = 0
  for (const c of chunks) {
    const part = c.subarray(0, all.length - at)
    all.set(part, at)
    at += part.length
    if (at >= all.length) break
  }
  const truncated = (Number.isFinite(total) && total > all.length) || got > bytes
  let text = new TextDecoder('utf-8').decode(all)
  if (truncated) text = text.replace(/\uFFFD$/, '')
  return { text, truncated }
}
