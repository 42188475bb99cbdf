/**
 * Object operations across replicas: PUT streams the body to every write target at once
 * and succeeds on a quorum; GET/HEAD ask every replica at once and answer from the newest
 * (data, tombstone or .meta by timestamp), repairing older ones in the background, and check
 * small bodies before they are sent (verified-object.ts); DELETE and POST go to all and need
 * a quorum.
 */
import type { Readable } from 'node:stream'
import { VeloxError, isVeloxError } from '../errors.js'
import { fanout } from '../lib/fanout.js'
import { BlockCrc } from '../lib/block-crc.js'
import { md5 as md5Stream } from '../lib/md5.js'
import type { DigestedBody, ObjectLocation, ObjectMetadata, ObjectPut, OpenObject } from '../store/types.js'
import { clientError, countKind, noQuorum, noteDeviceError, settle } from './outcomes.js'
import { type Placed, type Placement, quorumSize } from './placement.js'
import { ReadRepair, type NewestState, type RepairLog } from './read-repair.js'
import { askReplicas, closeAnswers, newestFirst, openReplica, staleReplicas, type ReplicaAnswer } from './replica-answers.js'
import { FailoverObject, VerifiedObject } from './verified-object.js'

export interface ObjectRef {
  account: string
  container: string
  object: string
}

/** The storage policy of a container's objects (cluster/policies.ts ContainerPolicies.of). */
export type PolicyOf = (account: string, container: string) => Promise<number>

export interface ReadOptions {
  /** Ask every replica and serve the newest (default); false: the first that answers, as
   *  Swift's proxy does (kept to measure what the newest-replica read costs). */
  newestReplica?: boolean
  /** Bodies up to this size are checked before their first byte is sent (0: never). */
  verifyMaxBytes?: number
  log?: RepairLog
  /** The storage policy of a container's objects; policy 0 for all when left out. */
  policyOf?: PolicyOf
}

export const DEFAULT_VERIFY_MAX_BYTES = 4 * 1024 * 1024

export class ReplicatedObjects {
  readonly repair: ReadRepair
  private readonly newestReplica: boolean
  private readonly verifyMaxBytes: number
  private readonly policyOf?: PolicyOf

  constructor(
    private readonly placement: Placement,
    opts: ReadOptions = {},
  ) {
    this.newestReplica = opts.newestReplica ?? true
    this.verifyMaxBytes = opts.verifyMaxBytes ?? DEFAULT_VERIFY_MAX_BYTES
    this.repair = new ReadRepair(opts.log)
    this.policyOf = opts.policyOf
  }

  private async locate(ref: ObjectRef) {
    return this.locateIn(ref, this.policyOf ? await this.policyOf(ref.account, ref.container) : 0)
  }

  private locateIn(ref: ObjectRef, policy: number) {
    const placed = this.placement.place('object', ref.account, ref.container, ref.object, policy)
    const loc: ObjectLocation = { partition: placed.partition, hash: placed.hash, name: `/${ref.account}/${ref.container}/${ref.object}` }
    if (policy !== 0) loc.policy = policy
    return { placed, loc, quorum: quorumSize(placed.writeTargets.length || 1) }
  }

  async put(ref: ObjectRef, put: ObjectPut, body: AsyncIterable<Uint8Array> | Readable): Promise<ObjectMetadata> {
    const { placed, loc, quorum } = await this.locate(ref)
    const targets = placed.writeTargets
    if (targets.length < quorum) throw new VeloxError('unavailable', `object PUT: only ${targets.length} devices reachable`)
    // The MD5 is computed once, as the source is read; every replica writes those same buffers.
    const hash = md5Stream()
    const md5 = () => hash.digest()
    // …and so are the block CRCs (lib/block-crc.ts).
    const crcs = new BlockCrc()
    const blockCrc32 = () => crcs.digest()
    const source = fanout(body as AsyncIterable<Uint8Array>, targets.length, undefined, (chunk) => {
      crcs.update(chunk)
      hash.update(chunk)
    })
    const branches: DigestedBody[] = source.map((branch) => ({ [Symbol.asyncIterator]: () => branch[Symbol.asyncIterator](), md5, blockCrc32 }))
    let outcomes
    try {
      outcomes = await settle(targets, this.placement.directory, async (t) => {
        const i = targets.indexOf(t)
        try {
          // The first write target is the first read target (placement.ts): it keeps its pages.
          return await t.node.objects.put(loc, i === 0 ? put : { ...put, dropCache: true }, branches[i])
        } finally {
          await branches[i][Symbol.asyncIterator]().return?.()
        }
      })
    } finally {
      hash.dispose()
    }
    const ok = outcomes.filter((o) => o.ok)
    if (ok.length >= quorum) return (ok[0] as { value: ObjectMetadata }).value
    const client = clientError(outcomes)
    if (client) throw client
    if (countKind(outcomes, 'conflict') >= quorum) throw new VeloxError('conflict', 'a newer version exists')
    throw noQuorum('object PUT', outcomes)
  }

  /** Opens the newest replica; `not-found` when none has it (detail.timestamp when deleted). */
  async open(ref: ObjectRef): Promise<OpenObject> {
    const o = await this.openNewest(ref)
    if (o.meta.size > this.verifyMaxBytes) return new FailoverObject(o, () => this.openNewest(ref))
    return new VerifiedObject(o, () => this.openNewest(ref))
  }

  private async openNewest(ref: ObjectRef): Promise<OpenObject> {
    const { placed, loc } = await this.locate(ref)
    if (!this.newestReplica) return this.openFirst(placed, loc)
    const answers = await askReplicas(placed.readTargets, loc, this.placement.directory)
    let served: OpenObject | undefined
    try {
      // Each pass either serves an opened replica or opens a listed one in its answer's place
      // (which may turn out gone or quarantined meanwhile): at most one pass per replica more.
      for (;;) {
        const [newest] = newestFirst(answers)
        if (newest?.kind === 'data' && !newest.object) {
          answers[answers.indexOf(newest)] = await openReplica(newest.target, loc, this.placement.directory)
          continue
        }
        if (newest?.kind === 'data' || newest?.kind === 'tombstone') this.repairStale(loc, answers, newest)
        if (newest?.kind === 'data') return (served = newest.object as OpenObject)
        if (newest?.kind === 'tombstone') throw new VeloxError('not-found', 'object not found', { timestamp: newest.timestamp })
        if (answers.some((a) => a.kind === 'absent') || answers.length === 0) throw new VeloxError('not-found', 'object not found')
        throw new VeloxError('unavailable', `object GET: ${answers.length} replicas failed`)
      }
    } finally {
      await closeAnswers(answers.filter((a) => a.kind !== 'data' || a.object !== served))
    }
  }

  /**
   * Brings every primary replica of an object up to the newest one now, as a read would (the
   * same asking and read repair, without a client): for a replica the auditor has quarantined
   * (issue 11 item 10), which must not wait for the next read. `name` is "/account/container/object".
   */
  async repairReplicas(name: string, policy = 0): Promise<void> {
    const m = /^\/([^/]+)\/([^/]+)\/(.+)$/s.exec(name)
    if (!m) throw new VeloxError('bad-request', `not an object name: ${name}`)
    const { placed, loc } = this.locateIn({ account: m[1], container: m[2], object: m[3] }, policy)
    const answers = await askReplicas(placed.readTargets, loc, this.placement.directory)
    try {
      const [newest] = newestFirst(answers)
      if (newest?.kind === 'data' || newest?.kind === 'tombstone') this.repairStale(loc, answers, newest)
    } finally {
      await closeAnswers(answers)
    }
  }

  private repairStale(loc: ObjectLocation, answers: ReplicaAnswer[], newest: ReplicaAnswer & { kind: 'data' | 'tombstone' }): void {
    const stale = staleReplicas(answers, newest)
    if (stale.length === 0) return
    const state: NewestState =
      newest.kind === 'tombstone'
        ? { kind: 'tombstone', timestamp: newest.timestamp }
        : { kind: 'data', timestamp: newest.timestamp, metaTimestamp: newest.metaTimestamp, source: newest.target }
    this.repair.schedule(loc, state, stale)
  }

  /** The first healthy replica that answers (Swift's proxy; `newestReplica: false`). */
  private async openFirst(placed: Placed, loc: ObjectLocation): Promise<OpenObject> {
    let notFound = 0
    let tombstone: string | undefined
    let errors = 0
    for (const t of placed.readTargets) {
      try {
        const o = await t.node.objects.open(loc)
        this.placement.directory.markOk(t.dev)
        return o
      } catch (err) {
        if (isVeloxError(err, 'not-found')) {
          notFound++
          const ts = err.detail?.timestamp
          if (typeof ts === 'string' && (!tombstone || ts > tombstone)) tombstone = ts
          continue
        }
        errors++
        noteDeviceError(err, t, this.placement.directory)
      }
    }
    if (notFound > 0 || placed.readTargets.length === 0) {
      throw new VeloxError('not-found', 'object not found', tombstone ? { timestamp: tombstone } : undefined)
    }
    throw new VeloxError('unavailable', `object GET: ${errors} replicas failed`)
  }

  /** Writes tombstones; returns whether any replica held a live version. */
  async delete(ref: ObjectRef, timestamp: string): Promise<{ existed: boolean; previous?: ObjectMetadata }> {
    const { placed, loc, quorum } = await this.locate(ref)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.objects.delete(loc, timestamp))
    const ok = outcomes.filter((o) => o.ok) as Array<{ value: ObjectMetadata | undefined }>
    if (ok.length + countKind(outcomes, 'conflict') < quorum) throw noQuorum('object DELETE', outcomes)
    const previous = ok.map((o) => o.value).find((v) => v !== undefined)
    return { existed: previous !== undefined, previous }
  }

  async post(ref: ObjectRef, timestamp: string, headers: Record<string, string>): Promise<void> {
    const { placed, loc, quorum } = await this.locate(ref)
    const outcomes = await settle(placed.writeTargets, this.placement.directory, (t) => t.node.objects.post(loc, timestamp, headers))
    if (outcomes.filter((o) => o.ok).length >= quorum) return
    const nf = countKind(outcomes, 'not-found')
    if (nf > 0 && nf + outcomes.filter((o) => o.ok).length === outcomes.length) {
      if (outcomes.some((o) => o.ok)) return
      throw new VeloxError('not-found', 'object not found')
    }
    throw noQuorum('object POST', outcomes)
  }
}
