/**
 * Account and container databases across their replicas (container and account rings).
 * Writes go to every replica and need a quorum. Reads (info, stats, listings) ask every
 * replica at once how fresh its copy is (deleted ones included) and read from the freshest
 * (issue 11: a replica that missed updates while its device was away must not answer for the
 * others), as object reads serve the newest replica; freshness is the newest row applied, then
 * the newest put or delete, then the newest metadata change (DbFreshness), ring order breaking
 * ties. A replica that missed an older update but not the newest can still answer until the
 * replicator merges it. Container rows (object updates) and account rows
 * (container stats) are applied to every replica that answers; one that is down is caught up
 * by replication.
 */
import { VeloxError, isVeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { AccountInfo, ContainerInfo, ContainerRow, DbFreshness, DbMetadata, ListingEntry, ListingParams, NameMatch, NameMatchPage, ObjectRow } from '../store/types.js'
import { countKind, noQuorum, noteDeviceError, settle, type Outcome } from './outcomes.js'
import { type Placement, type Target, quorumSize } from './placement.js'

export interface DbReadOptions {
  /** Read from the freshest replica (default); false: the first that knows the database, as
   *  Swift's proxy does (`reads.newestReplica=false`, kept to measure what this costs). */
  freshest?: boolean
}

export class ReplicatedDatabases {
  private readonly freshestReads: boolean

  constructor(
    private readonly placement: Placement,
    opts: DbReadOptions = {},
  ) {
    this.freshestReads = opts.freshest ?? true
  }

  private containerPlace(account: string, container: string) {
    return this.placement.place('container', account, container)
  }

  private accountPlace(account: string) {
    return this.placement.place('account', account)
  }

  /**
   * The replicas holding the database (deleted or not), freshest first; ring order among
   * equally fresh ones (Array.prototype.sort is stable). `unavailable` when none answered.
   */
  private async ranked(targets: Target[], account: string, container: string): Promise<Target[]> {
    const answers = await Promise.all(
      targets.map(async (target) => {
        try {
          const dbs = target.node.dbs
          // A node that cannot tell counts as holding it, least fresh.
          const f = dbs.freshness ? await dbs.freshness(account, container) : UNKNOWN
          return { target, answered: true, f }
        } catch (err) {
          if (isVeloxError(err, 'not-found')) return { target, answered: true, f: undefined }
          noteDeviceError(err, target, this.placement.directory)
          return { target, answered: false, f: undefined }
        }
      }),
    )
    if (targets.length > 0 && !answers.some((a) => a.answered)) throw new VeloxError('unavailable', 'no database replica answered')
    const held = answers.filter((a): a is { target: Target; answered: boolean; f: DbFreshness } => a.f !== undefined)
    return held.sort((a, b) => compareFreshness(b.f, a.f)).map((a) => a.target)
  }

  /**
   * Reads from the freshest replica (the next when it fails meanwhile); what it says is the
   * answer, `missing` when it has no live database. With `freshest: false`, from the first
   * replica in ring order that has one (Swift's proxy).
   */
  private async readFreshest<T>(targets: Target[], account: string, container: string, read: (t: Target) => Promise<T | undefined>, missing: T): Promise<T> {
    const order = this.freshestReads ? await this.ranked(targets, account, container) : targets
    let answered = 0
    for (const t of order) {
      try {
        const v = await read(t)
        answered++
        if (v !== undefined || this.freshestReads) return v ?? missing
      } catch (err) {
        if (isVeloxError(err, 'not-found')) {
          answered++
          if (this.freshestReads) return missing
          continue
        }
        noteDeviceError(err, t, this.placement.directory)
      }
    }
    if (answered === 0 && order.length > 0) throw new VeloxError('unavailable', 'no database replica answered')
    return missing
  }

  private requireQuorum<T>(what: string, outcomes: Outcome<T>[], replicas: number): Array<T> {
    const ok = outcomes.filter((o) => o.ok).map((o) => (o as { value: T }).value)
    if (ok.length < quorumSize(replicas)) throw noQuorum(what, outcomes)
    return ok
  }

  // ---- containers

  async putContainer(account: string, container: string, timestamp: string, metadata: DbMetadata, policyIndex = 0): Promise<{ created: boolean }> {
    const placed = this.containerPlace(account, container)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) =>
      t.node.dbs.putContainer(placed.partition, account, container, timestamp, metadata, policyIndex),
    )
    const ok = this.requireQuorum('container PUT', outcomes, placed.writeTargets.length)
    return { created: ok.some((r) => r.created) }
  }

  getContainer(account: string, container: string): Promise<ContainerInfo | undefined> {
    return this.readFreshest(this.containerPlace(account, container).readTargets, account, container, (t) => t.node.dbs.getContainer(account, container), undefined)
  }

  async updateContainerMetadata(account: string, container: string, metadata: DbMetadata): Promise<void> {
    const placed = this.containerPlace(account, container)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.dbs.updateContainerMetadata(account, container, metadata))
    if (countKind(outcomes, 'not-found') === outcomes.length) throw new VeloxError('not-found', 'container not found')
    this.requireQuorum('container POST', outcomes, placed.writeTargets.length)
  }

  async deleteContainer(account: string, container: string, timestamp: string): Promise<void> {
    const placed = this.containerPlace(account, container)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.dbs.deleteContainer(account, container, timestamp))
    if (countKind(outcomes, 'conflict') > 0) throw new VeloxError('conflict', 'There was a conflict when trying to complete your request.')
    if (countKind(outcomes, 'not-found') === outcomes.length) throw new VeloxError('not-found', 'container not found')
    const okOrGone = outcomes.filter((o) => o.ok || isVeloxError(o.error, 'not-found')).length
    if (okOrGone < quorumSize(placed.writeTargets.length)) throw noQuorum('container DELETE', outcomes)
  }

  /** A container update: the object's row on every container replica that answers. */
  async putObjectRow(account: string, container: string, row: ObjectRow): Promise<number> {
    const placed = this.containerPlace(account, container)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.dbs.putObjectRow(account, container, row))
    return outcomes.filter((o) => o.ok).length
  }

  listObjects(account: string, container: string, params: ListingParams): Promise<ListingEntry<ObjectRow>[]> {
    return this.readFreshest(this.containerPlace(account, container).readTargets, account, container, (t) => t.node.dbs.listObjects(account, container, params), [])
  }

  /** Search by name (keys only) in the freshest replica, as listObjects reads. */
  matchObjectNames(account: string, container: string, m: NameMatch): Promise<NameMatchPage> {
    const none: NameMatchPage = { rows: [], scanned: 0, done: true }
    return this.readFreshest(this.containerPlace(account, container).readTargets, account, container, (t) => t.node.dbs.matchObjectNames(account, container, m), none)
  }

  // ---- accounts

  async putAccount(account: string, timestamp: string, metadata: DbMetadata = {}): Promise<{ created: boolean }> {
    const placed = this.accountPlace(account)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.dbs.putAccount(placed.partition, account, timestamp, metadata))
    const ok = this.requireQuorum('account PUT', outcomes, placed.writeTargets.length)
    return { created: ok.some((r) => r.created) }
  }

  getAccount(account: string): Promise<AccountInfo | undefined> {
    return this.readFreshest(this.accountPlace(account).readTargets, account, '', (t) => t.node.dbs.getAccount(account), undefined)
  }

  async updateAccountMetadata(account: string, metadata: DbMetadata): Promise<void> {
    const placed = this.accountPlace(account)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.dbs.updateAccountMetadata(account, metadata))
    if (countKind(outcomes, 'not-found') === outcomes.length) throw new VeloxError('not-found', 'account not found')
    this.requireQuorum('account POST', outcomes, placed.writeTargets.length)
  }

  async putContainerRow(account: string, row: ContainerRow): Promise<number> {
    const placed = this.accountPlace(account)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.dbs.putContainerRow(account, row))
    return outcomes.filter((o) => o.ok).length
  }

  listContainers(account: string, params: ListingParams): Promise<ListingEntry<ContainerRow>[]> {
    return this.readFreshest(this.accountPlace(account).readTargets, account, '', (t) => t.node.dbs.listContainers(account, params), [])
  }
}

const UNKNOWN: DbFreshness = { rows: '', lifecycle: '', metadata: '', deleted: false }

/** > 0 when `a` is fresher: newer rows first, then a newer put or delete, then newer metadata. */
function compareFreshness(a: DbFreshness, b: DbFreshness): number {
  return compareTimestamp(a.rows, b.rows) || compareTimestamp(a.lifecycle, b.lifecycle) || compareTimestamp(a.metadata, b.metadata)
}

/** Unknown ('') is oldest. */
function compareTimestamp(a: string, b: string): number {
  const ta = a ? Timestamp.tryParse(a) : undefined
  const tb = b ? Timestamp.tryParse(b) : undefined
  if (!ta || !tb) return ta ? 1 : tb ? -1 : 0
  return ta.compare(tb)
}
