/**
 * The listings of the object_versioning feature: a container listing's version links
 * rewritten, and the `?versions` listing read from the container and its versions container
 * with Swift's parameter checks (version_marker needs marker; delimiters may not hold the
 * characters of version ids). The merge itself is swift/version-listing.ts.
 */
import { VeloxError, isVeloxError } from '../../../errors.js'
import { Timestamp } from '../../../lib/timestamp.js'
import type { SwiftServices } from '../../../swift/index.js'
import { RESERVED } from '../../../swift/object-versioning.js'
import { symlinkListingRecord } from '../../../swift/symlinks.js'
import { type ListingRecord, mergeVersionListing, rewriteLinkRecords, versionsListingParams } from '../../../swift/version-listing.js'
import { objectRecord } from '../listing-format.js'
import { listingParams } from '../listing-params.js'
import type { SwiftRequest } from '../request.js'

interface Where {
  version: string
  account: string
  container: string
  versions: string
}

/** The JSON listing's records, version links rewritten (handle_request). */
export function withVersionedRecords(body: string, where: Where, forVersions: boolean): ListingRecord[] {
  const records = JSON.parse(body) as ListingRecord[]
  rewriteLinkRecords(records, where, forVersions)
  return records
}

const bad = (msg: string) => new VeloxError('bad-request', msg, { explain: 'html' })

/** _list_versions: the container's records merged with its versions container's. */
export async function versionsListing(s: SwiftServices, req: SwiftRequest, primary: ListingRecord[], where: Where): Promise<ListingRecord[]> {
  const q = req.query
  const versionMarker = q.get('version_marker')
  if (versionMarker !== null) {
    if (!q.has('marker')) throw bad('version_marker param requires marker')
    if (versionMarker !== 'null' && (!/^\d+(\.\d+)?$/.test(versionMarker) || !Timestamp.tryParse(versionMarker))) throw bad('invalid version_marker param')
  }
  const delimiter = q.get('delimiter') ?? ''
  if ([...delimiter].some((c) => '0123456789.'.includes(c) || c === RESERVED)) throw bad('invalid delimiter param')
  const params = listingParams(q, s.constraints.container_listing_limit)
  const moved = versionsListingParams(q)
  let records: ListingRecord[] | undefined
  try {
    const { entries } = await s.containers.list(where.account, where.versions, { limit: params.limit, reverse: params.reverse, delimiter: delimiter || undefined, ...moved })
    records = entries.map((e) => ('subdir' in e ? { subdir: e.subdir } : symlinkListingRecord(objectRecord(e), where.version, where.account)))
  } catch (err) {
    if (!isVeloxError(err, 'not-found')) throw err
  }
  return mergeVersionListing(primary, records, where, { reverse: params.reverse === true, limit: params.limit })
}
