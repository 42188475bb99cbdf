/**
 * The web app's surfaces in one list for the Koa app: the JSON API (/api), the public
 * share-link endpoints (/s/<token>/…) and the built SPA (/). Logs one line per request in
 * the request log's shape, with link tokens cut out of the path.
 */
import type { Middleware } from 'koa'
import type { SessionService } from '../identity/sessions.js'
import type { ShareService } from '../sharing/shares.js'
import type { SwiftServices } from '../swift/index.js'
import type { DiskService } from '../disks/service.js'
import { adminDiskRoutes } from './api/admin-disks.js'
import { adminNameRoutes } from './api/admin-names.js'
import { apiRoutes } from './api/router.js'
import { newTransId, type RequestLogLine } from './app.js'
import { publicShareRoutes } from './public/router.js'
import { noteTransId } from './request-guard.js'
import { serveWebApp } from './static.js'
import { trashRoutes } from './api/trash-routes.js'
import { searchRoutes } from './api/search-routes.js'
import type { NameSearch } from '../search/name-search.js'
import { shareManageRoutes } from './api/share-manage-routes.js'
import type { OwnerLinks } from '../sharing/owner-links.js'
import type { TrashPurger, TrashRetention } from '../trash/trash-purger.js'
import type { UserShares } from '../sharing/user-shares.js'
import { userShareRoutes } from './api/user-share-routes.js'
import type { ContainerRenames } from '../files/container-rename.js'
import { renameRoutes } from './api/rename-routes.js'
import { sharedFolderRoutes } from './api/shared-folder-routes.js'

export interface WebDeps {
  swift: SwiftServices
  sessions: SessionService
  shares: ShareService
  /** The SPA's built files (web/dist). */
  distDir: string
  requestLog?: (line: RequestLogLine) => void
  errorLog?: (msg: string, err: unknown, transId: string) => void
  /** The admin console's API (/api/admin/…), logged like every web request. */
  admin?: Middleware
  /** This box's disks, for /api/admin/disks (absent: no such routes). */
  disks?: DiskService
  /** The trash's retention and purge pass (/api/trash, /api/admin/trash). */
  trash?: { retention: TrashRetention; purger: TrashPurger }
  /** Search by name across the user's containers (/api/search). */
  search?: { search: NameSearch; resellerPrefixes: readonly string[] }
  /** Links kept for their owners (copy again, /api/shares/<id>/link). */
  ownerLinks?: OwnerLinks
  /** Folders shared with other Velox users (/api/user-shares). */
  userShares?: UserShares
  /** Container renames as server-side jobs (/api/container-renames). */
  renames?: { renames: ContainerRenames; resellerPrefixes: readonly string[] }
}

/** Link tokens are secrets: the log shows /s/… and /api/public/shares/… without them. */
export function redactTokens(path: string): string {
  return path.replace(/^\/s\/[^/]+/, '/s/[token]').replace(/^\/api\/public\/shares\/[^/]+/, '/api/public/shares/[token]')
}

export function webMiddlewares(d: WebDeps): Middleware[] {
  const log: Middleware = async (ctx, next) => {
    const started = performance.now()
    const transId = newTransId()
    noteTransId(transId)
    // Read now: the socket is gone from the request once the client has left (issue 11).
    const client = ctx.req.socket?.remoteAddress ?? ''
    ctx.set('X-Trans-Id', transId)
    ctx.res.once('finish', () =>
      d.requestLog?.({
        trans_id: transId,
        method: ctx.method,
        path: redactTokens(ctx.path),
        status: ctx.status,
        bytes: ctx.response.length ?? 0,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
        client,
      }),
    )
    await next()
  }
  const adminDisks: Middleware[] = d.disks ? [adminDiskRoutes({ disks: d.disks, sessions: d.sessions, errorLog: d.errorLog })] : []
  const trash: Middleware[] = d.trash ? [trashRoutes({ ...d.trash, sessions: d.sessions, errorLog: d.errorLog })] : []
  const search: Middleware[] = d.search ? [searchRoutes({ ...d.search, sessions: d.sessions, errorLog: d.errorLog })] : []
  const manage: Middleware[] = d.ownerLinks ? [shareManageRoutes({ shares: d.shares, links: d.ownerLinks, sessions: d.sessions, errorLog: d.errorLog })] : []
  const userShares: Middleware[] = d.userShares ? [userShareRoutes({ userShares: d.userShares, sessions: d.sessions, errorLog: d.errorLog })] : []
  if (d.userShares) userShares.push(sharedFolderRoutes({ userShares: d.userShares, sessions: d.sessions, swift: d.swift, errorLog: d.errorLog }))
  const renames: Middleware[] = d.renames ? [renameRoutes({ ...d.renames, sessions: d.sessions, errorLog: d.errorLog })] : []
  return [log, ...trash, ...search, ...manage, ...userShares, ...renames, adminNameRoutes(d), ...(d.admin ? [d.admin] : []), ...adminDisks, apiRoutes(d), publicShareRoutes(d), serveWebApp(d.distDir)]
}
