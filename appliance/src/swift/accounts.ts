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
import { metadataUpdates } from './db-metadata.js'
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
    if (Object.keys(md).length) await this.dbs.updateAccountMetadata(account, md)
  }

  async list(account: string, params: ListingParams): Promise<{ info: AccountView; entries: ListingEntry<ContainerRow>[] }> {
    checkListingParams(params, this.constraints.account_listing_limit)
    const info = await this.info(account)
    return { info, entries: info.exists ? await this.dbs.listContainers(account, params) : [] }
  }
}
