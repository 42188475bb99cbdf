/**
 * The failure-domain tree (root → region → zone → ip → device) as flat typed arrays, and Swift's replica
 * plan over it: how many replicas (min/target/max) each tier should hold and how many partitions each
 * device wants (RingBuilder._build_max_replicas_by_tier, _build_weighted/_wanted/_target_replicas_by_tier,
 * _build_replica_plan, _set_parts_wanted in swift/common/ring/builder.py). Pure arithmetic: it never
 * touches the partition table — that is rebalance.ts.
 */
import { VeloxError } from '../errors.js'
import type { RingDevice } from './types.js'

/** Tiers as node indices. Node 0 is the root; a device's path lists its region, zone, ip and device nodes. */
export interface Topology {
  nodeCount: number
  /** 0 root, 1 region, 2 zone, 3 ip, 4 device */
  depth: Uint8Array
  /** children in the weighted tree (devices with weight > 0), in Swift's sorted tuple order */
  children: Int32Array[]
  /** devId * 4 + (depth − 1) → node; -1 for ids without a device */
  devPath: Int32Array
  /** device node → dev id, -1 for the other nodes */
  leafDev: Int32Array
  /** weighted devices under each node */
  numDevices: Int32Array
}

export interface ReplicaPlan {
  min: Int32Array
  max: Int32Array
  target: Float64Array
}

export function buildTopology(devs: ReadonlyArray<RingDevice | null>): Topology {
  const live = devs.filter((d): d is RingDevice => d !== null).sort(compareDevTiers)
  const keys = new Map<string, number>()
  const depth: number[] = [0]
  const childLists: number[][] = [[]]
  const leafDev: number[] = [-1]
  const devPath = new Int32Array(devs.length * 4).fill(-1)
  const nodeOf = (key: string, d: number, parent: number, weighted: boolean): number => {
    let n = keys.get(key)
    if (n === undefined) {
      n = depth.length
      keys.set(key, n)
      depth.push(d)
      childLists.push([])
      leafDev.push(-1)
    }
    if (weighted && !childLists[parent].includes(n)) childLists[parent].push(n)
    return n
  }
  for (const dev of live) {
    const w = dev.weight > 0
    const region = nodeOf(JSON.stringify([dev.region]), 1, 0, w)
    const zone = nodeOf(JSON.stringify([dev.region, dev.zone]), 2, region, w)
    const ip = nodeOf(JSON.stringify([dev.region, dev.zone, dev.ip]), 3, zone, w)
    const leaf = nodeOf(JSON.stringify([dev.region, dev.zone, dev.ip, dev.id]), 4, ip, w)
    leafDev[leaf] = dev.id
    devPath.set([region, zone, ip, leaf], dev.id * 4)
  }
  const nodeCount = depth.length
  const numDevices = new Int32Array(nodeCount)
  for (const dev of live) {
    if (!(dev.weight > 0)) continue
    numDevices[0]++
    for (let l = 0; l < 4; l++) numDevices[devPath[dev.id * 4 + l]]++
  }
  return {
    nodeCount,
    depth: Uint8Array.from(depth),
    children: childLists.map((c) => Int32Array.from(c)),
    devPath,
    leafDev: Int32Array.from(leafDev),
    numDevices,
  }
}

/** Python's ordering of (region, zone, ip, id) tuples. */
function compareDevTiers(a: RingDevice, b: RingDevice): number {
  if (a.region !== b.region) return a.region - b.region
  if (a.zone !== b.zone) return a.zone - b.zone
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1
  return a.id - b.id
}

/** _build_max_replicas_by_tier: the most replicas each tier may hold, splitting evenly down the tree. */
export function maxReplicasByTier(topo: Topology, replicas: number, bound: (x: number) => number): Float64Array {
  const out = new Float64Array(topo.nodeCount)
  const walk = (node: number, count: number): void => {
    if (topo.depth[node] === 4) count = Math.min(1, count)
    out[node] = count
    const kids = topo.children[node]
    for (const k of kids) walk(k, bound(count / kids.length))
  }
  walk(0, replicas)
  return out
}

/** _build_weighted_replicas_by_tier: replicanths by weight alone, a device capped at one replica. */
export function weightedReplicasByTier(topo: Topology, devs: ReadonlyArray<RingDevice | null>, replicas: number): Float64Array {
  const weighted = devs.filter((d): d is RingDevice => d !== null && d.weight > 0)
  const totalWeight = weighted.reduce((s, d) => s + d.weight, 0)
  if (!(totalWeight > 0)) throw new VeloxError('bad-request', 'there are no devices with weight in this ring')
  const perDev = new Map<number, number>()
  let withRoom: number[] = []
  for (const d of weighted) {
    let r = (d.weight * replicas) / totalWeight
    if (r < 1) withRoom.push(d.id)
    else r = 1
    perDev.set(d.id, r)
  }
  for (let guard = 0; ; guard++) {
    let sum = 0
    for (const v of perDev.values()) sum += v
    const remaining = replicas - sum
    if (remaining < 1e-10) break
    if (guard > 10_000) throw new VeloxError('bad-request', `cannot place ${replicas} replicas on these devices`)
    withRoom = withRoom.filter((id) => perDev.get(id)! < 1)
    const roomSum = withRoom.reduce((s, id) => s + perDev.get(id)!, 0)
    const rel = remaining / roomSum
    for (const id of withRoom) perDev.set(id, Math.min(1, perDev.get(id)! * (rel + 1)))
  }
  const out = new Float64Array(topo.nodeCount)
  for (const d of weighted) {
    const r = perDev.get(d.id)!
    out[0] += r
    for (let l = 0; l < 4; l++) out[topo.devPath[d.id * 4 + l]] += r
  }
  return out
}

/** _build_wanted_replicas_by_tier: replicanths spread as widely as the tree allows, then by weight. */
export function wantedReplicasByTier(topo: Topology, weighted: Float64Array, replicas: number): Float64Array {
  const dispersed = maxReplicasByTier(topo, replicas, (x) => x)
  const wanted = new Float64Array(topo.nodeCount)
  const place = (node: number, replicanths: number): void => {
    if (replicanths > topo.numDevices[node]) {
      throw new VeloxError('bad-request', `more replicanths (${replicanths}) than devices (${topo.numDevices[node]}) in a tier`)
    }
    wanted[node] = replicanths
    const sub = topo.children[node]
    if (sub.length === 0) return
    const toPlace = new Map<number, number>()
    let remaining = replicanths
    let spread: number[] = Array.from(sub)
    let deviceLimited = false
    for (let guard = 0; ; guard++) {
      if (guard > 10_000) throw new VeloxError('internal', 'replica plan did not converge')
      const rel = remaining / spread.reduce((s, t) => s + weighted[t], 0)
      for (const t of spread) {
        let r = (toPlace.get(t) ?? 0) + weighted[t] * rel
        const min = Math.floor(dispersed[t])
        const max = Math.ceil(dispersed[t])
        if (r < min) r = min
        else if (r > max && !deviceLimited) r = max
        if (r > topo.numDevices[t]) r = topo.numDevices[t]
        toPlace.set(t, r)
      }
      let placed = 0
      for (const v of toPlace.values()) placed += v
      remaining = replicanths - placed
      if (remaining < -1e-10) {
        spread = Array.from(sub).filter((t) => (toPlace.get(t) ?? 0) > Math.floor(dispersed[t]))
      } else if (remaining > 1e-10) {
        spread = Array.from(sub).filter((t) => {
          const p = toPlace.get(t) ?? 0
          return topo.numDevices[t] > p && p < Math.ceil(dispersed[t])
        })
        if (spread.length === 0) {
          deviceLimited = true
          spread = Array.from(sub).filter((t) => (toPlace.get(t) ?? 0) < topo.numDevices[t])
        }
      } else break
    }
    for (const t of sub) place(t, toPlace.get(t) ?? 0)
  }
  place(0, replicas)
  return wanted
}

/** _build_replica_plan (through _build_target_replicas_by_tier): wanted, pulled toward weighted unless overload allows. */
export function buildReplicaPlan(topo: Topology, devs: ReadonlyArray<RingDevice | null>, replicas: number, overload: number): ReplicaPlan {
  const weighted = weightedReplicasByTier(topo, devs, replicas)
  const wanted = wantedReplicasByTier(topo, weighted, replicas)
  let maxOverload = 0
  for (let n = 0; n < topo.nodeCount; n++) {
    if (topo.depth[n] !== 4 || topo.numDevices[n] === 0) continue
    const required = (wanted[n] - weighted[n]) / weighted[n]
    if (required > maxOverload) maxOverload = required
  }
  let target = wanted
  if (maxOverload > 0) {
    const effective = Math.min(overload, maxOverload)
    target = new Float64Array(topo.nodeCount)
    for (let n = 0; n < topo.nodeCount; n++) {
      if (n !== 0 && topo.numDevices[n] === 0) continue
      target[n] = ((wanted[n] - weighted[n]) / maxOverload) * effective + weighted[n]
    }
  }
  const plan: ReplicaPlan = { min: new Int32Array(topo.nodeCount), max: new Int32Array(topo.nodeCount), target }
  for (let n = 0; n < topo.nodeCount; n++) {
    plan.min[n] = Math.floor(target[n] + 1e-10)
    plan.max[n] = Math.ceil(target[n] - 1e-10)
  }
  return plan
}

/**
 * _set_parts_wanted's place_parts: whole partition-replica counts per tier from the plan's targets, leftovers
 * handed out round-robin from the smallest target up. Returns the count for every node.
 */
export function partsByTier(topo: Topology, plan: ReplicaPlan, parts: number, replicas: number): Float64Array {
  const out = new Float64Array(topo.nodeCount)
  const place = (node: number, count: number): void => {
    out[node] = count
    const sub = topo.children[node]
    if (sub.length === 0) return
    const toPlace = new Map<number, number>()
    for (const t of sub) {
      const n = Math.min(count, Math.floor(plan.target[t] * parts))
      toPlace.set(t, n)
      count -= n
    }
    const bySize = Array.from(sub).sort((a, b) => plan.target[a] - plan.target[b])
    for (let i = 0; count > 0; i = (i + 1) % bySize.length) {
      toPlace.set(bySize[i], toPlace.get(bySize[i])! + 1)
      count--
    }
    for (const [t, n] of toPlace) place(t, n)
  }
  place(0, Math.floor(replicas * parts))
  return out
}
