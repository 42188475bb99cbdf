/**
 * The web app's built files (web/dist) at `/`: files as they are, with long-lived caching
 * for Vite's content-hashed assets (/assets/…) and `no-cache` for everything else, and
 * index.html for any other page path (the SPA routes it, /s/<token> included). Paths of
 * the other surfaces (/v1, /auth, /api, /info, /healthcheck, the /s/ endpoints) never fall
 * back to the page. A missing web/dist answers a plain 404. A page path whose status an
 * earlier middleware decided (`setPageStatus`: a dead share link's 404/410) gets the same
 * page with that status, so that curl, wget and link checkers see the failure.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join, normalize, sep } from 'node:path'
import mime from 'mime-types'
import type { Context, Middleware } from 'koa'

/** Where an earlier middleware leaves the status of the page it recognised. */
const PAGE_STATUS = Symbol('velox.pageStatus')

/** Serves this request's page (index.html) with `status` instead of 200. */
export function setPageStatus(ctx: Context, status: number): void {
  ;(ctx.state as Record<symbol, number>)[PAGE_STATUS] = status
}

const NOT_THE_APP = /^\/(v1|v1\.0|auth|api|info|healthcheck)(\/|$)|^\/s\/[^/]+\/(file|zip|upload|thumb)(\/|$)/

export function serveWebApp(distDir: string): Middleware {
  const root = normalize(distDir)
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || NOT_THE_APP.test(ctx.path)) return next()
    let rel: string
    try {
      rel = decodeURIComponent(ctx.path)
    } catch {
      return next()
    }
    const file = normalize(join(root, rel))
    if (rel.includes('\0') || (file !== root && !file.startsWith(root + sep))) return next()
    if (await sendFile(ctx, file, rel.startsWith('/assets/'))) return
    // A path whose last segment looks like a file name is a missing file, not a page.
    if (/\.[A-Za-z0-9]+$/.test(rel)) return next()
    const status = (ctx.state as Record<symbol, number | undefined>)[PAGE_STATUS] ?? 200
    if (!(await sendFile(ctx, join(root, 'index.html'), false, status))) return next()
  }
}

async function sendFile(ctx: Context, file: string, hashed: boolean, status = 200): Promise<boolean> {
  const st = await stat(file).catch(() => undefined)
  if (!st?.isFile()) return false
  ctx.status = status
  ctx.type = mime.contentType(file.split(sep).pop() ?? '') || 'application/octet-stream'
  ctx.length = st.size
  ctx.lastModified = st.mtime
  ctx.set('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
  ctx.set('X-Content-Type-Options', 'nosniff')
  // An error page is never "not modified": a cache must not turn a 404 into a 304.
  if (status === 200 && ctx.fresh) {
    ctx.status = 304
    return true
  }
  if (ctx.method === 'GET') ctx.body = createReadStream(file)
  return true
}
