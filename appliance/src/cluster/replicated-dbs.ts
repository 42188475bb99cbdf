/**
 * Account and container databases across their replicas (container and account rings).
 * Writes go to every replica and need a quorum. Reads (info, stats, listings) ask every
 * replica at once and read from the freshest that knows the database (issue 11: a replica
 * that missed updates while unmounted must not answer for the others), as object reads serve
 * the newest replica; freshness is the newest row applied, then the newest metadata change
 * (DbFreshness), ring order breaking ties. Container rows (object updates) and account rows
 * (container stats) are applied to every replica that answers; one that is down is caught up
 * by replication.
 */
import { VeloxError, isVeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { AccountInfo, ContainerInfo, ContainerRow, DbFreshness, DbMetadata, ListingEntry, ListingParams, ObjectRow } from '../store/types.js'
import { countKind, noQuorum, noteDeviceError, settle, type Outcome } from './outcomes.js'
import { type Placement, type Target, quorumSize } from './placement.js'

export class ReplicatedDatabases {
  constructor(private readonly placement: Placement) {}

  private containerPlace(account: string, container: string) {
    return this.placement.place('container', account, container)
  }

  private accountPlace(account: string) {
    return this.placement.place('account', account)
  }

  /**
   * Asks every replica for the database's info at once; returns those that know it, freshest
   * first (undefined info = "no such database" there). `unavailable` when none answered.
   */
  private async freshest<I extends { freshness?: DbFreshness }>(targets: Target[], info: (t: Target) => Promise<I | undefined>): Promise<Array<{ target: Target; info: I }>> {
    const answers = await Promise.all(
      targets.map(async (target) => {
        try {
          return { target, answered: true, info: await info(target) }
        } catch (err) {
          if (isVeloxError(err, 'not-found')) return { target, answered: true, info: undefined }
          noteDeviceError(err, target, this.placement.directory)
          return { target, answered: false, info: undefined }
        }
      }),
    )
    if (targets.length > 0 && !answers.some((a) => a.answered)) throw new VeloxError('unavailable', 'no database replica answered')
    const known = answers.filter((a): a is { target: Target; answered: boolean; info: I } => a.info !== undefined)
    // Array.prototype.sort is stable: ring order among equally fresh replicas.
    return known.sort((a, b) => compareFreshness(b.info.freshness, a.info.freshness)).map(({ target, info }) => ({ target, info }))
  }

  /** The info of the freshest replica that knows the database. */
  private async readFreshest<I extends { freshness?: DbFreshness }>(targets: Target[], info: (t: Target) => Promise<I | undefined>): Promise<I | undefined> {
    const [first] = await this.freshest(targets, info)
    if (!first) return undefined
    const { freshness: _f, ...rest } = first.info
    return rest as I
  }

  /** A listing from the freshest replica; the next freshest when it fails meanwhile. */
  private async listFreshest<I extends { freshness?: DbFreshness }, R>(targets: Target[], info: (t: Target) => Promise<I | undefined>, list: (t: Target) => Promise<R[]>): Promise<R[]> {
    const ranked = await this.freshest(targets, info)
    let lastError: unknown
    for (const { target } of ranked) {
      try {
        return await list(target)
      } catch (err) {
        if (isVeloxError(err, 'not-found')) return []
        noteDeviceError(err, target, this.placement.directory)
        lastError = err
      }
    }
    if (lastError) throw new VeloxError('unavailable', 'no database replica answered the listing')
    return []
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
    return this.readFreshest(this.containerPlace(account, container).readTargets, (t) => t.node.dbs.getContainer(account, container))
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
    return this.listFreshest(
      this.containerPlace(account, container).readTargets,
      (t) => t.node.dbs.getContainer(account, container),
      (t) => t.node.dbs.listObjects(account, container, params),
    )
  }

  // ---- accounts

  async putAccount(account: string, timestamp: string, metadata: DbMetadata = {}): Promise<{ created: boolean }> {
    const placed = this.accountPlace(account)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.dbs.putAccount(placed.partition, account, timestamp, metadata))
    const ok = this.requireQuorum('account PUT', outcomes, placed.writeTargets.length)
    return { created: ok.some((r) => r.created) }
  }

  getAccount(account: string): Promise<AccountInfo | undefined> {
    return this.readFreshest(this.accountPlace(account).readTargets, (t) => t.node.dbs.getAccount(account))
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
    return this.listFreshest(
      this.accountPlace(account).readTargets,
      (t) => t.node.dbs.getAccount(account),
      (t) => t.node.dbs.listContainers(account, params),
    )
  }
}

/** > 0 when `a` is fresher: newer rows first, then newer metadata; unknown is oldest. */
function compareFreshness(a: DbFreshness | undefined, b: DbFreshness | undefined): number {
  return compareTimestamp(a?.rows, b?.rows) || compareTimestamp(a?.metadata, b?.metadata)
}

function compareTimestamp(a: string | undefined, b: string | undefined): number {
  const ta = a ? Timestamp.tryParse(a) : undefined
  const tb = b ? Timestamp.tryParse(b) : undefined
  if (!ta || !tb) return ta ? 1 : tb ? -1 : 0
  return ta.compare(tb)
}
