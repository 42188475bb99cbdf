/**
 * The embedded default of a single appliance: on first start of an empty data dir, N
 * directory-backed devices under devicesDir and the three rings (account, container,
 * object) over them; later starts reuse what is there. Also opens this box's devices.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { VeloxConfig } from '../config/index.js'
import { RingBuilder, ringPathForBuilder } from '../ring/builder.js'
import { Ring } from '../ring/ring.js'
import { LevelDeviceDatabases } from '../store/db/device-databases.js'
import { openDeviceObjects, type DeviceObjectStore } from '../store/objects/device-object-store.js'
import { cleanStaleTempFiles } from '../store/objects/durable-files.js'
import type { Log } from '../lib/log.js'
import type { StorageNode } from './nodes.js'
import type { Rings } from './placement.js'

export const RING_KINDS = ['account', 'container', 'object'] as const

export function builderPath(config: Pick<VeloxConfig, 'swiftDir'>, kind: string): string {
  return join(config.swiftDir, `${kind}.builder`)
}

/** Creates devices and rings if this data dir has none. Returns whether it did. */
export function ensureEmbeddedDefault(config: Readonly<VeloxConfig>, log: Log): boolean {
  const missing = RING_KINDS.filter((k) => !existsSync(ringPathForBuilder(builderPath(config, k))))
  if (missing.length === 0) return false
  const { devices, partPower, replicas, minPartHours } = config.embedded
  mkdirSync(config.swiftDir, { recursive: true })
  for (let i = 1; i <= devices; i++) mkdirSync(join(config.devicesDir, `d${i}`), { recursive: true })
  for (const kind of missing) {
    const b = RingBuilder.create(partPower, Math.min(replicas, devices), minPartHours)
    for (let i = 1; i <= devices; i++) {
      b.addDevice({ region: 1, zone: i, ip: config.bind.host, port: config.bind.port, device: `d${i}`, weight: 100 })
    }
    b.rebalance()
    const path = builderPath(config, kind)
    b.save(path)
    b.writeRing(ringPathForBuilder(path))
  }
  log.info('created the embedded default', { devices, partPower, replicas, devicesDir: config.devicesDir })
  return true
}

export function loadRings(config: Readonly<VeloxConfig>): Rings {
  const secrets = { hashPathPrefix: config.hashPathPrefix, hashPathSuffix: config.hashPathSuffix }
  const load = (kind: string) => Ring.load(ringPathForBuilder(builderPath(config, kind)), secrets)
  return { account: load('account'), container: load('container'), object: load('object') }
}

export interface LocalDevice extends StorageNode {
  objects: DeviceObjectStore
  dbs: LevelDeviceDatabases
  root: string
}

/** Opens every device of the rings that lives under this box's devicesDir. A device that
 *  fails to open is logged and left out (placement routes around it). `skip`: devices open
 *  already (a ring reload opens only the new ones). */
export async function openLocalDevices(config: Readonly<VeloxConfig>, rings: Rings, log: Log, skip?: ReadonlyMap<string, unknown>): Promise<Map<string, LocalDevice>> {
  const names = new Set<string>()
  for (const r of Object.values(rings)) for (const d of r.devices) if (d) names.add(d.device)
  const out = new Map<string, LocalDevice>()
  for (const device of [...names].sort()) {
    if (skip?.has(device)) continue
    const root = join(config.devicesDir, device)
    if (!existsSync(root)) {
      log.warn('device missing', { device, root })
      continue
    }
    try {
      const objects = await openDeviceObjects(root, { onQuarantine: (e) => log.warn('quarantined', { device, ...e }) })
      await cleanStaleTempFiles(join(root, 'tmp'), 0).catch(() => 0)
      const dbs = await LevelDeviceDatabases.open(root)
      out.set(device, { device, objects, dbs, root })
    } catch (err) {
      log.error('device failed to open', { device, error: (err as Error).message })
    }
  }
  return out
}
