/**
 * Placement: which devices hold an account, container or object, from the three rings
 * (ring → partition → primaries, then handoffs for primaries that are down). Reads get
 * healthy primaries, then handoffs, then the suspect primaries as a last resort; writes get
 * as many targets as there are replicas, handoffs standing in for unhealthy primaries.
 */
import { VeloxError } from '../errors.js'
import type { HashPathSecrets } from '../ring/hash-path.js'
import type { Ring } from '../ring/ring.js'
import type { RingDevice } from '../ring/types.js'
import type { NodeDirectory, StorageNode } from './nodes.js'

export type RingKind = 'account' | 'container' | 'object'

export interface Target {
  dev: RingDevice
  node: StorageNode
  /** Set on a handoff standing in for a primary (read repair writes only to primaries). */
  handoff?: true
}

export interface Placed {
  partition: number
  hash: string
  /** For writes: one target per replica. */
  writeTargets: Target[]
  /** For reads, in the order to try. */
  readTargets: Target[]
}

export interface Rings {
  account: Ring
  container: Ring
  /** Policy 0's object ring (object.ring.gz). */
  object: Ring
  /** Object rings of the other storage policies, by index (object-N.ring.gz; cluster/policies.ts). */
  objectPolicies?: ReadonlyMap<number, Ring>
}

/** Every ring of a set, for walks over their devices. */
export function allRings(rings: Rings): Ring[] {
  return [rings.account, rings.container, rings.object, ...(rings.objectPolicies?.values() ?? [])]
}

export class Placement {
  constructor(
    private rings: Rings,
    readonly directory: NodeDirectory,
    readonly secrets: HashPathSecrets,
  ) {}

  /** Swaps in new rings (a new ring generation). */
  setRings(rings: Rings): void {
    this.rings = rings
  }

  /** The rings in use now, every storage policy's object ring included. */
  current(): Rings {
    return this.rings
  }

  ring(kind: RingKind): Ring {
    return this.rings[kind]
  }

  /** The object ring of a storage policy; `unavailable` when this box has none for it (Swift's 503). */
  policyRing(policy: number): Ring {
    const ring = policy === 0 ? this.rings.object : this.rings.objectPolicies?.get(policy)
    if (!ring) throw new VeloxError('unavailable', `no object ring for storage policy ${policy}`)
    return ring
  }

  /** `policy`: for objects, the storage policy whose ring places them (0 by default). */
  place(kind: RingKind, account: string, container?: string, object?: string, policy = 0): Placed {
    const ring = kind === 'object' && policy !== 0 ? this.policyRing(policy) : this.rings[kind]
    const { partition, hash, nodes } = ring.getNodes(account, container, object)
    const healthy: Target[] = []
    const suspect: Target[] = []
    for (const dev of nodes) {
      const node = this.directory.resolve(dev)
      if (!node) continue
      ;(this.directory.isHealthy(dev) ? healthy : suspect).push({ dev, node })
    }
    const missing = nodes.length - healthy.length
    const handoffs: Target[] = []
    if (missing > 0) {
      // Handoffs stand in for primaries that are down or unreachable, in Swift's order.
      const limit = nodes.length // Swift's request_node_count default: 2 × replicas in all
      for (const dev of ring.getMoreNodes(partition)) {
        if (handoffs.length >= limit) break
        const node = this.directory.resolve(dev)
        if (node && this.directory.isHealthy(dev)) handoffs.push({ dev, node, handoff: true })
      }
    }
    const writeTargets = [...healthy, ...handoffs.slice(0, missing)]
    if (writeTargets.length < nodes.length) writeTargets.push(...suspect.slice(0, nodes.length - writeTargets.length))
    return { partition, hash, writeTargets, readTargets: [...healthy, ...handoffs, ...suspect] }
  }
}

/** Swift's quorum_size: a majority of the replicas. */
export function quorumSize(replicas: number): number {
  return Math.floor(replicas / 2) + 1
}
