/**
 * Container semantics: create (201/202), metadata, info, listing, delete (409 when not
 * empty), with the account row kept in step. Names validated here; no HTTP types.
 */
import type { AccountUpdater } from '../cluster/account-updater.js'
import { type ContainerPolicies, StoragePolicies } from '../cluster/policies.js'
import type { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import type { SwiftConstraints } from '../config/index.js'
import { VeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { ContainerInfo, ListingEntry, ListingParams, ObjectRow } from '../store/types.js'
import type { AccountService } from './accounts.js'
import { checkMergedMetadata, metadataUpdates } from './db-metadata.js'
import type { HeaderMap } from './types.js'

export class ContainerService {
  constructor(
    private readonly dbs: ReplicatedDatabases,
    private readonly accounts: AccountService,
    private readonly updater: AccountUpdater,
    private readonly constraints: SwiftConstraints,
    private readonly policies: StoragePolicies = StoragePolicies.single(3),
    private readonly containerPolicies?: ContainerPolicies,
  ) {}

  async put(account: string, container: string, headers: HeaderMap, owner: boolean): Promise<{ created: boolean }> {
    if (container === '.' || container === '..') throw new VeloxError('bad-request', 'Invalid container name', { explain: true })
    const policy = await this.policyForPut(account, container, headers['x-storage-policy'])
    await this.accounts.ensure(account)
    const ts = Timestamp.now().internal
    const md = metadataUpdates(headers, 'container', ts, owner)
    const existing = await this.dbs.getContainer(account, container)
    if (existing) checkMergedMetadata(existing.metadata, md, 'container', this.constraints)
    this.containerPolicies?.forget(account, container)
    const { created } = await this.dbs.putContainer(account, container, ts, md, policy)
    if (!created && Object.keys(md).length) await this.dbs.updateContainerMetadata(account, container, md)
    this.updater.mark(account, container)
    if (created) await this.updater.flush(account)
    return { created }
  }

  /**
   * The policy a container PUT asks for: the named one (400 for a name no policy has), the
   * default when none is named; naming another policy than an existing container's is 409,
   * as Swift's container server answers (a policy is fixed for a container's lifetime).
   */
  private async policyForPut(account: string, container: string, name: string | undefined): Promise<number> {
    const named = name ? this.policies.byName(name) : undefined
    if (name && !named) throw new VeloxError('bad-request', `Invalid X-Storage-Policy ${pyRepr(name)}`, { explain: true })
    const existing = await this.dbs.getContainer(account, container)
    if (existing) {
      if (named && named.index !== existing.storagePolicyIndex) throw new VeloxError('conflict', 'There was a conflict when trying to complete your request.')
      return existing.storagePolicyIndex
    }
    return (named ?? this.policies.default).index
  }

  /** The name a container's policy is shown with (X-Storage-Policy). */
  policyName(info: ContainerInfo): string {
    return this.policies.byIndex(info.storagePolicyIndex)?.name ?? String(info.storagePolicyIndex)
  }

  async info(account: string, container: string): Promise<ContainerInfo> {
    const info = await this.dbs.getContainer(account, container)
    if (!info) throw new VeloxError('not-found', 'container not found')
    return info
  }

  /** Info when it exists, undefined otherwise (for authorization and object checks). */
  find(account: string, container: string): Promise<ContainerInfo | undefined> {
    return this.dbs.getContainer(account, container)
  }

  async post(account: string, container: string, headers: HeaderMap, owner: boolean): Promise<void> {
    const md = metadataUpdates(headers, 'container', Timestamp.now().internal, owner)
    const info = await this.info(account, container)
    checkMergedMetadata(info.metadata, md, 'container', this.constraints)
    if (Object.keys(md).length) await this.dbs.updateContainerMetadata(account, container, md)
  }

  async delete(account: string, container: string): Promise<void> {
    const info = await this.info(account, container)
    if (info.objectCount > 0) throw new VeloxError('conflict', 'There was a conflict when trying to complete your request.')
    const ts = Timestamp.now().internal
    await this.dbs.deleteContainer(account, container, ts)
    this.containerPolicies?.forget(account, container)
    await this.dbs.putContainerRow(account, { name: container, putTimestamp: info.putTimestamp, deleteTimestamp: ts, objectCount: 0, bytesUsed: 0, deleted: true, storagePolicyIndex: info.storagePolicyIndex })
  }

  async list(account: string, container: string, params: ListingParams): Promise<{ info: ContainerInfo; entries: ListingEntry<ObjectRow>[] }> {
    const info = await this.info(account, container)
    checkListingParams(params, this.constraints.container_listing_limit)
    return { info, entries: await this.dbs.listObjects(account, container, params) }
  }
}

/** Swift's checks on listing parameters: limit within bounds (2.30 takes any delimiter). */
export function checkListingParams(params: ListingParams, max: number): void {
  if (params.limit > max) throw new VeloxError('precondition-failed', `Maximum limit is ${max}`, { explain: 'html' })
}

/** Python's repr of a str, as Swift's messages quote a value. */
function pyRepr(v: string): string {
  const q = v.includes("'") && !v.includes('"') ? '"' : "'"
  return q + v.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`) + q
}
