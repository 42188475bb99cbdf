/**
 * The embedded default of a single appliance: on first start of an empty data dir, N
 * directory-backed devices under devicesDir and the rings (account, container, and one
 * object ring per storage policy: object.ring.gz, object-1.ring.gz, …) over them; later
 * starts reuse what is there. Also opens this box's devices.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { VeloxConfig } from '../config/index.js'
import { RingBuilder, ringPathForBuilder } from '../ring/builder.js'
import { Ring } from '../ring/ring.js'
import { LevelDeviceDatabases } from '../store/db/device-databases.js'
import { openDeviceObjects, type DeviceObjectStore } from '../store/objects/device-object-store.js'
import { cleanStaleTempFiles } from '../store/objects/durable-files.js'
import { PendingJournal } from '../store/pending/pending-journal.js'
import type { Log } from '../lib/log.js'
import type { StorageNode } from './nodes.js'
import { allRings, type Rings } from './placement.js'
import { StoragePolicies, objectRingName } from './policies.js'

export const RING_KINDS = ['account', 'container', 'object'] as const

export function builderPath(config: Pick<VeloxConfig, 'swiftDir'>, kind: string): string {
  return join(config.swiftDir, `${kind}.builder`)
}

/** Creates devices and rings if this data dir has none (and a configured policy's object ring
 *  it lacks). Returns whether it did. */
export function ensureEmbeddedDefault(config: Readonly<VeloxConfig>, log: Log): boolean {
  const ringReplicas = new Map<string, number>(RING_KINDS.map((k) => [k, config.embedded.replicas]))
  for (const p of policiesOf(config).all) ringReplicas.set(objectRingName(p.index), p.replicas)
  const missing = [...ringReplicas.keys()].filter((k) => !existsSync(ringPathForBuilder(builderPath(config, k))))
  if (missing.length === 0) return false
  const { devices, partPower, minPartHours } = config.embedded
  mkdirSync(config.swiftDir, { recursive: true })
  for (let i = 1; i <= devices; i++) mkdirSync(join(config.devicesDir, `d${i}`), { recursive: true })
  for (const kind of missing) {
    const b = RingBuilder.create(partPower, Math.min(ringReplicas.get(kind) as number, devices), minPartHours)
    for (let i = 1; i <= devices; i++) {
      b.addDevice({ region: 1, zone: i, ip: config.bind.host, port: config.bind.port, device: `d${i}`, weight: 100 })
    }
    b.rebalance()
    const path = builderPath(config, kind)
    b.save(path)
    b.writeRing(ringPathForBuilder(path))
  }
  log.info('created the embedded default', { devices, partPower, rings: missing, devicesDir: config.devicesDir })
  return true
}

export function loadRings(config: Readonly<VeloxConfig>): Rings {
  const secrets = { hashPathPrefix: config.hashPathPrefix, hashPathSuffix: config.hashPathSuffix }
  const load = (kind: string) => Ring.load(ringPathForBuilder(builderPath(config, kind)), secrets)
  const objectPolicies = new Map<number, Ring>()
  for (const p of policiesOf(config).all) if (p.index !== 0) objectPolicies.set(p.index, load(objectRingName(p.index)))
  return { account: load('account'), container: load('container'), object: load('object'), objectPolicies }
}

/** The configured storage policies, policy 0 keeping the embedded default's replicas unless set. */
export function policiesOf(config: Pick<VeloxConfig, 'policies' | 'embedded'>): StoragePolicies {
  return new StoragePolicies(config.policies, config.embedded.replicas)
}

export interface LocalDevice extends StorageNode {
  objects: DeviceObjectStore
  dbs: LevelDeviceDatabases
  root: string
  /** Container updates not yet known applied (async_pending). */
  pending: PendingJournal
}

/** Opens every device of the rings that lives under this box's devicesDir. A device that
 *  fails to open is logged and left out (placement routes around it). */
export async function openLocalDevices(config: Readonly<VeloxConfig>, rings: Rings, log: Log): Promise<Map<string, LocalDevice>> {
  const out = new Map<string, LocalDevice>()
  for (const device of [...ringDeviceNames(rings)].sort()) {
    const dev = await openLocalDevice(config, device, log)
    if (dev) out.set(device, dev)
  }
  return out
}

/** The device names the rings place anything on. */
export function ringDeviceNames(rings: Rings): Set<string> {
  const names = new Set<string>()
  for (const r of allRings(rings)) for (const d of r.devices) if (d) names.add(d.device)
  return names
}

/** Opens one device under devicesDir; undefined (logged) when it is missing, not mounted
 *  (with mountCheck: an empty mount point must never fill the root filesystem) or broken. */
export async function openLocalDevice(config: Readonly<VeloxConfig>, device: string, log: Log): Promise<LocalDevice | undefined> {
  const root = join(config.devicesDir, device)
  if (!existsSync(root)) {
    log.warn('device missing', { device, root })
    return undefined
  }
  if (config.mountCheck && statSync(root).dev === statSync(dirname(root)).dev) {
    log.warn('device not mounted', { device, root })
    return undefined
  }
  try {
    const objects = await openDeviceObjects(root, { onQuarantine: (e) => log.warn('quarantined', { device, ...e }) })
    await cleanStaleTempFiles(join(root, 'tmp'), 0).catch(() => 0)
    const dbs = await LevelDeviceDatabases.open(root)
    const pending = await PendingJournal.open(root)
    return { device, objects, dbs, root, pending }
  } catch (err) {
    log.error('device failed to open', { device, error: (err as Error).message })
    return undefined
  }
}
