/**
 * What the replicator asks of a partition's other holders, as one interface: the calls of
 * Swift's REPLICATE verb (suffix hashes), of ssync's missing check (which timestamps a replica
 * holds in some suffixes), the receiving ends of pushes (object put/delete/post with the
 * original timestamps, through the very write path clients use) and the database merges.
 * Every argument and answer is plain data, so an HTTP node client for another appliance can
 * implement it over the backend protocol; this file has the in-process one for this box.
 * Owns the contract and the local adapter; it must not decide what to push (replicator).
 */
import type { DatabaseSummary, LevelDeviceDatabases } from '../store/db/device-databases.js'
import type { DeviceObjectStore } from '../store/objects/device-object-store.js'
import { hashStates, type HashState } from '../store/objects/replica-files.js'
import type { SuffixHashMap } from '../store/objects/suffix-hashes.js'
import type { ContainerRow, DeviceObjects, ObjectRow } from '../store/types.js'

export type { HashState } from '../store/objects/replica-files.js'
export type { SuffixHashMap } from '../store/objects/suffix-hashes.js'
export type { DatabaseSummary } from '../store/db/device-databases.js'

export interface ReplicationNode {
  readonly device: string
  /** Receives pushed object files: put (data), delete (tombstone), post (.meta). */
  readonly objects: DeviceObjects
  /** REPLICATE: the partition's suffix hashes, `recalculate` ones rehashed first; `policy`:
   *  the storage policy whose objects dir holds the partition (0 when left out). */
  suffixHashes(partition: number, recalculate?: readonly string[], policy?: number): Promise<SuffixHashMap>
  /** Missing check: the state of every object in these suffixes (hash → timestamps). */
  hashStates(partition: number, suffixes: readonly string[], policy?: number): Promise<Record<string, HashState>>
  /** Creates or merges a database's record; `created` tells the sender to send every row. */
  mergeDatabase(summary: DatabaseSummary): Promise<{ created: boolean }>
  mergeObjectRows(account: string, container: string, rows: readonly ObjectRow[]): Promise<number>
  mergeContainerRows(account: string, rows: readonly ContainerRow[]): Promise<number>
}

/** The devices of this box, as the replicator reads them (sources) and reaches them (peers). */
export interface LocalReplicaDevice {
  device: string
  objects: DeviceObjectStore
  dbs: LevelDeviceDatabases
}

export function localReplicationNode(d: LocalReplicaDevice): ReplicationNode {
  return {
    device: d.device,
    objects: d.objects,
    suffixHashes: (partition, recalculate, policy) => d.objects.suffixHashes.get(partition, recalculate, policy),
    hashStates: async (partition, suffixes, policy) => Object.fromEntries(await hashStates(d.objects, partition, suffixes, policy)),
    mergeDatabase: (summary) => d.dbs.mergeDatabaseRecord(summary),
    mergeObjectRows: (account, container, rows) => d.dbs.mergeObjectRows(account, container, rows),
    mergeContainerRows: (account, rows) => d.dbs.mergeContainerRows(account, rows),
  }
}
