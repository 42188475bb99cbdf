/**
 * Object operations across replicas: PUT streams the body to every write target at once
 * and succeeds on a quorum; GET/HEAD read the first replica that answers, falling back on
 * device errors and quarantined files; DELETE and POST go to all and need a quorum.
 */
import type { Readable } from 'node:stream'
import { VeloxError, isVeloxError } from '../errors.js'
import { fanout } from '../lib/fanout.js'
import { md5 as md5Stream } from '../lib/md5.js'
import type { DigestedBody, ObjectLocation, ObjectMetadata, ObjectPut, OpenObject } from '../store/types.js'
import { clientError, countKind, noQuorum, noteDeviceError, settle } from './outcomes.js'
import { type Placement, quorumSize } from './placement.js'

export interface ObjectRef {
  account: string
  container: string
  object: string
}

/** The storage policy of a container's objects (cluster/policies.ts ContainerPolicies.of). */
export type PolicyOf = (account: string, container: string) => Promise<number>

export class ReplicatedObjects {
  /** Without `policyOf`, every object is placed with storage policy 0. */
  constructor(
    private readonly placement: Placement,
    private readonly policyOf?: PolicyOf,
  ) {}

  private async locate(ref: ObjectRef) {
    const policy = this.policyOf ? await this.policyOf(ref.account, ref.container) : 0
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
    const source = fanout(body as AsyncIterable<Uint8Array>, targets.length, undefined, (chunk) => hash.update(chunk))
    const branches: DigestedBody[] = source.map((branch) => ({ [Symbol.asyncIterator]: () => branch[Symbol.asyncIterator](), md5 }))
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

  /** Opens the first healthy replica; `not-found` when none has it (detail.timestamp when deleted). */
  async open(ref: ObjectRef): Promise<OpenObject> {
    const { placed, loc } = await this.locate(ref)
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
