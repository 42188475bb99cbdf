/**
 * The static web feature (post-auth; Swift 2.30 staticweb.py's request flow): for anonymous
 * GET/HEAD requests (or any caller sending X-Web-Mode: true) on a container with Web-Index
 * or Web-Listings set, serves the index object, an HTML listing, 301 redirects that add the
 * trailing slash, and `<status><Web-Error>` pages in place of error bodies. Index and error
 * objects are fetched by running the rest of the pipeline again on another path, as Swift's
 * subrequests go down the rest of its pipeline. Pages and settings: swift/staticweb.ts.
 */
import { Readable } from 'node:stream'
import { isVeloxError, VeloxError } from '../../../errors.js'
import { pyQuote } from '../../../lib/py-quote.js'
import type { SwiftServices } from '../../../swift/index.js'
import { configTrue, listingDisabledPage, listingLabel, listingPage, webSettings, type WebSettings } from '../../../swift/staticweb.js'
import type { SwiftPath } from '../../../swift/types.js'
import { clientStatus } from '../../error-response.js'
import type { Next, SwiftFeature } from '../pipeline.js'
import type { SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'

/** A subrequest's result: an answer, or the error it threw with the status that error maps to. */
type Outcome = { status: number; res: SwiftResponse } | { status: number; err: unknown }

const ok = (status: number) => status >= 200 && status < 400

/** A subrequest's answer that will not be sent: its body (an open object) is released now. */
function discard(page: { res?: SwiftResponse } | object): void {
  const body = 'res' in page ? page.res?.body : undefined
  if (body instanceof Readable) body.destroy()
}
const HTML = 'text/html; charset=UTF-8'
/** Headers a make_env() subrequest keeps (no Range, no conditionals). */
const FRESH_KEEP = ['user-agent', 'host', 'origin', 'access-control-request-method', 'referer', 'x-auth-token', 'x-storage-token', 'x-web-mode']

function finish(o: Outcome): SwiftResponse {
  if ('res' in o) return o.res
  throw o.err
}

function bodyLength(r: SwiftResponse): number {
  if (r.length !== undefined) return r.length
  if (typeof r.body === 'string') return Buffer.byteLength(r.body)
  if (Buffer.isBuffer(r.body)) return r.body.length
  return 0
}

function header(r: SwiftResponse, name: string): string | undefined {
  const k = Object.keys(r.headers).find((h) => h.toLowerCase() === name)
  return k === undefined ? undefined : String(r.headers[k])
}

class StaticWebRequest {
  private web!: WebSettings
  private readonly container: string
  /** The request path as Swift's PATH_INFO (decoded), and whether the client's URL ended in '/'. */
  private readonly pathInfo: string
  private readonly slash: boolean
  /** The path the client sent, decoded: under domain_remap the host-relative one, which redirects keep. */
  private readonly clientPath: string

  constructor(
    private readonly s: SwiftServices,
    private readonly req: SwiftRequest,
    private readonly next: Next,
  ) {
    const { version, account, container, object } = req.path
    this.container = container as string
    const rawPath = new URL(req.raw.url ?? '/', 'http://x').pathname
    this.slash = rawPath.endsWith('/')
    // Valid UTF-8: the path parsed from it (or from its remapped form, which only adds ASCII) was.
    this.clientPath = decodeURIComponent(rawPath)
    this.pathInfo = `/${version}/${account}/${this.container}${object !== undefined ? `/${object}` : this.slash ? '/' : ''}`
  }

  async load(): Promise<void> {
    this.web = webSettings((await this.s.infoCache.container(this.req.path.account, this.container)).meta)
  }

  /** Runs the rest of the pipeline for another path of the same container. */
  /**
   * Runs the rest of the pipeline for another path of the same container (the request is
   * re-pointed and restored afterwards, so this works with any `next`).
   */
  private async sub(object: string | undefined, opts: { fresh?: boolean } = {}): Promise<Outcome> {
    const saved = { path: this.req.path, headers: this.req.headers, method: this.req.method }
    const path: SwiftPath = { ...this.req.path, object }
    if (object === undefined) delete path.object
    this.req.path = path
    if (opts.fresh) {
      this.req.method = 'GET'
      this.req.headers = Object.fromEntries(FRESH_KEEP.filter((h) => saved.headers[h] !== undefined).map((h) => [h, saved.headers[h]]))
    }
    try {
      const res = await this.next()
      return { status: res.status, res }
    } catch (err) {
      if (!isVeloxError(err)) throw err
      return { status: clientStatus(err.kind), err }
    } finally {
      Object.assign(this.req, saved)
    }
  }

  private redirectWithSlash(): SwiftResponse {
    const host = this.req.headers.host ?? 'localhost'
    const location = `${this.req.scheme}://${host}${pyQuote(`${this.clientPath}/`)}`
    return { status: 301, headers: { 'Content-Type': HTML, Location: location }, body: '<html><h1>Moved Permanently</h1><p>The resource has moved permanently.</p></html>' }
  }

  /** _error_response: the `<status><Web-Error>` object's headers and body under the original status. */
  private async errorResponse(original: Outcome, useErrorPage = true): Promise<SwiftResponse> {
    if (!this.web.error || !useErrorPage) return finish(original)
    const page = await this.sub(`${original.status}${this.web.error}`, { fresh: true })
    if ('res' in page && page.status >= 200 && page.status < 300) return { ...page.res, status: original.status }
    if ('res' in page && page.res.body instanceof Readable) page.res.body.destroy()
    return finish(original)
  }

  private notFound(): Outcome {
    return { status: 404, err: new VeloxError('not-found', 'static web: not found') }
  }

  async forContainer(): Promise<SwiftResponse> {
    if (!this.web.listings && !this.web.index) {
      if (configTrue(this.req.headers['x-web-mode'])) throw new VeloxError('not-found', 'static web: not a web container')
      return this.next()
    }
    if (!this.slash) return this.redirectWithSlash()
    if (!this.web.index) return this.listing('', false)
    const index = await this.sub(this.web.index)
    if (index.status === 404) return this.listing('', false)
    if (!ok(index.status)) return this.errorResponse(index)
    return finish(index)
  }

  async forObject(): Promise<SwiftResponse> {
    const object = this.req.path.object as string
    let first = await this.sub(object)
    await this.load()
    let status = first.status
    if (ok(status) && 'res' in first) {
      const dirType = this.web.directoryType || 'application/directory'
      if (!(header(first.res, 'content-type') === dirType && bodyLength(first.res) <= 1)) return first.res
      // A directory marker stands for its folder: its own (opened) body is not sent.
      discard(first)
      status = 404
    }
    if (status !== 404) return this.errorResponse(first, false)
    if (!this.web.listings && !this.web.index) return finish(first)
    if (this.web.index) {
      const idx = await this.sub(`${object.endsWith('/') ? object : `${object}/`}${this.web.index}`)
      if (ok(idx.status)) {
        if (this.slash) return finish(idx)
        discard(idx)
        return this.redirectWithSlash()
      }
      discard(first)
      status = idx.status
      first = idx
    }
    if (status !== 404) return finish(first)
    if (!this.slash) {
      const hasChildren = await this.listable(`${object}/`, 1).catch(() => false)
      return hasChildren ? this.redirectWithSlash() : this.errorResponse(this.notFound())
    }
    return this.listing(object, true)
  }

  /** Whether a listing under `prefix` has entries (authorized as the container GET it stands for). */
  private async listable(prefix: string, limit: number): Promise<boolean> {
    await this.authorizeListing()
    const { entries } = await this.s.containers.list(this.req.path.account, this.container, { prefix, delimiter: '/', limit })
    return entries.length > 0
  }

  private async authorizeListing(): Promise<void> {
    const { version, account } = this.req.path
    const h = this.req.headers
    await this.s.access.authorize({ method: 'GET', path: { version, account, container: this.container }, token: h['x-auth-token'] ?? h['x-storage-token'], referer: h.referer })
  }

  /** _listing: the HTML listing, the "disabled" page, or an error page. */
  private async listing(prefix: string, authorize: boolean): Promise<SwiftResponse> {
    const label = listingLabel(this.web, this.pathInfo)
    if (!configTrue(this.web.listings)) {
      return this.errorResponse({ status: 404, res: { status: 404, headers: { 'Content-Type': HTML }, body: listingDisabledPage(this.web, label, prefix) } })
    }
    let entries
    try {
      if (authorize) await this.authorizeListing()
      ;({ entries } = await this.s.containers.list(this.req.path.account, this.container, { prefix, delimiter: '/', limit: this.s.constraints.container_listing_limit }))
    } catch (err) {
      if (!isVeloxError(err)) throw err
      return this.errorResponse({ status: clientStatus(err.kind), err })
    }
    if (prefix && entries.length === 0) return this.errorResponse(this.notFound())
    return { status: 200, headers: { 'Content-Type': HTML }, body: listingPage(this.web, label, prefix, entries) }
  }
}

/**
 * handle_container's own authorize call: staticweb checks the container's read ACL itself,
 * so a container GET/HEAD that would be 401 (or 403 with X-Web-Mode) serves the container's
 * `<status><Web-Error>` object, when the caller may read it, under the original status. A
 * denied object request gets no error page (Swift answers non-404 object errors plainly).
 */
async function deniedContainer(s: SwiftServices, req: SwiftRequest, err: Error, next: Next): Promise<SwiftResponse | undefined> {
  const { version, account, container, object } = req.path
  if ((req.method !== 'GET' && req.method !== 'HEAD') || container === undefined || object !== undefined || !isVeloxError(err)) return undefined
  const h = req.headers
  const token = h['x-auth-token'] ?? h['x-storage-token']
  if ((await s.access.identify(token)) && !configTrue(h['x-web-mode'])) return undefined
  const web = webSettings((await s.infoCache.container(account, container)).meta)
  if (!web.error) return undefined
  const path: SwiftPath = { version, account, container, object: `${clientStatus(err.kind)}${web.error}` }
  const headers = Object.fromEntries(FRESH_KEEP.filter((k) => h[k] !== undefined).map((k) => [k, h[k]]))
  try {
    const grant = await s.access.authorize({ method: 'GET', path, token, referer: h.referer })
    const page = await next({ ...req, method: 'GET', path, headers, query: new URLSearchParams(), grant, authorized: true })
    if (page.status >= 200 && page.status < 300) return { ...page, status: clientStatus(err.kind) }
    if (page.body instanceof Readable) page.body.destroy()
  } catch (pageErr) {
    if (!isVeloxError(pageErr)) throw pageErr
  }
  return undefined
}

export const staticwebFeature: SwiftFeature = {
  name: 'staticweb',
  stage: 'post-auth',
  info: () => ({}),
  denied: deniedContainer,
  async handle(s, req, next) {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.container === undefined) return next()
    const identified = req.grant.via !== undefined || (req.grant as { identity?: unknown }).identity !== undefined
    if (identified && !configTrue(req.headers['x-web-mode'])) return next()
    const w = new StaticWebRequest(s, req, next)
    if (req.path.object !== undefined) return w.forObject()
    await w.load()
    return w.forContainer()
  },
}
