/**
 * The public endpoints of share links, for anyone holding the link (no session):
 *   GET|HEAD /s/<token>/file[/<path in folder>]  the object (Range, conditionals), ?download=1 as attachment,
 *                                               ?inline=1 for the page's preview (a view, not a download,
 *                                               for the kinds of file the page previews)
 *   GET      /s/<token>/zip                      a folder link as a streamed zip
 *   PUT      /s/<token>/upload/<name>            a drop link: the body becomes a new object (never overwrites)
 *   GET      /s/<token>/thumb[/<path>]?size=256   the object's thumbnail rendition (Swift ?thumbnail=)
 * Reading and writing go through the Swift pipeline (swift-subrequest.ts); the link decides
 * (sharing/shares.ts). `/s/<token>` itself is the web app's page (static.ts), answered 404
 * for an unknown link and 410 for one that ended (expired, revoked, used up).
 */
import type { Context, Middleware } from 'koa'
import { VeloxError, isVeloxError } from '../../errors.js'
import { sharePagePreviews } from '../../sharing/previewable.js'
import type { OpenShare } from '../../sharing/shares.js'
import { INVALID_NAME, checkName } from '../../swift/names.js'
import { readCookie, shareCookieName } from '../cookies.js'
import { jsonErrors } from '../api/json.js'
import { newTransId } from '../app.js'
import type { SwiftResponse } from '../swift/respond.js'
import { setPageStatus } from '../static.js'
import { sendZip, type ZipItem } from '../zip-stream.js'
import type { WebDeps } from '../web.js'
import { baseName, objectOf, walkFolder } from './share-content.js'
import { linkPlaces, pickHeaders, swiftSubrequest, thumbnailsAvailable } from './swift-subrequest.js'

const ROUTE = /^\/s\/([A-Za-z0-9_-]+)\/(file|zip|upload|thumb)(?:\/(.*))?$/s
const PAGE = /^\/s\/([A-Za-z0-9_-]+)\/?$/

/** Headers of an object response that a link passes on (no metadata, no timestamps). */
const PASSED = ['Content-Type', 'Content-Range', 'Etag', 'Last-Modified', 'Accept-Ranges', 'Cache-Control']

export function publicShareRoutes(d: WebDeps): Middleware {
  const errors = jsonErrors(d.errorLog)
  return async (ctx, next) => {
    const page = PAGE.exec(ctx.path)
    if (page && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      setPageStatus(ctx, await pageStatus(d, page[1]))
      return next()
    }
    const m = ROUTE.exec(ctx.path)
    if (!m) return next()
    await errors(ctx, () => handle(d, ctx, m[1], m[2], m[3]))
  }
}

/** The status of a link's page: 200 while it lives, 410 once it ended, 404 when it never was (or its owner lost access). */
async function pageStatus(d: WebDeps, token: string): Promise<number> {
  try {
    await d.shares.open(token)
    return 200
  } catch (err) {
    if (isVeloxError(err, 'not-found')) return err.detail?.state ? 410 : 404
    d.errorLog?.('opening a share link for its page failed', err, '')
    return 503
  }
}

async function handle(d: WebDeps, ctx: Context, token: string, action: string, rawPath: string | undefined): Promise<void> {
  const method = ctx.method
  const allowed = action === 'upload' ? ['PUT'] : action === 'file' ? ['GET', 'HEAD'] : ['GET']
  if (!allowed.includes(method)) throw new VeloxError('method-not-allowed', 'method not allowed', { headers: { Allow: allowed.join(', ') } })
  let path: string
  try {
    path = decodeURIComponent(rawPath ?? '')
  } catch {
    throw new VeloxError('precondition-failed', INVALID_NAME)
  }
  const share = await d.shares.open(token)
  await d.shares.requireUnlocked(share, readCookie(ctx.get('cookie'), shareCookieName(share.rec.id)))
  ctx.set('Referrer-Policy', 'no-referrer')
  switch (action) {
    case 'file':
      return file(d, ctx, share, path)
    case 'zip':
      return zip(d, ctx, share)
    case 'upload':
      return upload(d, ctx, share, path)
    default:
      return thumb(d, ctx, share, path)
  }
}

async function file(d: WebDeps, ctx: Context, share: OpenShare, path: string): Promise<void> {
  const object = objectOf(share, path)
  const { account, container } = share.rec.target
  const headers = pickHeaders(ctx.req.headers, ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'])
  const r = await swiftSubrequest(d.swift, { method: ctx.method as 'GET' | 'HEAD', account, container, object, headers, raw: ctx.req, transId: newTransId(), scheme: ctx.protocol, within: linkPlaces(share.rec.target) })
  // A download is a GET that sends the first byte; later ranges of the same download are not counted again.
  // The share page's inline preview (?inline=1) is a view, not a download: looking at a PDF or a
  // picture must not use up the link's download limit (the page load counts the view). Only a
  // kind of file the page previews is a view: for any other, ?inline=1 would hand over the
  // whole file without touching the limit.
  const first = r.status === 200 || (r.status === 206 && /^bytes 0-/.test(String(r.headers['Content-Range'] ?? '')))
  const view = ctx.query.inline === '1' && ctx.query.download !== '1' && sharePagePreviews(baseName(object), String(r.headers['Content-Type'] ?? ''))
  // A preview is counted too (counts.previews), against the link's own preview limit if it has one.
  if (ctx.method === 'GET' && first) {
    try {
      if (view) await d.shares.countPreview(share)
      else await d.shares.count(share, 'downloads')
    } catch (err) {
      if (r.body && typeof r.body === 'object' && 'destroy' in r.body) r.body.destroy()
      throw err
    }
  }
  const disposition = ctx.query.download === '1' ? 'attachment' : 'inline'
  send(ctx, r, { 'Content-Disposition': contentDisposition(disposition, baseName(object)) })
}

async function thumb(d: WebDeps, ctx: Context, share: OpenShare, path: string): Promise<void> {
  if (!thumbnailsAvailable()) throw new VeloxError('not-found', 'thumbnails are not available on this appliance yet')
  const object = objectOf(share, path)
  const { account, container } = share.rec.target
  const query = new URLSearchParams({ thumbnail: String(ctx.query.size ?? '256') })
  const headers = pickHeaders(ctx.req.headers, ['if-none-match', 'if-modified-since'])
  send(ctx, await swiftSubrequest(d.swift, { method: 'GET', account, container, object, headers, query, raw: ctx.req, transId: newTransId(), scheme: ctx.protocol, within: linkPlaces(share.rec.target) }), {})
}

async function zip(d: WebDeps, ctx: Context, share: OpenShare): Promise<void> {
  if (share.rec.kind !== 'folder') throw new VeloxError('not-found', 'only a folder link has a zip')
  await d.shares.count(share, 'downloads')
  const name = d.shares.view(share.rec).name
  const { account, container } = share.rec.target
  // An entry the link may not serve (a symlink or DLO leading out of the folder) is left out.
  const read = (e: ZipItem) =>
    swiftSubrequest(d.swift, { method: 'GET', account, container, object: e.object, headers: {}, raw: ctx.req, transId: newTransId(), scheme: ctx.protocol, within: linkPlaces(share.rec.target) }).catch((err: unknown) => {
      if (isVeloxError(err, 'forbidden') || isVeloxError(err, 'unauthorized') || isVeloxError(err, 'not-found')) return undefined
      throw err
    })
  sendZip(ctx, walkFolder(d.swift, share), read, (err) => d.errorLog?.('zip of a share failed', err, ''))
  ctx.set('Content-Disposition', contentDisposition('attachment', `${name}.zip`))
}

async function upload(d: WebDeps, ctx: Context, share: OpenShare, name: string): Promise<void> {
  if (share.rec.kind !== 'drop') throw new VeloxError('not-found', 'this link does not take uploads')
  if (name === '' || name.includes('/') || name === '.' || name === '..') throw new VeloxError('bad-request', 'name one file, without folders')
  checkName(name)
  const { object, release } = await d.shares.reserveUploadName(share, name)
  try {
    const { account, container } = share.rec.target
    const headers = { ...pickHeaders(ctx.req.headers, ['content-length', 'transfer-encoding', 'content-type', 'etag']), 'if-none-match': '*' }
    const r = await swiftSubrequest(d.swift, { method: 'PUT', account, container, object, headers, raw: ctx.req, transId: newTransId(), scheme: ctx.protocol, within: linkPlaces(share.rec.target) })
    if (r.status !== 201) throw new VeloxError('conflict', 'the upload was not stored')
    await d.shares.count(share, 'uploads')
    ctx.status = 201
    ctx.body = { name: baseName(object), etag: String(r.headers.Etag ?? '') }
  } finally {
    release()
  }
}

/** Writes a Swift response through Koa with only the headers a link passes on. */
function send(ctx: Context, r: SwiftResponse, extra: Record<string, string>): void {
  ctx.status = r.status
  if (r.body !== undefined && ctx.method !== 'HEAD') ctx.body = r.body
  else if (r.body && typeof r.body === 'object' && 'destroy' in r.body) r.body.destroy()
  for (const k of PASSED) if (r.headers[k] !== undefined) ctx.set(k, String(r.headers[k]))
  if (r.length !== undefined && r.status !== 304) ctx.length = r.length
  if (r.status < 300) ctx.set(extra)
  // User content on the appliance's origin: never sniffed, never run as a page of the app.
  ctx.set('X-Content-Type-Options', 'nosniff')
  ctx.set('Content-Security-Policy', "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'")
}

/** RFC 6266 with an ASCII fallback and the UTF-8 name (RFC 8187). */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}
