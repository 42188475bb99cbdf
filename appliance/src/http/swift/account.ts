/** Account requests: HEAD/GET (stats, metadata, container listing) and POST (metadata). */
import { VeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'
import { accountAclResponseHeader } from '../../swift/access.js'
import type { AccountView } from '../../swift/accounts.js'
import { metadataHeaders } from '../../swift/db-metadata.js'
import type { SwiftServices } from '../../swift/index.js'
import { checkMetadata } from './metadata.js'
import { titleCase } from './object.js'
import { listingFormat, renderAccountListing } from './listing-format.js'
import { checkListingQuery, listingParams } from './listing-params.js'
import type { SwiftRequest } from './request.js'
import { htmlStatus, type SwiftResponse } from './respond.js'

export function accountHeaders(info: AccountView, owner: boolean, policyName: (index: number) => string | undefined = () => undefined): Record<string, string> {
  const h: Record<string, string> = {
    'X-Account-Container-Count': String(info.containerCount),
    'X-Account-Object-Count': String(info.objectCount),
    'X-Account-Bytes-Used': String(info.bytesUsed),
    'X-Timestamp': Timestamp.parse(info.createdAt).normal,
  }
  if (!info.exists) h['X-Put-Timestamp'] = Timestamp.parse(info.putTimestamp).normal
  else {
    // Swift's account server: one set per policy the account has used, named as swob titles it.
    for (const [index, stats] of Object.entries(info.policyStats).sort(([a], [b]) => Number(a) - Number(b))) {
      const name = policyName(Number(index))
      if (name === undefined) continue
      const p = `X-Account-Storage-Policy-${titleCase(name.toLowerCase())}`
      h[`${p}-Container-Count`] = String(stats.containerCount)
      h[`${p}-Object-Count`] = String(stats.objectCount)
      h[`${p}-Bytes-Used`] = String(stats.bytesUsed)
    }
  }
  const acl = owner ? accountAclResponseHeader(info.metadata) : undefined
  if (acl) h['X-Account-Access-Control'] = acl
  return { ...h, ...metadataHeaders(info.metadata, owner) }
}

export async function handleAccount(s: SwiftServices, req: SwiftRequest): Promise<SwiftResponse> {
  const { account } = req.path
  switch (req.method) {
    case 'HEAD':
    case 'GET': {
      checkListingQuery(req.raw.url, 'account')
      const format = listingFormat(req.query.get('format') ?? undefined, req.headers.accept)
      if (!format) throw new VeloxError('not-acceptable', 'no listing format matches Accept')
      const ct = { 'Content-Type': `${format}; charset=utf-8` }
      // An account not created yet is answered by the proxy's autocreate listing: no
      // Accept-Ranges, and 200 rather than 204 for a HEAD.
      const headers = (info: AccountView) => ({ ...ct, ...(info.exists ? { 'Accept-Ranges': 'bytes' } : {}), ...accountHeaders(info, req.grant.owner, (i) => s.policies.byIndex(i)?.name) })
      if (req.method === 'HEAD') {
        const info = await s.accounts.info(account)
        return { status: info.exists ? 204 : 200, headers: headers(info) }
      }
      const { info, entries } = await s.accounts.list(account, listingParams(req.query, s.constraints.account_listing_limit))
      const body = renderAccountListing(entries, format, account)
      const status = format === 'text/plain' && entries.length === 0 ? 204 : 200
      return { status, headers: headers(info), body: status === 204 ? undefined : body }
    }
    case 'POST':
      checkMetadata(req.headers, 'account', s.constraints, req.raw.headers)
      await s.accounts.post(account, req.headers, req.grant.owner)
      return htmlStatus(204)
    default:
      throw new VeloxError('method-not-allowed', 'method not allowed', { headers: { Allow: 'HEAD, GET, POST' } })
  }
}
