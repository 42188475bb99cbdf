/**
 * The Swift services of one appliance, composed over the cluster layer. http/ receives this
 * bundle and calls into it; nothing here knows about HTTP.
 */
import { AccountUpdater, type Logger } from '../cluster/account-updater.js'
import type { Placement } from '../cluster/placement.js'
import { ContainerPolicies, StoragePolicies } from '../cluster/policies.js'
import { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import { ReplicatedObjects, type ReadOptions } from '../cluster/replicated-objects.js'
import type { SwiftConstraints } from '../config/index.js'
import { cleanContainerAcl } from '../identity/authorize.js'
import type { SessionService } from '../identity/sessions.js'
import type { TokenService } from '../identity/tokens.js'
import type { UserDirectory } from '../identity/users.js'
import type { PendingJournal } from '../store/pending/pending-journal.js'
import type { StateDb } from '../store/state-db.js'
import { AccessService } from './access.js'
import { AccountService } from './accounts.js'
import { ContainerService } from './containers.js'
import { DloService } from './dlo.js'
import { DomainRemap, type DomainRemapOptions } from './domain-remap.js'
import { Expirer } from './expirer.js'
import { InfoCache } from './info-cache.js'
import { ListingUpdates } from './listing-updates.js'
import { ObjectVersioningService } from './object-versioning.js'
import { ObjectService } from './objects.js'
import { QuotaService } from './quotas.js'
import { SloService } from './slo.js'
import type { HeaderMap } from './types.js'
import { VersioningService } from './versioning.js'

export interface SwiftDeps {
  placement: Placement
  state: StateDb
  users: UserDirectory
  tokens: TokenService
  /** Web sessions, whose cookie the Swift API accepts in place of a token (http/swift/router.ts). */
  sessions?: SessionService
  constraints: SwiftConstraints
  resellerPrefixes: readonly string[]
  /** tempauth `<prefix>require_group`, per reseller prefix. */
  requireGroup?: Readonly<Record<string, string>>
  domainRemap?: DomainRemapOptions
  /** Operator CORS settings (Swift's cors_allow_origin / cors_expose_headers). */
  cors?: { allowOrigin: readonly string[]; exposeHeaders: readonly string[] }
  log: Logger
  /** Newest-replica reads and body checks (config `reads`). */
  reads?: ReadOptions
  /** Storage policies (cluster/policies.ts); one 3-replica policy 0 when left out. */
  policies?: StoragePolicies
  /** The async_pending journals of this box's devices (none: listing rows are not journaled). */
  pending?: readonly PendingJournal[]
}

export class SwiftServices {
  readonly dbs: ReplicatedDatabases
  readonly updater: AccountUpdater
  readonly accounts: AccountService
  readonly containers: ContainerService
  readonly objects: ObjectService
  /** The replicated object store under `objects` (its read repair, for tests and health). */
  readonly replicas: ReplicatedObjects
  /** Journaled container updates and their checks after a crash. */
  readonly listings: ListingUpdates
  readonly access: AccessService
  readonly expirer: Expirer
  readonly slo: SloService
  readonly dlo: DloService
  readonly quotas: QuotaService
  readonly versioning: VersioningService
  /** Swift 2.24+'s object_versioning (X-Versions-Enabled). */
  readonly objectVersioning: ObjectVersioningService
  readonly domainRemap: DomainRemap
  readonly constraints: SwiftConstraints
  /** Briefly cached account/container metadata (TempURL keys, CORS, static web). */
  readonly infoCache: InfoCache
  readonly cors: { allowOrigin: readonly string[]; exposeHeaders: readonly string[] }
  readonly sessions?: SessionService
  readonly policies: StoragePolicies
  /** Which storage policy each container's objects use (briefly cached). */
  readonly containerPolicies: ContainerPolicies

  constructor(d: SwiftDeps) {
    this.constraints = d.constraints
    this.sessions = d.sessions
    this.dbs = new ReplicatedDatabases(d.placement, { freshest: d.reads?.newestReplica ?? true })
    this.policies = d.policies ?? StoragePolicies.single(3)
    this.containerPolicies = new ContainerPolicies(this.dbs, this.policies)
    this.updater = new AccountUpdater(this.dbs, d.log)
    this.accounts = new AccountService(this.dbs, this.updater, d.constraints)
    this.containers = new ContainerService(this.dbs, this.accounts, this.updater, d.constraints, this.policies, this.containerPolicies)
    this.expirer = new Expirer(d.state.namespace('expirer'))
    const policyOf = (account: string, container: string) => this.containerPolicies.of(account, container)
    this.replicas = new ReplicatedObjects(d.placement, { ...d.reads, log: d.reads?.log ?? d.log, policyOf })
    this.listings = new ListingUpdates(d.pending ?? [], this.replicas, this.dbs, this.updater, d.log)
    this.objects = new ObjectService(this.replicas, this.dbs, this.updater, this.expirer, d.constraints, this.listings)
    this.access = new AccessService(d.users, d.tokens, this.dbs, d.resellerPrefixes, d.requireGroup)
    this.slo = new SloService(this.objects)
    this.dlo = new DloService(this.containers, this.objects)
    this.quotas = new QuotaService(this.dbs, this.accounts)
    this.versioning = new VersioningService(this.containers, this.objects)
    this.objectVersioning = new ObjectVersioningService(this.containers, this.objects)
    this.domainRemap = new DomainRemap(d.domainRemap ?? { storageDomain: [] })
    this.infoCache = new InfoCache(this.dbs)
    this.cors = d.cors ?? { allowOrigin: [], exposeHeaders: [] }
  }

  /** X-Container-Read/Write must be valid ACLs (400 otherwise), as clean_acl checks them. */
  checkContainerAcls(h: HeaderMap): void {
    for (const name of ['x-container-read', 'x-container-write']) {
      const v = h[name]
      if (v !== undefined && v !== '') h[name] = cleanContainerAcl(name, v)
    }
  }
}
