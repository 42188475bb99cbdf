/**
 * A folder shared with me by another Velox user (sharing/user-shares.ts), reached with my own
 * session as a small Swift API rooted at the grant, so that the web app's Swift client works
 * on it unchanged (storage URL `/api/shared/<grant id>`):
 *   GET|HEAD  /api/shared/<id>/<container>?prefix=&delimiter=&marker=…   listing (under the folder only)
 *   GET|HEAD  /api/shared/<id>/<container>/<object>                      download, preview, ?thumbnail=
 *   PUT|DELETE|COPY /api/shared/<id>/<container>/<object>                upload, delete, rename/move (write grants)
 * Every request looks the grant up again (a revoked grant answers 404 at once), names only the
 * shared container, and an object or listing prefix under the shared prefix. It then runs
 * through the Swift pipeline as a share link's request does (public/swift-subrequest.ts): the
 * same read and write paths, with sub-requests (symlink targets, SLO/DLO segments, a copy's
 * source and destination) held to the folder by the same check (`withinLink` on `linkPlaces`).
 * Only listed headers and query parameters pass; no ACL or container change is possible.
 */
import type { Context, Middleware } from 'koa'
import { VeloxError } from '../../errors.js'
import type { SessionService } from '../../identity/sessions.js'
import type { UserShare, UserShares } from '../../sharing/user-shares.js'
import type { SwiftServices } from '../../swift/index.js'
import { INVALID_NAME, checkName } from '../../swift/names.js'
import type { HeaderMap, LinkPlace } from '../../swift/types.js'
import { newTransId } from '../app.js'
import { linkPlaces, swiftSubrequest, type Subrequest } from '../public/swift-subrequest.js'
import { headerToWire } from '../swift/header-bytes.js'
import { withinLink } from '../swift/request.js'
import { jsonErrors, requireSession, sessionName } from './json.js'

export interface SharedFolderDeps {
  userShares: UserShares
  sessions: SessionService
  swift: SwiftServices
  errorLog?: (msg: string, err: unknown, transId: string) => void
}

const ROUTE = /^\/api\/shared\/([A-Za-z0-9_-]+)\/([^/]+)(?:\/(.*))?$/s
const READ = new Set(['GET', 'HEAD'])
/** A listing only: a container's HEAD would tell its size and metadata, which are not the folder's. */
const LIST = new Set(['GET'])
const WRITE = new Set(['PUT', 'DELETE', 'COPY'])
/** Request headers passed on (bodies, conditionals, ranges, the file's own metadata, a copy's destination). */
const HEADERS = ['content-type', 'content-length', 'transfer-encoding', 'etag', 'range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'destination', 'accept', 'content-disposition', 'content-encoding']
const QUERY = ['format', 'limit', 'marker', 'end_marker', 'prefix', 'delimiter', 'reverse', 'velox_mtime', 'thumbnail', 'multipart-manifest', 'symlink']
/** Response headers not handed to the grantee's browser: the container's own (counts, metadata, ACLs, keys, versioning). */
const DROPPED = /^(set-cookie|x-container-.*|x-versions-.*|x-history-location|x-versions-location|x-storage-policy)$/i

const outside = () => new VeloxError('forbidden', 'outside the folder shared with you')

export function sharedFolderRoutes(d: SharedFolderDeps): Middleware {
  const errors = jsonErrors(d.errorLog)
  return async (ctx, next) => {
    const m = ROUTE.exec(ctx.path)
    if (!m) return next()
    await errors(ctx, () => handle(d, ctx, m[1], m[2], m[3]))
  }
}

async function handle(d: SharedFolderDeps, ctx: Context, id: string, rawContainer: string, rawObject: string | undefined): Promise<void> {
  const session = await requireSession(ctx, d.sessions)
  const share = await d.userShares.open(sessionName(session), id)
  const container = decoded(rawContainer)
  const object = rawObject === undefined || rawObject === '' ? undefined : decoded(rawObject)
  const method = ctx.method
  const allowed = object === undefined ? LIST : share.write ? new Set([...READ, ...WRITE]) : READ
  if (!allowed.has(method)) {
    if (object !== undefined && WRITE.has(method)) throw new VeloxError('forbidden', 'this folder is shared with you read only')
    throw new VeloxError('method-not-allowed', 'method not allowed', { headers: { Allow: [...allowed].join(', ') } })
  }
  const places = placesOf(share)
  const query = new URLSearchParams()
  for (const k of QUERY) if (typeof ctx.query[k] === 'string') query.set(k, ctx.query[k] as string)
  if (object === undefined) {
    // A listing: its prefix defaults to the folder and may only narrow it.
    if (!query.has('prefix')) query.set('prefix', share.prefix)
    checkShared(share, places, container, undefined, query.get('prefix') as string)
  } else {
    checkShared(share, places, container, object)
  }
  const headers: HeaderMap = {}
  for (const k of HEADERS) if (ctx.get(k) !== '') headers[k] = ctx.get(k)
  for (const [k, v] of Object.entries(ctx.req.headers)) if (k.startsWith('x-object-meta-') && typeof v === 'string') headers[k] = v
  if (method === 'COPY') checkDestination(share, places, headers.destination)
  const r = await swiftSubrequest(d.swift, {
    method: method as Subrequest['method'],
    account: share.account,
    container,
    object,
    headers,
    query,
    raw: ctx.req,
    transId: newTransId(),
    scheme: ctx.protocol,
    within: places,
  })
  ctx.status = r.status
  for (const [k, v] of Object.entries(r.headers)) if (!DROPPED.test(k)) ctx.set(k, typeof v === 'string' ? headerToWire(v) : String(v))
  if (r.body !== undefined && method !== 'HEAD') ctx.body = r.body
  else if (r.body && typeof r.body === 'object' && 'destroy' in r.body) r.body.destroy()
  if (r.length !== undefined && r.status !== 304 && r.status !== 204) ctx.length = r.length
  ctx.set('Cache-Control', 'private, no-cache')
  // The owner's content on the appliance's origin: never sniffed, never run as a page of the app.
  ctx.set('X-Content-Type-Options', 'nosniff')
  ctx.set('Content-Security-Policy', "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'")
}

/** Where the grant's requests and their sub-requests may go (the share links' rule). */
export function placesOf(share: UserShare): LinkPlace[] {
  return linkPlaces({ account: share.account, container: share.container, prefix: share.prefix })
}

/**
 * The request names the shared container and an object (or a listing prefix) under the shared
 * folder; `.` and `..` segments are refused outright (Swift does not resolve them, but a
 * name that looks like an escape is never what a person meant).
 */
export function checkShared(share: UserShare, places: readonly LinkPlace[], container: string, object: string | undefined, listingPrefix?: string): void {
  checkName(container)
  if (object !== undefined) checkName(object)
  const name = object ?? listingPrefix ?? ''
  if (name.split('/').some((seg) => seg === '.' || seg === '..')) throw new VeloxError('bad-request', 'names with "." or ".." segments are not served here')
  if (container !== share.container) throw outside()
  if (!withinLink(places, { version: 'v1', account: share.account, container, object }, listingPrefix)) throw outside()
}

/** A COPY's Destination ("container/object", URL-encoded) stays in the shared folder. */
function checkDestination(share: UserShare, places: readonly LinkPlace[], destination: string | undefined): void {
  if (!destination) throw new VeloxError('bad-request', 'Destination header required')
  const d = destination.replace(/^\/+/, '')
  const slash = d.indexOf('/')
  if (slash <= 0) throw new VeloxError('bad-request', 'Destination must be container/object')
  checkShared(share, places, decoded(d.slice(0, slash)), decoded(d.slice(slash + 1)))
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    throw new VeloxError('precondition-failed', INVALID_NAME)
  }
}
