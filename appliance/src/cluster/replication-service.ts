/**
 * Wires the replicator for `startAppliance`: peers are this box's devices (in process), reached
 * by device name as placement does; a new ring (ring-reload.ts) wakes the replicator with its
 * sync points reset. Kept out of main.ts so the composition root grows by one line.
 * Owns the wiring only.
 */
import type { VeloxConfig } from '../config/index.js'
import type { Log } from '../lib/log.js'
import type { LocalDevice } from './bootstrap.js'
import type { Placement, Rings } from './placement.js'
import { localReplicationNode } from './replication-node.js'
import { Replicator, replicatorStatusPath } from './replicator.js'
import type { RingReloader } from './ring-reload.js'

export interface Replication {
  replicator: Replicator
  /** The appliance's ring reloader (main.ts owns it). */
  reloader: RingReloader
  /** The rings in use now. */
  rings(): Rings
  stop(): Promise<void>
}

export function startReplication(config: Readonly<VeloxConfig>, placement: Placement, devices: Map<string, LocalDevice>, reloader: RingReloader, log: Log, clientsBusy?: () => boolean): Replication {
  const c = config.replicator
  // Every storage policy's object ring too: objects-N/ dirs are replicated with object-N.ring.gz.
  const currentRings = (): Rings => placement.current()
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
    clientsBusy,
    busyShare: c.busyShare,
    statusFile: replicatorStatusPath(config.dataDir),
    onPass: (report) => log.info('replication pass', { ...report }),
  })
  reloader.onReload(() => replicator.ringChanged())
  if (c.enabled) replicator.start()
  return {
    replicator,
    reloader,
    rings: currentRings,
    async stop() {
      await replicator.stop()
    },
  }
}
