/**
 * Wires the replicator and the ring reloader for `startAppliance`: peers are this box's devices
 * (in process), reached by device name as placement does; a new ring wakes the replicator
 * with its sync points reset. Kept out of main.ts so the composition root grows by one line.
 * Owns the wiring only.
 */
import type { VeloxConfig } from '../config/index.js'
import type { Log } from '../lib/log.js'
import type { LocalDevice } from './bootstrap.js'
import type { Placement, Rings } from './placement.js'
import { localReplicationNode } from './replication-node.js'
import { Replicator, replicatorStatusPath } from './replicator.js'
import { RingReloader } from './ring-reload.js'

export interface Replication {
  replicator: Replicator
  reloader: RingReloader
  /** The rings in use now. */
  rings(): Rings
  stop(): Promise<void>
}

export function startReplication(config: Readonly<VeloxConfig>, placement: Placement, devices: Map<string, LocalDevice>, log: Log): Replication {
  const c = config.replicator
  const currentRings = (): Rings => ({ account: placement.ring('account'), container: placement.ring('container'), object: placement.ring('object') })
  const replicator = new Replicator({
    devices: () => devices.values(),
    rings: currentRings,
    resolve: (dev) => {
      const d = devices.get(dev.device)
      return d && localReplicationNode(d)
    },
    bytesPerSec: c.bytesPerSec,
    filesPerSec: c.filesPerSec,
    intervalMs: c.intervalSec * 1000,
    reclaimAgeSec: c.reclaimAgeSec,
    concurrency: c.concurrency,
    statusFile: replicatorStatusPath(config.dataDir),
    onPass: (report) => log.info('replication pass', { ...report }),
  })
  const reloader = new RingReloader({ config, placement, devices, log, intervalMs: config.rings.checkSec * 1000 })
  reloader.onReload(() => replicator.ringChanged())
  reloader.start()
  if (c.enabled) replicator.start()
  return {
    replicator,
    reloader,
    rings: currentRings,
    async stop() {
      await reloader.stop()
      await replicator.stop()
    },
  }
}
