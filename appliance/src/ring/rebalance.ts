/**
 * The rebalance: Swift's RingBuilder.rebalance (swift/common/ring/builder.py) over typed arrays.
 * Gathers partition-replicas that must move (replica-count change, removed devices, undispersed replicas,
 * overweight devices), shuffles them and places each on the roomiest tier the replica plan allows,
 * walking region → zone → ip → device. A partition moves at most one replica per rebalance, and not at all
 * within min_part_hours of its last move (except off removed devices). It mutates the BuilderState given
 * to it and nothing else; device bookkeeping and persistence belong to builder.ts.
 */
import { VeloxError } from '../errors.js'
import { buildReplicaPlan, buildTopology, maxReplicasByTier, partsByTier, type ReplicaPlan, type Topology } from './replica-plan.js'
import { NONE_DEV, type RingDevice } from './types.js'
import { seededRandom } from '../lib/random.js'

/** The builder's state that a rebalance reads and rewrites (Swift's RingBuilder attributes). */
export interface BuilderState {
  partPower: number
  replicas: number
  minPartHours: number
  overload: number
  devs: (RingDevice | null)[]
  /** null until the first rebalance */
  replica2part2dev: Uint16Array[] | null
  /** hours since each partition last moved, saturating at 255 (Swift's _last_part_moves) */
  lastPartMoves: Uint8Array
  /** seconds since the epoch that lastPartMoves is relative to */
  lastPartMovesEpoch: number
  lastPartGatherStart: number
  /** devices marked for removal at the next rebalance */
  removeDevs: number[]
}

export interface RebalanceOptions {
  seed?: number
  /** seconds since the epoch; tests pass a fake clock */
  nowSec?: number
}

export interface RebalanceResult {
  /** partition-replicas whose device changed (Swift's changed_parts) */
  changedParts: number
  removedDevs: number
  /** parts that the plan could not finish within MAX_BALANCE_GATHER_COUNT rounds leave devices overweight */
  finished: boolean
}

const MAX_BALANCE_GATHER_COUNT = 3
const MAX_REPLICA_ROWS = 32

export function rebalance(state: BuilderState, opts: RebalanceOptions = {}): RebalanceResult {
  const weightedDevs = state.devs.filter((d) => d && d.weight > 0).length
  if (weightedDevs < state.replicas) {
    throw new VeloxError('bad-request', `replica count of ${state.replicas} requires more than ${weightedDevs} devices`)
  }
  if (Math.ceil(state.replicas) > MAX_REPLICA_ROWS) throw new VeloxError('bad-request', `at most ${MAX_REPLICA_ROWS} replicas`)
  const old = state.replica2part2dev ? state.replica2part2dev.map((r) => r.slice()) : []
  const run = new Rebalance(state, opts.seed ?? (Math.random() * 2 ** 32) >>> 0)
  run.updateLastPartMoves(opts.nowSec ?? Date.now() / 1000)
  const result = run.execute()
  return { ...result, changedParts: countChangedParts(old, state.replica2part2dev!) }
}

function countChangedParts(old: Uint16Array[], now: Uint16Array[]): number {
  let changed = 0
  for (let r = 0; r < now.length; r++) {
    const a = old[r]
    const b = now[r]
    for (let p = 0; p < b.length; p++) if (!a || p >= a.length || a[p] !== b[p]) changed++
  }
  return changed
}

class Rebalance {
  private readonly parts: number
  private readonly random: () => number
  private topo!: Topology
  private plan!: ReplicaPlan
  private rows!: Uint16Array[]
  private partsOn!: Int32Array
  private partsWanted!: Int32Array
  private readonly moved: Uint8Array
  /** replicas of the partition under consideration per tier node; reset through `touched` */
  private counts!: Int32Array
  private touched = new Int32Array(MAX_REPLICA_ROWS * 4)
  private touchedLen = 0
  private readonly pendingMask: Uint32Array
  private readonly pendingList: Int32Array
  private pendingLen = 0

  constructor(
    private readonly s: BuilderState,
    seed: number,
  ) {
    this.parts = 2 ** s.partPower
    this.random = seededRandom(seed)
    this.moved = new Uint8Array(this.parts)
    this.pendingMask = new Uint32Array(this.parts)
    this.pendingList = new Int32Array(this.parts)
  }

  /** _update_last_part_moves: age every partition by the whole hours since the last rebalance. */
  updateLastPartMoves(nowSec: number): void {
    const elapsedHours = Math.floor(Math.floor(nowSec - this.s.lastPartMovesEpoch) / 3600)
    if (elapsedHours <= 0) return
    const lpm = this.s.lastPartMoves
    for (let p = 0; p < lpm.length; p++) lpm[p] = Math.min(lpm[p] + elapsedHours, 0xff)
    this.s.lastPartMovesEpoch = Math.floor(nowSec)
  }

  execute(): Omit<RebalanceResult, 'changedParts'> {
    const s = this.s
    this.topo = buildTopology(s.devs)
    this.plan = buildReplicaPlan(this.topo, s.devs, s.replicas, s.overload)
    this.counts = new Int32Array(this.topo.nodeCount)
    this.adjustReplicaRows()
    this.countParts()
    this.setPartsWanted()
    const removedDevs = this.gatherFromRemovedDevices()
    this.gatherForDispersion()
    let finished = false
    for (let round = 0; round < MAX_BALANCE_GATHER_COUNT; round++) {
      this.gatherForBalance(round === 0)
      if (this.pendingLen === 0) break
      this.shufflePending()
      this.reassignPending()
      if (!this.partsWanted.some((w, id) => w < 0 && s.devs[id] !== null)) {
        finished = true
        break
      }
    }
    return { removedDevs, finished }
  }

  private canMove(part: number): boolean {
    return this.s.lastPartMoves[part] >= this.s.minPartHours && !this.moved[part]
  }

  private setMoved(part: number): void {
    this.s.lastPartMoves[part] = 0
    this.moved[part] = 1
  }

  private addPending(part: number, replica: number): void {
    if (this.pendingMask[part] === 0) this.pendingList[this.pendingLen++] = part
    this.pendingMask[part] |= 1 << replica
  }

  /** Take a replica off its device and queue it for placement. */
  private gather(part: number, replica: number, dev: number): void {
    this.partsWanted[dev]++
    this.partsOn[dev]--
    this.rows[replica][part] = NONE_DEV
    this.addPending(part, replica)
    this.setMoved(part)
  }

  /** _adjust_replica2part2dev_size: one full row per whole replica, a partial row for the fraction. */
  private adjustReplicaRows(): void {
    const s = this.s
    const whole = Math.floor(s.replicas)
    const fraction = s.replicas - whole
    const lengths = new Array<number>(whole).fill(this.parts)
    if (fraction > 0) lengths.push(Math.floor(this.parts * fraction))
    const rows = (s.replica2part2dev ?? []).slice(0, lengths.length)
    lengths.forEach((len, r) => {
      const row = rows[r]
      if (row && row.length === len) return
      const next = new Uint16Array(len).fill(NONE_DEV)
      if (row) next.set(row.subarray(0, Math.min(len, row.length)))
      for (let p = row ? row.length : 0; p < len; p++) this.addPending(p, r)
      rows[r] = next
    })
    s.replica2part2dev = rows
    this.rows = rows
  }

  private countParts(): void {
    this.partsOn = new Int32Array(this.s.devs.length)
    for (const row of this.rows) for (let p = 0; p < row.length; p++) if (row[p] !== NONE_DEV) this.partsOn[row[p]]++
  }

  /** _set_parts_wanted: what each device should hold minus what it holds; devices without weight drain. */
  private setPartsWanted(): void {
    const want = partsByTier(this.topo, this.plan, this.parts, this.s.replicas)
    this.partsWanted = new Int32Array(this.s.devs.length)
    for (const d of this.s.devs) {
      if (!d) continue
      this.partsWanted[d.id] = d.weight > 0 ? want[this.topo.devPath[d.id * 4 + 3]] - this.partsOn[d.id] : -this.parts * this.s.replicas
    }
  }

  /** _gather_parts_from_failed_devices: every replica on a removed device moves, min_part_hours or not. */
  private gatherFromRemovedDevices(): number {
    const s = this.s
    const removing = new Uint8Array(s.devs.length)
    for (const id of s.removeDevs) removing[id] = 1
    if (s.removeDevs.length) {
      this.rows.forEach((row, r) => {
        for (let p = 0; p < row.length; p++) if (row[p] !== NONE_DEV && removing[row[p]]) this.gather(p, r, row[p])
      })
    }
    const removed = s.removeDevs.length
    for (const id of s.removeDevs) s.devs[id] = null
    s.removeDevs = []
    return removed
  }

  /** Count the replicas of `part` per tier into this.counts. */
  private countTiers(part: number): void {
    const path = this.topo.devPath
    const counts = this.counts
    const rows = this.rows
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]
      if (part >= row.length || row[part] === NONE_DEV) continue
      const base = row[part] * 4
      for (let l = 0; l < 4; l++) {
        const n = path[base + l]
        if (counts[n]++ === 0) this.touched[this.touchedLen++] = n
      }
    }
  }

  private clearTiers(): void {
    for (let i = 0; i < this.touchedLen; i++) this.counts[this.touched[i]] = 0
    this.touchedLen = 0
  }

  private uncount(dev: number, perTier?: Int32Array): void {
    const path = this.topo.devPath
    for (let l = 0; l < 4; l++) {
      const n = path[dev * 4 + l]
      this.counts[n]--
      if (perTier) perTier[n]--
    }
  }

  private hasOverweightReplica(part: number): boolean {
    for (const row of this.rows) if (part < row.length && row[part] !== NONE_DEV && this.partsWanted[row[part]] < 0) return true
    return false
  }

  /** Replicas of `part` on devices with partsWanted < 0, most overweight first (stable, as Python's sort). */
  private overweightReplicas(part: number): number[] {
    const out: number[] = []
    this.rows.forEach((row, r) => {
      if (part < row.length && row[part] !== NONE_DEV && this.partsWanted[row[part]] < 0) out.push(r)
    })
    return out.sort((a, b) => this.partsWanted[this.rows[a][part]] - this.partsWanted[this.rows[b][part]])
  }

  /** _gather_parts_for_dispersion: replicas sitting in a tier that holds more than the plan's max. */
  private gatherForDispersion(): void {
    const { devPath } = this.topo
    const max = this.plan.max
    const counts = this.counts
    for (let part = 0; part < this.parts; part++) {
      if (!this.canMove(part)) continue
      this.countTiers(part)
      let crowded = false
      for (let i = 0; i < this.touchedLen && !crowded; i++) crowded = counts[this.touched[i]] > max[this.touched[i]]
      if (crowded) {
        const undispersed: number[] = []
        this.rows.forEach((row, r) => {
          if (part >= row.length || row[part] === NONE_DEV) return
          const base = row[part] * 4
          for (let l = 0; l < 4; l++) {
            const n = devPath[base + l]
            if (counts[n] > max[n]) return void undispersed.push(r)
          }
        })
        undispersed.sort((a, b) => this.partsWanted[this.rows[a][part]] - this.partsWanted[this.rows[b][part]])
        for (const r of undispersed) {
          const dev = this.rows[r][part]
          // Only a second replica on the very same device may move twice in one rebalance.
          if (!this.canMove(part) && !(counts[devPath[dev * 4 + 3]] > 1)) continue
          this.uncount(dev)
          this.gather(part, r, dev)
        }
      }
      this.clearTiers()
    }
  }

  /** _gather_parts_for_balance: from a random start half a ring away from the last one. */
  private gatherForBalance(disperseFirst: boolean): void {
    const quarter = Math.floor(this.parts / 4)
    const randomHalf = Math.floor(this.random() * (Math.floor(this.parts / 2) + 1))
    const start = (this.s.lastPartGatherStart + quarter + randomHalf) % this.parts
    this.s.lastPartGatherStart = start
    if (disperseFirst) this.gatherForBalanceCanDisperse(start)
    this.gatherForBalanceForced(start)
  }

  /** _gather_parts_for_balance_can_disperse: shed from overweight devices where the plan and weights allow. */
  private gatherForBalanceCanDisperse(start: number): void {
    const { devPath, children, depth } = this.topo
    const { min, max } = this.plan
    const wantedInTier = new Int32Array(this.topo.nodeCount)
    for (const d of this.s.devs) {
      if (!d) continue
      const w = Math.max(this.partsWanted[d.id], 0)
      for (let l = 0; l < 4; l++) wantedInTier[devPath[d.id * 4 + l]] += w
    }
    for (let off = 0; off < this.parts; off++) {
      const part = (start + off) % this.parts
      if (!this.canMove(part) || !this.hasOverweightReplica(part)) continue
      const over = this.overweightReplicas(part)
      this.countTiers(part)
      for (const r of over) {
        const dev = this.rows[r][part]
        const base = dev * 4
        let stuck = false
        for (let l = 0; l < 4 && !stuck; l++) {
          const n = devPath[base + l]
          stuck = min[n] <= this.counts[n] && this.counts[n] < max[n]
        }
        if (stuck) continue
        let t = devPath[base]
        for (let l = 3; l >= 0; l--) {
          t = devPath[base + l]
          if (this.counts[t] - 1 < min[t]) break
        }
        let room = 0
        for (const c of children[t]) if (devPath[base + depth[c] - 1] !== c) room += wantedInTier[c]
        if (room <= 0) continue
        this.uncount(dev, wantedInTier)
        this.gather(part, r, dev)
        break
      }
      this.clearTiers()
    }
  }

  /** _gather_parts_for_balance_forced: the most overweight replica of each movable partition, no questions. */
  private gatherForBalanceForced(start: number): void {
    for (let off = 0; off < this.parts; off++) {
      const part = (start + off) % this.parts
      if (!this.canMove(part)) continue
      let best = -1
      for (let r = 0; r < this.rows.length; r++) {
        const row = this.rows[r]
        if (part >= row.length || row[part] === NONE_DEV || this.partsWanted[row[part]] >= 0) continue
        if (best < 0 || this.partsWanted[row[part]] < this.partsWanted[this.rows[best][part]]) best = r
      }
      if (best >= 0) this.gather(part, best, this.rows[best][part])
    }
  }

  private shufflePending(): void {
    const list = this.pendingList
    for (let i = this.pendingLen - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1))
      const t = list[i]
      list[i] = list[j]
      list[j] = t
    }
  }

  /** _reassign_parts: walk down from the root to the roomiest child below the plan's max, at every tier. */
  private reassignPending(): void {
    const { devPath, children, leafDev } = this.topo
    const max = this.plan.max
    const counts = this.counts
    const rows = this.rows
    const available = new Int32Array(this.topo.nodeCount)
    for (const d of this.s.devs) {
      if (!d) continue
      const w = Math.max(this.partsWanted[d.id], 0)
      for (let l = 0; l < 4; l++) available[devPath[d.id * 4 + l]] += w
    }
    // children as one flat list: node n's children are kidList[kidStart[n] .. kidStart[n + 1])
    const kids = this.sortedChildren(children)
    const kidStart = new Int32Array(kids.length + 1)
    kids.forEach((k, n) => (kidStart[n + 1] = kidStart[n] + k.length))
    const kidList = new Int32Array(kidStart[kids.length])
    kids.forEach((k, n) => kidList.set(k, kidStart[n]))
    for (let i = 0; i < this.pendingLen; i++) {
      const part = this.pendingList[i]
      let mask = this.pendingMask[part]
      this.pendingMask[part] = 0
      this.s.lastPartMoves[part] = 0
      this.countTiers(part)
      for (let r = 0; mask !== 0; r++, mask >>>= 1) {
        if (!(mask & 1)) continue
        let node = 0
        for (let d = 1; d <= 4; d++) {
          let best = -1
          let bestAvail = 0
          for (let k = kidStart[node], end = kidStart[node + 1]; k < end; k++) {
            const c = kidList[k]
            if (counts[c] < max[c] && (best < 0 || available[c] > bestAvail)) {
              best = c
              bestAvail = available[c]
            }
          }
          if (best < 0) throw new VeloxError('internal', `no home for partition ${part} replica ${r}`)
          node = best
        }
        const dev = leafDev[node]
        this.partsWanted[dev]--
        this.partsOn[dev]++
        for (let l = 0; l < 4; l++) {
          const n = devPath[dev * 4 + l]
          available[n]--
          if (counts[n]++ === 0) this.touched[this.touchedLen++] = n
        }
        rows[r][part] = dev
      }
      this.clearTiers()
    }
    this.pendingLen = 0
  }

  /** Children ordered by the sort key (parts wanted, random, id) of their last device, as Swift's tier2children. */
  private sortedChildren(children: Int32Array[]): Int32Array[] {
    const devs = this.s.devs.filter((d): d is RingDevice => d !== null && d.weight > 0)
    const keyed = devs.map((d) => ({ id: d.id, w: this.partsWanted[d.id], r: Math.floor(this.random() * 0x10000) }))
    keyed.sort((a, b) => a.w - b.w || a.r - b.r || a.id - b.id)
    const rank = new Int32Array(this.topo.nodeCount).fill(-1)
    keyed.forEach((k, i) => {
      for (let l = 0; l < 4; l++) rank[this.topo.devPath[k.id * 4 + l]] = i
    })
    return children.map((c) => Int32Array.from(c).sort((a, b) => rank[a] - rank[b]))
  }
}

/** Dispersion as Swift defines it: % of partition-replicas above the max their tiers may hold, worst tier per part. */
export function computeDispersion(devs: ReadonlyArray<RingDevice | null>, rows: readonly Uint16Array[], replicas: number): number {
  const topo = buildTopology(devs)
  const allowed = maxReplicasByTier(topo, replicas, Math.ceil)
  const counts = new Int32Array(topo.nodeCount)
  const touched = new Int32Array(rows.length * 4)
  const risk = new Int32Array(5)
  const parts = rows.length ? rows[0].length : 0
  let atRisk = 0
  for (let p = 0; p < parts; p++) {
    let nTouched = 0
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]
      if (p >= row.length || row[p] === NONE_DEV) continue
      const base = row[p] * 4
      for (let l = 0; l < 4; l++) {
        const n = topo.devPath[base + l]
        if (counts[n]++ === 0) touched[nTouched++] = n
      }
    }
    risk.fill(0)
    let worst = 0
    for (let i = 0; i < nTouched; i++) {
      const n = touched[i]
      if (counts[n] > allowed[n]) {
        const d = topo.depth[n]
        risk[d] += counts[n] - allowed[n]
        if (risk[d] > worst) worst = risk[d]
      }
      counts[n] = 0
    }
    atRisk += worst
  }
  return parts ? (100 * atRisk) / (parts * replicas) : 0
}
