/**
 * Account semantics: auto-created on first use (account_autocreate), stats and metadata,
 * container listings. HEAD/GET of an account that does not exist yet answer as Swift's
 * autocreate does (zero counts) without creating it.
 */
import type { AccountUpdater } from '../cluster/account-updater.js'
import type { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import type { SwiftConstraints } from '../config/index.js'
import { Timestamp } from '../lib/timestamp.js'
import type { AccountInfo, ContainerRow, ListingEntry, ListingParams } from '../store/types.js'
import { checkListingParams } from './containers.js'
import { checkMergedMetadata, metadataUpdates } from './db-metadata.js'
import { versionsContainerOf } from './object-versioning.js'
import type { HeaderMap } from './types.js'

export type AccountView = AccountInfo & { exists: boolean }

export class AccountService {
  private readonly known = new Set<string>()

  constructor(
    private readonly dbs: ReplicatedDatabases,
    private readonly updater: AccountUpdater,
    private readonly constraints: SwiftConstraints,
  ) {}

  /** Creates the account if it does not exist yet. */
  async ensure(account: string): Promise<void> {
    if (this.known.has(account)) return
    if (!(await this.dbs.getAccount(account))) await this.dbs.putAccount(account, Timestamp.now().internal)
    this.known.add(account)
  }

  async info(account: string): Promise<AccountView> {
    await this.updater.flush(account)
    const info = await this.dbs.getAccount(account)
    if (info) return { ...info, exists: true }
    const now = Timestamp.now().internal
    return { account, putTimestamp: now, deleteTimestamp: '0', createdAt: now, containerCount: 0, objectCount: 0, bytesUsed: 0, metadata: {}, policyStats: {}, exists: false }
  }

  async post(account: string, headers: HeaderMap, owner: boolean): Promise<void> {
    await this.ensure(account)
    const md = metadataUpdates(headers, 'account', Timestamp.now().internal, owner)
    if (!Object.keys(md).length) return
    checkMergedMetadata((await this.dbs.getAccount(account))?.metadata ?? {}, md, 'account', this.constraints)
    await this.dbs.updateAccountMetadata(account, md)
  }

  async list(account: string, params: ListingParams): Promise<{ info: AccountView; entries: ListingEntry<ContainerRow>[] }> {
    checkListingParams(params, this.constraints.account_listing_limit)
    const info = await this.info(account)
    // Names in Swift's reserved namespace (object versioning's "\0versions\0<container>") are
    // the cluster's own: counted in the account, never listed. They sort first, so a forward
    // listing starts past them.
    const visible = !params.reverse && (params.marker === undefined || params.marker < '\u0001') ? { ...params, marker: '\u0000\u{10ffff}' } : params
    const entries = info.exists ? await this.dbs.listContainers(account, visible) : []
    const listed = entries.filter((e) => !('name' in e) || !e.name.startsWith('\u0000'))
    return { info, entries: listed.length ? await this.withVersionBytes(account, params, listed) : listed }
  }

  /**
   * object_versioning's list_containers: a container's listed bytes include its versions
   * container's, read with a second listing over the same range of the reserved names.
   */
  private async withVersionBytes(account: string, params: ListingParams, entries: ListingEntry<ContainerRow>[]): Promise<ListingEntry<ContainerRow>[]> {
    const moved = (v: string | undefined) => (v === undefined ? undefined : versionsContainerOf(v))
    const hidden = await this.dbs.listContainers(account, { limit: params.limit, reverse: params.reverse, prefix: versionsContainerOf(params.prefix ?? ''), marker: moved(params.marker), endMarker: moved(params.endMarker) })
    const bytes = new Map<string, number>()
    for (const e of hidden) if ('name' in e) bytes.set(e.name.slice(versionsContainerOf('').length), e.bytesUsed)
    if (bytes.size === 0) return entries
    return entries.map((e) => ('name' in e && bytes.has(e.name) ? { ...e, bytesUsed: e.bytesUsed + (bytes.get(e.name) as number) } : e))
  }
}
