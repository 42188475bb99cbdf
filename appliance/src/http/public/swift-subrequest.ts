/**
 * Runs a request that a share link has already authorized through the Swift feature
 * pipeline and handlers, as TempURL requests run: the same object read path (ranges,
 * conditionals, large objects once those features exist) and write path (checks, quotas)
 * as the Swift API, with no second copy of them here. The caller decides what the link
 * allows; this only builds the typed request.
 */
import type { IncomingMessage } from 'node:http'
import type { SwiftServices } from '../../swift/index.js'
import { checkName } from '../../swift/names.js'
import { RESERVED, versionsContainerOf } from '../../swift/object-versioning.js'
import type { HeaderMap, LinkPlace } from '../../swift/types.js'
import type { ShareTarget } from '../../sharing/share-records.js'
import { FEATURES } from '../swift/features.js'
import { runFeatures } from '../swift/pipeline.js'
import type { SwiftRequest } from '../swift/request.js'
import type { SwiftResponse } from '../swift/respond.js'
import { dispatch } from '../swift/router.js'

export interface Subrequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'COPY'
  account: string
  container: string
  /** Absent for a container listing (a folder shared with a user, http/api/shared-folder-routes.ts). */
  object?: string
  /** Only the headers the link passes on (Range, conditionals, Content-Length…), lower-cased. */
  headers: HeaderMap
  query?: URLSearchParams
  raw: IncomingMessage
  transId: string
  scheme: string
  /** Where the link's sub-requests may go (linkPlaces of the share's target). */
  within: readonly LinkPlace[]
}

/**
 * A link serves only what it shares (issue 11, item 4): a symlink target, an SLO or DLO
 * segment or a DLO's segment listing reached through it must be the shared object itself or
 * under the shared folder, or under the same name in `<container>_segments` (where Swift
 * clients and the web app put the segments of what they upload). A writer of the folder who
 * plants X-Symlink-Target: priv/secret.txt gets a 403, not the link owner's file.
 */
export function linkPlaces(target: ShareTarget): LinkPlace[] {
  const segments = `${target.container}_segments`
  // In a container keeping versions a name links to its version ("\0name\0<time>" in the versions container).
  // So does a segment when the segments container keeps versions too (the web app's containers
  // keep versions by default): "\0<object>/<n>\0<time>" in "\0versions\0<container>_segments".
  const versions = versionsContainerOf(target.container)
  const segmentVersions = versionsContainerOf(segments)
  if (target.object !== undefined) {
    return [
      { container: target.container, object: target.object },
      { container: segments, prefix: `${target.object}/` },
      { container: versions, prefix: `${RESERVED}${target.object}${RESERVED}` },
      { container: segmentVersions, prefix: `${RESERVED}${target.object}/` },
    ]
  }
  const prefix = target.prefix ?? ''
  return [{ container: target.container, prefix }, { container: segments, prefix }, { container: versions, prefix: `${RESERVED}${prefix}` }, { container: segmentVersions, prefix: `${RESERVED}${prefix}` }]
}

export async function swiftSubrequest(s: SwiftServices, o: Subrequest): Promise<SwiftResponse> {
  // Names from a link (its record, a path under a folder, a drop's file name) pass the Swift API's check.
  for (const name of [o.account, o.container, o.object]) if (name !== undefined) checkName(name)
  const req: SwiftRequest = {
    method: o.method,
    path: { version: 'v1', account: o.account, container: o.container, object: o.object },
    headers: o.headers,
    query: o.query ?? new URLSearchParams(),
    raw: o.raw,
    // Sub-requests (large-object segments, symlink targets) stay within the shared object's
    // account, as those of a TempURL signed with an account key do, and within the link's places.
    grant: { owner: false, scope: { account: o.account, within: o.within } },
    authorized: true,
    transId: o.transId,
    scheme: o.scheme,
  }
  const pre = FEATURES.filter((f) => f.stage === 'pre-auth')
  const post = FEATURES.filter((f) => f.stage === 'post-auth')
  // A feature may hand on a sub-request of its own (pipeline.ts); the link's request is the default.
  return runFeatures(s, req, pre, (r?: SwiftRequest) => {
    const authorized = r ?? req
    return runFeatures(s, authorized, post, (inner?: SwiftRequest) => dispatch(s, inner ?? authorized))
  })
}

/** True once the Swift API answers `?thumbnail=` (the thumbnails feature is in the pipeline). */
export function thumbnailsAvailable(): boolean {
  return FEATURES.some((f) => f.name === 'thumbnail' || f.name === 'thumbnails')
}

/** Picks the headers a request passes on to a subrequest. */
export function pickHeaders(from: IncomingMessage['headers'], names: readonly string[]): HeaderMap {
  const out: HeaderMap = {}
  for (const n of names) {
    const v = from[n]
    if (v !== undefined) out[n] = Array.isArray(v) ? v.join(', ') : v
  }
  return out
}
