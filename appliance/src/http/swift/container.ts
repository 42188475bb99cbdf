/** Container requests: PUT (201/202), POST, HEAD, GET (listing), DELETE. */
import { VeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import { metadataHeaders } from '../../swift/db-metadata.js'
import type { SwiftServices } from '../../swift/index.js'
import type { ContainerInfo } from '../../store/types.js'
import { listingFormat, renderContainerListing } from './listing-format.js'
import { checkListingQuery, listingParams } from './listing-params.js'
import { checkMetadata } from './metadata.js'
import { checkNameLength } from './swift-path.js'
import type { SwiftRequest } from './request.js'
import { htmlStatus, type SwiftResponse } from './respond.js'

function containerHeaders(s: SwiftServices, info: ContainerInfo, owner: boolean): Record<string, string> {
  const ts = Timestamp.parse(info.createdAt)
  return {
    'X-Container-Object-Count': String(info.objectCount),
    'X-Container-Bytes-Used': String(info.bytesUsed),
    'X-Timestamp': ts.normal,
    'Last-Modified': Timestamp.parse(info.putTimestamp).httpDate,
    'Accept-Ranges': 'bytes',
    'X-Storage-Policy': s.containers.policyName(info),
    ...metadataHeaders(info.metadata, owner),
  }
}

export async function handleContainer(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  const { account } = req.path
  const container = req.path.container as string
  switch (req.method) {
    case 'PUT': {
      checkNameLength(req.path, s.constraints)
      checkMetadata(req.headers, 'container', s.constraints, req.raw.headers)
      s.checkContainerAcls(req.headers)
      const { created } = await s.containers.put(account, container, req.headers, req.grant.owner)
      return htmlStatus(created ? 201 : 202)
    }
    case 'POST':
      checkMetadata(req.headers, 'container', s.constraints, req.raw.headers)
      s.checkContainerAcls(req.headers)
      await s.containers.post(account, container, req.headers, req.grant.owner)
      return htmlStatus(204)
    case 'DELETE':
      await s.containers.delete(account, container)
      return htmlStatus(204)
    case 'HEAD':
    case 'GET': {
      checkListingQuery(req.raw.url, 'container')
      const format = listingFormat(req.query.get('format') ?? undefined, req.headers.accept)
      if (!format) throw new VeloxError('not-acceptable', 'no listing format matches Accept')
      const ct = { 'Content-Type': `${format}; charset=utf-8` }
      if (req.method === 'HEAD') {
        const info = await s.containers.info(account, container)
        return { status: 204, headers: { ...ct, ...containerHeaders(s, info, req.grant.owner) } }
      }
      const { info, entries } = await s.containers.list(account, container, listingParams(req.query, s.constraints.container_listing_limit))
      const headers = { ...ct, ...containerHeaders(s, info, req.grant.owner) }
      if (format === 'text/plain' && entries.length === 0) return { status: 204, headers }
      return { status: 200, headers, body: renderContainerListing(entries, format, container, format === 'application/json' && req.query.get('velox_mtime') === '1') }
    }
    default:
      throw new VeloxError('method-not-allowed', 'method not allowed', { headers: { Allow: 'HEAD, GET, PUT, POST, DELETE' } })
  }
}
