/**
 * Account and container databases across their replicas (container and account rings).
 * Writes go to every replica and need a quorum; reads take the first replica that knows the
 * database. Container rows (object updates) and account rows (container stats) are applied
 * to every replica that answers; one that is down is caught up by replication.
 */
import { VeloxError, isVeloxError } from '../errors.js'
import type { AccountInfo, ContainerInfo, ContainerRow, DbMetadata, ListingEntry, ListingParams, ObjectRow } from '../store/types.js'
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

  /** Reads from the first replica that has an answer (undefined = "no such database" there). */
  private async readFirst<T>(targets: Target[], read: (t: Target) => Promise<T | undefined>): Promise<T | undefined> {
    let answered = 0
    for (const t of targets) {
      try {
        const v = await read(t)
        answered++
        if (v !== undefined) return v
      } catch (err) {
        if (isVeloxError(err, 'not-found')) {
          answered++
          continue
        }
        noteDeviceError(err, t, this.placement.directory)
      }
    }
    if (answered === 0 && targets.length > 0) throw new VeloxError('unavailable', 'no database replica answered')
    return undefined
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
    return this.readFirst(this.containerPlace(account, container).readTargets, (t) => t.node.dbs.getContainer(account, container))
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
    return this.readFirst(this.containerPlace(account, container).readTargets, (t) => t.node.dbs.listObjects(account, container, params)).then((r) => r ?? [])
  }

  // ---- accounts

  async putAccount(account: string, timestamp: string, metadata: DbMetadata = {}): Promise<{ created: boolean }> {
    const placed = this.accountPlace(account)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.dbs.putAccount(placed.partition, account, timestamp, metadata))
    const ok = this.requireQuorum('account PUT', outcomes, placed.writeTargets.length)
    return { created: ok.some((r) => r.created) }
  }

  getAccount(account: string): Promise<AccountInfo | undefined> {
    return this.readFirst(this.accountPlace(account).readTargets, (t) => t.node.dbs.getAccount(account))
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
    return this.readFirst(this.accountPlace(account).readTargets, (t) => t.node.dbs.listContainers(account, params)).then((r) => r ?? [])
  }
}
