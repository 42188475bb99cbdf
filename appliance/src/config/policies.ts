/**
 * Storage policies as configured (Swift's `[storage-policy:N]` sections of swift.conf): each
 * an index, a name (with aliases), how many replicas its object ring keeps and, optionally,
 * the class of disks its ring is built from. Owns the defaults and the validation; the rings
 * are cluster/'s, the container-facing rules swift/'s.
 */

/**
 * A disk's class as discovery tells it (disks/discovery.ts Media): a policy of class `ssd`
 * takes SSDs and NVMe drives (both solid state), `nvme` only NVMe drives, `hdd` only
 * spinning disks. Swift has no such notion: an operator gives the policy's ring only those
 * devices, which is what the ring placement does here.
 */
export const DEVICE_CLASSES = ['hdd', 'ssd', 'nvme'] as const
export type DeviceClass = (typeof DEVICE_CLASSES)[number]
export interface StoragePolicyConfig {
  /** Swift's policy index: policy 0 uses object.ring.gz, policy N object-N.ring.gz. */
  index: number
  /** Letters, digits and '-' (Swift's rule); matched case-insensitively, as are aliases. */
  name: string
  aliases?: string[]
  /** The policy of a container created without X-Storage-Policy (exactly one). */
  default?: boolean
  /** Replicas of its object ring in the embedded default; policy 0 defaults to embedded.replicas. */
  replicas?: number
  /** Only disks of this class join its object ring (e.g. a "fast" policy on `ssd`); absent: every disk. */
  deviceClass?: DeviceClass
}

/**
 * An appliance offers a "standard" policy (the embedded default's replicas, 3) and a
 * "cheap" one that keeps 2 replicas: half the overhead for data that can be re-created.
 */
export const DEFAULT_POLICIES: readonly StoragePolicyConfig[] = [
  { index: 0, name: 'standard', default: true },
  { index: 1, name: 'cheap', replicas: 2 },
]

const NAME = /^[A-Za-z0-9-]+$/

/** Swift's storage_policy.py checks: unique indexes and names, valid names, one default, a policy 0. */
export function policyProblems(policies: readonly StoragePolicyConfig[]): string[] {
  const problems: string[] = []
  const names = new Set<string>()
  const indexes = new Set<number>()
  for (const p of policies) {
    if (!Number.isInteger(p.index) || p.index < 0) problems.push(`policies: index ${JSON.stringify(p.index)} must be an integer ≥ 0`)
    if (indexes.has(p.index)) problems.push(`policies: index ${p.index} is used twice`)
    indexes.add(p.index)
    for (const n of [p.name, ...(p.aliases ?? [])]) {
      if (typeof n !== 'string' || !NAME.test(n)) problems.push(`policies: name ${JSON.stringify(n)} must be letters, digits and '-'`)
      else if (names.has(n.toLowerCase())) problems.push(`policies: name ${JSON.stringify(n)} is used twice`)
      else names.add(n.toLowerCase())
    }
    if (p.replicas !== undefined && !(Number.isInteger(p.replicas) && p.replicas >= 1)) problems.push(`policies: ${p.name}.replicas must be ≥ 1`)
    if (p.deviceClass !== undefined && !DEVICE_CLASSES.includes(p.deviceClass)) problems.push(`policies: ${p.name}.deviceClass must be one of ${DEVICE_CLASSES.join(', ')}`)
  }
  if (!indexes.has(0)) problems.push('policies: a policy with index 0 is required (object.ring.gz)')
  if (policies.filter((p) => p.default).length > 1) problems.push('policies: more than one default')
  return problems
}
