/** Account requests: HEAD/GET (stats, metadata, container listing) and POST (metadata). */
import { VeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import type { AccountView } from '../../swift/accounts.js'
import { metadataHeaders } from '../../swift/db-metadata.js'
import { DEFAULT_POLICY } from '../../swift/types.js'
import type { SwiftServices } from '../../swift/index.js'
import { listingFormat, renderAccountListing } from './listing-format.js'
import { listingParams } from './listing-params.js'
import type { SwiftRequest } from './request.js'
import { htmlStatus, type SwiftResponse } from './respond.js'

export function accountHeaders(info: AccountView, owner: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'X-Account-Container-Count': String(info.containerCount),
    'X-Account-Object-Count': String(info.objectCount),
    'X-Account-Bytes-Used': String(info.bytesUsed),
    'X-Timestamp': Timestamp.parse(info.createdAt).normal,
  }
  if (!info.exists) h['X-Put-Timestamp'] = Timestamp.parse(info.putTimestamp).normal
  else if (info.containerCount > 0) {
    const p = `X-Account-Storage-Policy-${DEFAULT_POLICY.name}`
    h[`${p}-Container-Count`] = String(info.containerCount)
    h[`${p}-Object-Count`] = String(info.objectCount)
    h[`${p}-Bytes-Used`] = String(info.bytesUsed)
  }
  return { ...h, ...metadataHeaders(info.metadata, owner) }
}

export async function handleAccount(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  const { account } = req.path
  switch (req.method) {
    case 'HEAD':
    case 'GET': {
      const format = listingFormat(req.query.get('format') ?? undefined, req.headers.accept)
      if (!format) throw new VeloxError('bad-request', 'Invalid Accept header', { explain: true })
      const headers = { 'Content-Type': `${format}; charset=utf-8`, 'Accept-Ranges': 'bytes' }
      if (req.method === 'HEAD') {
        const info = await s.accounts.info(account)
        return { status: 204, headers: { ...headers, ...accountHeaders(info, req.grant.owner) } }
      }
      const { info, entries } = await s.accounts.list(account, listingParams(req.query, s.constraints.account_listing_limit))
      const body = renderAccountListing(entries, format, account)
      const status = format === 'text/plain' && entries.length === 0 ? 204 : 200
      return { status, headers: { ...headers, ...accountHeaders(info, req.grant.owner) }, body: status === 204 ? undefined : body }
    }
    case 'POST':
      await s.accounts.post(account, req.headers, req.grant.owner)
      return htmlStatus(204)
    default:
      throw new VeloxError('method-not-allowed', 'method not allowed', { headers: { Allow: 'HEAD, GET, POST' } })
  }
}
