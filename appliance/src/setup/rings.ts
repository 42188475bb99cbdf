/**
 * The wizard's storage choice applied to the rings at finish: every ring (account,
 * container, the object ring of each storage policy) is rebuilt from its builder file with
 * only the devices the admin chose, at the replica count chosen in the disk step.
 *
 * Why a rebuild and not Swift's set_replicas plus remove_dev: setup happens before the
 * appliance has taken any user data (the Swift API answers 503 until finish), so there is
 * nothing to move and no min_part_hours to wait for. A fresh builder holding the kept
 * devices gives a balanced ring at once, where drains of the embedded default's directory
 * devices would take several min_part_hours rounds. Device ids are kept (the disks
 * registry refers to them) and the builder's id and version carry on.
 *
 * All rings are planned before any file is written, so a refused choice changes nothing.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { VeloxError } from '../errors.js'
import { RingBuilder, ringPathForBuilder } from '../ring/builder.js'

export interface StorageChoice {
  /** Ring device names to keep, or 'all' (the built-in storage: whatever the rings hold). */
  keep: string[] | 'all'
  replicas: number
}

/** The disk step's choice made real at finish (setup/rings.ts over this box's rings). */
export interface StorageApplier {
  /** Checks the choice against the rings and returns the work; throws, writing nothing, when it cannot be done. */
  plan(choice: StorageChoice): RingPlan[]
  commit(plans: RingPlan[]): Promise<void>
}

export interface RingPlan {
  name: string
  devices: string[]
  replicas: number
  /** false: the ring already is what was chosen (nothing is written). */
  changed: boolean
  builder: RingBuilder
}

/**
 * What each ring becomes. account, container and object (policy 0) get the chosen count;
 * another policy's ring keeps its own count, capped at the chosen one (a box set up for
 * one copy cannot honour a policy's three).
 */
export function planRings(swiftDir: string, ringNames: readonly string[], choice: StorageChoice): RingPlan[] {
  const replicas = choice.replicas
  if (!Number.isInteger(replicas) || replicas < 1) throw new VeloxError('bad-request', `a replica count must be a whole number ≥ 1 (was ${replicas})`)
  return ringNames.map((name) => {
    const path = join(swiftDir, `${name}.builder`)
    if (!existsSync(path)) throw new VeloxError('internal', `the ${name} ring has no builder file (${path})`)
    const old = RingBuilder.load(path)
    const usable = old.liveDevices().filter((d) => d.weight > 0 && !old.isMarkedForRemoval(d.id))
    const keep = choice.keep === 'all' ? usable : usable.filter((d) => (choice.keep as string[]).includes(d.device))
    if (choice.keep !== 'all') {
      for (const device of choice.keep) {
        if (!keep.some((d) => d.device === device)) throw new VeloxError('conflict', `disk ${device} is not in the ${name} ring: add it in the disk step first`)
      }
    }
    const own = name === 'account' || name === 'container' || name === 'object' ? replicas : Math.min(old.state.replicas, replicas)
    if (keep.length < own) throw new VeloxError('conflict', `${own} copies need at least ${own} devices; the ${name} ring would have ${keep.length}`)
    const unchanged = old.state.replicas === own && keep.length === old.liveDevices().length && old.state.replica2part2dev !== null
    if (unchanged) return { name, devices: keep.map((d) => d.device), replicas: own, changed: false, builder: old }
    const b = RingBuilder.create(old.state.partPower, own, old.state.minPartHours)
    b.state.overload = old.state.overload
    for (const d of keep) b.addDevice({ ...d })
    b.id = old.id
    b.version = old.version
    b.rebalance()
    return { name, devices: keep.map((d) => d.device), replicas: own, changed: true, builder: b }
  })
}

/** Writes the planned rings: builder first, then the ring file (as disks/ring-placement does). */
export function commitRings(swiftDir: string, plans: readonly RingPlan[]): boolean {
  let any = false
  for (const p of plans) {
    if (!p.changed) continue
    const path = join(swiftDir, `${p.name}.builder`)
    p.builder.save(path)
    p.builder.writeRing(ringPathForBuilder(path))
    any = true
  }
  return any
}
