/**
 * Where an object write puts how many bytes, as the quota middlewares see it behind Swift's
 * copy middleware: a PUT brings its Content-Length (0 when chunked), a PUT with
 * X-Copy-From and a COPY bring the source object's size into the destination container.
 * Undefined for requests that write no object, or whose copy source or destination is
 * malformed or missing (the object handler answers those).
 */
import { isVeloxError } from '../../../errors.js'
import type { SwiftServices } from '../../../swift/index.js'
import { parseCopyPath } from '../object.js'
import { bodyLength, type SwiftRequest } from '../request.js'

export interface UploadTarget {
  account: string
  container: string
  bytes: number
}

export async function uploadTarget(s: SwiftServices, req: SwiftRequest): Promise<UploadTarget | undefined> {
  const { account, container, object } = req.path
  if (!container || !object) return undefined
  try {
    if (req.method === 'PUT' && req.headers['x-copy-from'] === undefined) {
      const len = bodyLength(req.raw)
      return { account, container, bytes: typeof len === 'number' && Number.isSafeInteger(len) ? len : 0 }
    }
    if (req.method === 'PUT') {
      const source = parseCopyPath(req.headers['x-copy-from']!, req.headers['x-copy-from-account'] ?? account, 'X-Copy-From')
      return { account, container, bytes: await sizeOf(s, source) }
    }
    if (req.method === 'COPY' && req.headers.destination) {
      const dest = parseCopyPath(req.headers.destination, req.headers['destination-account'] ?? account, 'Destination')
      return { account: dest.account, container: dest.container, bytes: await sizeOf(s, { account, container, object }) }
    }
  } catch (err) {
    if (isVeloxError(err, 'not-found') || isVeloxError(err, 'precondition-failed')) return undefined
    throw err
  }
  return undefined
}

async function sizeOf(s: SwiftServices, ref: { account: string; container: string; object: string }): Promise<number> {
  const o = await s.objects.open(ref)
  await o.close()
  return o.meta.size
}
