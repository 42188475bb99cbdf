/**
 * The versioned_writes feature (Swift 2.30's legacy mode, allow_versioned_writes = true):
 * container PUT/POST headers X-Versions-Location / X-History-Location are checked and
 * stored; object PUT, COPY (its destination) and DELETE in a versioned container keep the
 * previous version, and a stack-mode DELETE restores it. Semantics in swift/versioning.ts.
 */
import type { ObjectRef } from '../../../cluster/replicated-objects.js'
import type { SwiftServices } from '../../../swift/index.js'
import { ALLOWED_FLAGS, normalizeVersioningHeaders } from '../../../swift/versioning.js'
import { parseCopyPath } from '../object.js'
import type { Next, SwiftFeature } from '../pipeline.js'
import type { SwiftRequest } from '../request.js'
import type { SwiftResponse } from '../respond.js'

export const versionedWritesFeature: SwiftFeature = {
  name: 'versioned_writes',
  stage: 'post-auth',
  info: () => ({ allowed_flags: [...ALLOWED_FLAGS] }),
  async handle(s, req, next) {
    if (req.path.container === undefined) return next()
    if (req.path.object === undefined) {
      const headers = { ...req.headers }
      normalizeVersioningHeaders(headers)
      return next({ ...req, headers })
    }
    switch (req.method) {
      case 'PUT':
        return put(s, req, next, refOf(req))
      case 'COPY': {
        const dest = destinationOf(req)
        return dest ? put(s, req, next, dest) : next()
      }
      case 'DELETE':
        return del(s, req, next)
      default:
        return next()
    }
  },
}

function refOf(req: SwiftRequest): ObjectRef {
  return { account: req.path.account, container: req.path.container as string, object: req.path.object as string }
}

/** COPY writes its Destination, which is what gets versioned (Swift's copy middleware turns it into a PUT first). */
function destinationOf(req: SwiftRequest): ObjectRef | undefined {
  const dest = req.headers.destination
  if (!dest) return undefined
  try {
    return parseCopyPath(dest, req.headers['destination-account'] ?? req.path.account, 'Destination')
  } catch {
    return undefined
  }
}

async function put(s: SwiftServices, req: SwiftRequest, next: Next, target: ObjectRef): Promise<SwiftResponse> {
  const settings = await s.versioning.settings(target.account, target.container)
  if (settings) await s.versioning.copyCurrent(target, settings.versions)
  return next()
}

async function del(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const ref = refOf(req)
  const settings = await s.versioning.settings(ref.account, ref.container)
  if (!settings) return next()
  if (settings.mode === 'history') {
    await s.versioning.pushDelete(ref, settings.versions)
    return next()
  }
  const target = await s.versioning.popDelete(ref, settings.versions)
  if (target === ref) return next()
  // The DELETE now removes the restored version's copy (or the delete marker) instead.
  const { 'x-if-delete-at': _ignored, ...headers } = req.headers
  return next({ ...req, path: { version: req.path.version, ...target }, query: new URLSearchParams(), headers })
}
