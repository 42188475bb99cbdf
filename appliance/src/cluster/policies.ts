/**
 * Storage policies in the cluster: which object ring a policy uses (Swift's names:
 * object.ring.gz for policy 0, object-N.ring.gz for policy N), lookups by name and index,
 * and which policy a container's objects live in (the container database's
 * storage_policy_index, cached briefly as Swift's proxy caches container info).
 * Owns no rule about containers (swift/containers.ts decides X-Storage-Policy).
 */
import type { StoragePolicyConfig } from '../config/index.js'
import type { DeviceClass } from '../config/policies.js'
import type { ReplicatedDatabases } from './replicated-dbs.js'

export interface StoragePolicy {
  index: number
  name: string
  aliases: string[]
  isDefault: boolean
  /** Replicas of its object ring when the embedded default creates it. */
  replicas: number
  /** Only disks of this class join its object ring; absent: every disk. */
  deviceClass?: DeviceClass
}

/**
 * Whether a disk of the given media (disks/discovery.ts: hdd, ssd, nvme, virtual; undefined
 * when not known) joins the object ring of a policy of this class: a class-less policy takes
 * every disk, `ssd` takes SSDs and NVMe drives, `nvme` and `hdd` only their own kind.
 */
export function policyTakesDisk(deviceClass: DeviceClass | undefined, media: string | undefined): boolean {
  if (deviceClass === undefined) return true
  if (deviceClass === 'ssd') return media === 'ssd' || media === 'nvme'
  return media === deviceClass
}

/** The object ring's file name (without .ring.gz / .builder) for a policy index. */
export function objectRingName(index: number): string {
  return index === 0 ? 'object' : `object-${index}`
}

export class StoragePolicies {
  readonly all: readonly StoragePolicy[]
  readonly default: StoragePolicy
  private readonly byLowerName = new Map<string, StoragePolicy>()

  /** `defaultReplicas`: the policy-0 replica count when the config leaves it out. */
  constructor(configured: readonly StoragePolicyConfig[], defaultReplicas: number) {
    this.all = [...configured]
      .sort((a, b) => a.index - b.index)
      .map((p) => ({
        index: p.index,
        name: p.name,
        aliases: [p.name, ...(p.aliases ?? []).filter((a) => a.toLowerCase() !== p.name.toLowerCase())],
        isDefault: false,
        replicas: p.replicas ?? defaultReplicas,
        ...(p.deviceClass ? { deviceClass: p.deviceClass } : {}),
      }))
    const chosen = configured.find((p) => p.default)?.index ?? 0
    this.default = this.all.find((p) => p.index === chosen) ?? this.all[0]
    this.default.isDefault = true
    for (const p of this.all) for (const n of p.aliases) this.byLowerName.set(n.toLowerCase(), p)
  }

  /** A single policy of index 0 and the given replicas (tests, tools). */
  static single(replicas: number): StoragePolicies {
    return new StoragePolicies([{ index: 0, name: 'Policy-0', default: true }], replicas)
  }

  byName(name: string): StoragePolicy | undefined {
    return this.byLowerName.get(name.toLowerCase())
  }

  byIndex(index: number): StoragePolicy | undefined {
    return this.all.find((p) => p.index === index)
  }

  /** /info's `policies`, as Swift's get_policy_string lists them. */
  info(): Array<Record<string, unknown>> {
    return this.all.map((p) => ({ name: p.name, aliases: p.aliases.join(', '), ...(p.isDefault ? { default: true } : {}) }))
  }
}

/** "\0<kind>\0<container>" → "<container>": a name in Swift's reserved namespace derived from a container. */
export function derivedFrom(container: string): string | undefined {
  const m = /^\0[^\0]+\0([^\0]+)$/.exec(container)
  return m?.[1]
}

const CACHE_TTL_MS = 10_000
const CACHE_MAX = 10_000

/**
 * The policy a container's objects are placed with. A container's policy never changes while
 * it exists, so the answer is kept for a few seconds (Swift's proxy keeps container info in
 * memcache for recheck_container_existence, 60 s); this box forgets it at once when it
 * creates or deletes the container.
 */
export class ContainerPolicies {
  private readonly cache = new Map<string, { index: number; until: number }>()

  constructor(
    private readonly dbs: ReplicatedDatabases,
    private readonly policies: StoragePolicies,
    private readonly now: () => number = Date.now,
  ) {}

  async of(account: string, container: string): Promise<number> {
    if (this.policies.all.length === 1) return this.policies.all[0].index
    const key = `${account}/${container}`
    const hit = this.cache.get(key)
    if (hit && hit.until > this.now()) return hit.index
    const info = await this.dbs.getContainer(account, container)
    if (!info) {
      // A derived container with no database of its own (thumbnails' "\0thumbnails\0<c>")
      // keeps its objects under the policy of the container it derives from.
      const source = derivedFrom(container)
      return source === undefined ? this.policies.default.index : this.of(account, source)
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear()
    this.cache.set(key, { index: info.storagePolicyIndex, until: this.now() + CACHE_TTL_MS })
    return info.storagePolicyIndex
  }

  forget(account: string, container: string): void {
    this.cache.delete(`${account}/${container}`)
  }
}
