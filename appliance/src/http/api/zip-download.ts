/**
 * The file browser's "Download as zip": GET /api/zip?container=C&prefix=P&name=N&name=D/…
 * streams the named objects and folders (a name ending in "/" is a folder: every object
 * under it) of the signed-in user's own account as one zip, with paths relative to the
 * folder on screen (P). Nothing is staged: the zip is written as the objects are read
 * (zip-stream.ts, shared with folder share links).
 *
 * Access is the Swift API's: the session's token (as the app's own /v1 requests) must be
 * allowed to list the container and to GET each object; an object it may not read, or one
 * gone since the listing, is left out. A GET with the session cookie, so a plain link
 * downloads it; it changes nothing, so it needs no CSRF token.
 */
import type { Context } from 'koa'
import { VeloxError, isVeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import type { SwiftServices } from '../../swift/index.js'
import { checkName } from '../../swift/names.js'
import { SESSION_COOKIE, readCookie } from '../cookies.js'
import { newTransId } from '../app.js'
import { contentDisposition } from '../public/router.js'
import { swiftSubrequest } from '../public/swift-subrequest.js'
import type { WebDeps } from '../web.js'
import { sendZip, type ZipItem } from '../zip-stream.js'
import { requireSession } from './json.js'

/** Names one request may carry (the URL stays well under every proxy's limit at this count). */
export const ZIP_MAX_NAMES = 500

export async function downloadZip(d: WebDeps, ctx: Context): Promise<void> {
  const session = await requireSession(ctx, d.sessions)
  const token = await d.sessions.swiftToken(readCookie(ctx.get('cookie'), SESSION_COOKIE), undefined, 'GET')
  if (!token) throw new VeloxError('unauthorized', 'sign in first')
  const q = new URLSearchParams(ctx.querystring)
  const container = q.get('container') ?? ''
  const prefix = q.get('prefix') ?? ''
  const names = q.getAll('name')
  if (!container || names.length === 0) throw new VeloxError('bad-request', 'name a container and at least one file or folder')
  if (names.length > ZIP_MAX_NAMES) throw new VeloxError('bad-request', `at most ${ZIP_MAX_NAMES} names in one zip`)
  if (prefix !== '' && !prefix.endsWith('/')) throw new VeloxError('bad-request', 'the prefix is a folder: it ends in /')
  for (const n of [container, prefix, ...names]) if (n !== '') checkName(n)
  if (names.some((n) => n === '' || n.startsWith('/') || n.split('/').some((part, i, all) => part === '..' || part === '.' || (part === '' && i < all.length - 1)))) {
    throw new VeloxError('bad-request', 'a name is a file or folder inside the folder shown')
  }
  const account = decodeURIComponent(d.sessions.storagePath(session.account).slice('/v1/'.length))
  await d.swift.access.authorize({ method: 'GET', path: { version: 'v1', account, container }, token })

  const read = async (e: ZipItem) => {
    try {
      await d.swift.access.authorize({ method: 'GET', path: { version: 'v1', account, container, object: e.object }, token })
      // Large objects' segments stay in this container or its _segments twin, as the app stores them.
      const within = [{ container, prefix: '' }, { container: `${container}_segments`, prefix: '' }]
      return await swiftSubrequest(d.swift, { method: 'GET', account, container, object: e.object, headers: {}, raw: ctx.req, transId: newTransId(), scheme: ctx.protocol, within })
    } catch (err) {
      if (isVeloxError(err, 'forbidden') || isVeloxError(err, 'unauthorized') || isVeloxError(err, 'not-found')) return undefined
      throw err
    }
  }
  const zipName = prefix ? prefix.slice(0, -1).split('/').pop() : container
  sendZip(ctx, walk(d.swift, account, container, prefix, names), read, (err) => d.errorLog?.('zip download failed', err, ''))
  ctx.set('Content-Disposition', contentDisposition('attachment', `${names.length === 1 ? names[0].replace(/\/$/, '') : zipName}.zip`))
}

/** The named objects, then every object under each named folder, in listing order (folder markers left out). */
async function* walk(s: SwiftServices, account: string, container: string, prefix: string, names: string[]): AsyncGenerator<ZipItem> {
  const limit = s.constraints.container_listing_limit
  for (const name of names) {
    const under = `${prefix}${name}`
    let marker: string | undefined
    for (;;) {
      // (a file: the listing at its own name, limit 1 page, finds it with its type and date)
      const { entries } = await s.containers.list(account, container, { prefix: under, marker, limit })
      for (const e of entries) {
        if ('subdir' in e || e.name.endsWith('/')) continue
        if (!name.endsWith('/') && e.name !== under) continue
        yield { object: e.name, path: e.name.slice(prefix.length), contentType: e.contentType, lastModified: new Date(Timestamp.parse(e.timestamp).ms) }
      }
      if (!name.endsWith('/') || entries.length < limit) break
      const last = entries[entries.length - 1]
      marker = 'subdir' in last ? last.subdir : last.name
    }
  }
}
