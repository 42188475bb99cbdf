/**
 * The disks part of `velox serve` and of `velox disk`: one DiskService built from the config
 * (devices root, etc dir, region/zone, the disks to manage), the mount table replayed before
 * the devices are opened, and the failure monitor. main.ts wires the ring reload and the
 * device drop into it; the CLI uses it as it is (the running server notices ring changes by
 * their files).
 */
import { policiesOf } from '../cluster/bootstrap.js'
import { objectRingName, policyTakesDisk } from '../cluster/policies.js'
import type { VeloxConfig } from '../config/index.js'
import type { Log } from '../lib/log.js'
import { SystemCommands } from '../system/commands.js'
import type { DiscoveredDisk } from './discovery.js'
import { FailureMonitor } from './failure.js'
import { directoryDeviceWeight } from './directory-weights.js'
import { settleRings } from './lifecycle.js'
import { replayMounts, type ReplayReport } from './mounts.js'
import { DiskService, type DiskServiceOptions } from './service.js'

export function createDiskService(config: Readonly<VeloxConfig>, log: Log, hooks: Pick<DiskServiceOptions, 'onRingChange' | 'onDeviceGone'> = {}): DiskService {
  const only = config.disks.only
  const include = only.length === 0 ? undefined : (d: DiscoveredDisk) => only.includes(d.path) || d.byId.some((l) => only.includes(`/dev/disk/by-id/${l}`))
  const svc: DiskService = new DiskService({
    system: new SystemCommands({ devicesRoot: config.devicesDir }),
    etcDir: config.swiftDir,
    ring: {
      swiftDir: config.swiftDir,
      region: config.disks.region,
      zone: config.disks.zone,
      ip: config.bind.host,
      port: config.bind.port,
      partPower: config.embedded.partPower,
      replicas: config.embedded.replicas,
      minPartHours: config.embedded.minPartHours,
      // Every storage policy's object ring too (a policy's device class is not honoured yet).
      rings: [
        { name: 'account', replicas: config.embedded.replicas },
        { name: 'container', replicas: config.embedded.replicas },
        ...policiesOf(config).all.map((p) => ({ name: objectRingName(p.index), replicas: p.replicas })),
      ],
      // …but a policy with a device class takes only disks of that class.
      takes: Object.fromEntries(policiesOf(config).all.map((p) => [objectRingName(p.index), (m: string | undefined) => policyTakesDisk(p.deviceClass, m)])),
      // The embedded default's directory devices weigh their filesystem in TiB, as disks do.
      directoryWeight: (device) => directoryDeviceWeight(config.devicesDir, device, (n) => svc.registry.byDeviceName(n) !== undefined),
    },
    log,
    include,
    burnIn: { sampleBytes: config.disks.burnInSampleMiB * 2 ** 20 },
    ...hooks,
  })
  return svc
}

/** Mounts the recorded disks that are not mounted (a reboot, `make run`); logs what it did. */
export async function replayMountTable(svc: DiskService, log: Log): Promise<ReplayReport> {
  const records = svc.registry.all()
  if (records.length === 0) return { mounted: [], alreadyMounted: [], failed: {} }
  const report = await replayMounts(svc.system, records, svc.registry.read().clusterId)
  if (report.mounted.length > 0) log.info('mounted disks from the mount table', { devices: report.mounted })
  for (const [device, reason] of Object.entries(report.failed)) log.error('disk not mounted', { device, reason })
  return report
}

export interface DiskBackground {
  failures: FailureMonitor
  stop(): Promise<void>
}

/**
 * The disks' background work in `velox serve`: the failure monitor, and a minute timer that
 * takes the ramp and drain steps min_part_hours allows (settleRings), ramps only once
 * `replicationSettled` says the data of the previous step has arrived.
 */
export function startDiskBackground(svc: DiskService, config: Readonly<VeloxConfig>, log: Log, replicationSettled?: () => boolean): DiskBackground {
  const failures = new FailureMonitor(svc, { intervalMs: config.disks.failureCheckSec * 1000 })
  failures.start()
  let settling: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    settling = settleRings(svc, replicationSettled).catch((err: Error) => log.warn('ring settle step failed', { error: err.message }))
  }, 60_000)
  timer.unref()
  return {
    failures,
    async stop() {
      clearInterval(timer)
      await settling
      await failures.stop()
    },
  }
}
