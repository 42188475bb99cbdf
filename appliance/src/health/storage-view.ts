/**
 * The health console's view of the storage layer beyond counters: the object ring in use
 * now (placement's, which the RingReloader swaps, so the replicas and device-failed rules
 * follow ring changes instead of the rings read at start), the devices open on this box, the
 * replicator's last reports (its status file, written by cluster/replicator.ts), the
 * replication backlog (partitions a local device holds that the ring places elsewhere: what
 * the replicator still has to hand off), and what one device holds (partitions by the ring,
 * objects and bytes by a bounded, cached walk of the device). Every storage policy counts:
 * `objects-N/` partitions are judged by policy N's ring.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { readStatusFile, type ReplicationReport } from '../cluster/replicator.js'
import type { Ring } from '../ring/ring.js'
import type { Sampler, Values } from './samplers.js'
import type { StorageCounters } from './storage-counters.js'

export type ViewRing = Pick<Ring, 'devices' | 'replicaCount' | 'partitionCount' | 'getPartDeviceIds'>

export interface StorageViewOptions {
  /** The object ring in use now (storage policy 0: the replicas rule reads it). */
  ring: () => ViewRing
  /** The object ring of storage policy N ≥ 1 in use now, if this box has one. */
  policyRing?: (policy: number) => ViewRing | undefined
  /** The devices open on this box now (the reloader adds some, a failed disk drops out). */
  devices: () => ReadonlyMap<string, { root: string }>
  /** The replicator's status file (`<data>/run/replicator.json`). */
  replicatorStatusFile: string
  counters: StorageCounters
  /** Files one holdings walk may stat (a huge disk gets a partial count). */
  maxFiles?: number
  /** How long a holdings walk is reused. */
  holdingsTtlMs?: number
  clock?: () => number
}

export interface Holdings {
  /** The ring device name (a disk may hold several). */
  device: string
  open: boolean
  weight?: number
  /** Partition replicas the rings assign to the device: policy 0's, and each other policy's it holds data of. */
  partitions: number
  partitionsOnDisk: number
  /** Partitions on the device the ring places elsewhere (waiting for the replicator). */
  handoffPartitions: number
  objects: number
  bytes: number
  /** The walk stopped at `maxFiles`: objects and bytes are a lower bound. */
  partial: boolean
  scannedAt: number
}

export interface ReplicationView {
  /** When the replicator last wrote its status (undefined: no pass finished yet). */
  writtenAt?: string
  last?: ReplicationReport
  reports: ReplicationReport[]
  backlogPartitions?: number
}

const isPartition = (n: string) => /^\d+$/.test(n)

export class StorageView {
  private readonly assigned = new WeakMap<ViewRing, Map<string, Uint8Array>>()
  private readonly walks = new Map<string, Holdings>()
  private readonly markedFailed = new Set<string>()
  private readonly clock: () => number
  private backlog?: number

  constructor(private readonly o: StorageViewOptions) {
    this.clock = o.clock ?? Date.now
  }

  private ringDevices(): { device: string; weight: number }[] {
    return this.o.ring().devices.filter((d) => d !== null && d.weight > 0).map((d) => ({ device: d!.device, weight: d!.weight }))
  }

  /** A device the ring in use names (at any weight), or one open on this box. */
  isRingDevice(name: string): boolean {
    return this.o.devices().has(name) || this.o.ring().devices.some((d) => d?.device === name)
  }

  /** What the ring wants and the distinct open devices that can hold replicas (the replicas rule). */
  replicas(): { wanted: number; available: number } {
    const open = this.o.devices()
    return { wanted: Math.ceil(this.o.ring().replicaCount), available: new Set(this.ringDevices().map((d) => d.device).filter((d) => open.has(d))).size }
  }

  /** Marks ring devices that are not open as failed, and clears marks this view set once a device is open or left the ring. */
  refreshFailed(): void {
    const open = this.o.devices()
    const inRing = new Set(this.ringDevices().map((d) => d.device))
    for (const d of inRing) {
      if (open.has(d)) continue
      this.o.counters.markFailed(d, true)
      this.markedFailed.add(d)
    }
    for (const d of [...this.markedFailed]) {
      if (inRing.has(d) && !open.has(d)) continue
      this.o.counters.markFailed(d, false)
      this.markedFailed.delete(d)
    }
  }

  /** Per ring device name, which partitions the ring assigns it (computed once per ring). */
  private assignments(ring: ViewRing = this.o.ring()): Map<string, Uint8Array> {
    const known = this.assigned.get(ring)
    if (known) return known
    const byDevice = new Map<string, Uint8Array>()
    const names = ring.devices.map((d) => d?.device)
    for (let p = 0; p < ring.partitionCount; p++) {
      for (const id of ring.getPartDeviceIds(p)) {
        const name = names[id]
        if (!name) continue
        let bits = byDevice.get(name)
        if (!bits) byDevice.set(name, (bits = new Uint8Array(ring.partitionCount)))
        bits[p] = 1
      }
    }
    this.assigned.set(ring, byDevice)
    return byDevice
  }

  /** Each object directory on a device (`objects`, `objects-N`) with its policy's ring (undefined: none here) and partitions. */
  private async objectDirs(root: string): Promise<{ dir: string; ring?: ViewRing; partitions: number[] }[]> {
    const out = []
    for (const name of (await readdir(root).catch(() => [] as string[])).sort()) {
      const m = /^objects(?:-(\d+))?$/.exec(name)
      if (!m) continue
      const policy = Number(m[1] ?? 0)
      const ring = policy === 0 ? this.o.ring() : this.o.policyRing?.(policy)
      const partitions = (await readdir(join(root, name)).catch(() => [] as string[])).filter(isPartition).map(Number)
      out.push({ dir: join(root, name), ring, partitions })
    }
    return out
  }

  /** Partitions a device holds that its policy's ring places elsewhere (none counted for a policy without a ring here). */
  private handoffs(device: string, d: { ring?: ViewRing; partitions: number[] }): number {
    if (!d.ring) return 0
    const bits = this.assignments(d.ring).get(device)
    return d.partitions.filter((p) => !bits?.[p]).length
  }

  /** Partitions on the open devices that their rings place elsewhere, summed; also fed to the counters. */
  async replicationBacklog(): Promise<number> {
    let n = 0
    for (const [name, dev] of this.o.devices()) {
      for (const d of await this.objectDirs(dev.root)) n += this.handoffs(name, d)
    }
    this.backlog = n
    this.o.counters.replicationBacklog = n
    return n
  }

  replication(): ReplicationView {
    const f = readStatusFile(this.o.replicatorStatusFile)
    const reports = f?.reports ?? []
    return { writtenAt: f?.writtenAt, last: reports[reports.length - 1], reports, backlogPartitions: this.backlog }
  }

  /** What a ring device holds; the walk of the device is reused for `holdingsTtlMs`. */
  async holdings(device: string): Promise<Holdings> {
    const now = this.clock()
    const cached = this.walks.get(device)
    if (cached && now - cached.scannedAt < (this.o.holdingsTtlMs ?? 600_000)) return cached
    const bits = this.assignments().get(device)
    const ringDev = this.ringDevices().find((d) => d.device === device)
    const dev = this.o.devices().get(device)
    const h: Holdings = { device, open: !!dev, weight: ringDev?.weight, partitions: bits ? bits.reduce((a, b) => a + b, 0) : 0, partitionsOnDisk: 0, handoffPartitions: 0, objects: 0, bytes: 0, partial: false, scannedAt: now }
    for (const d of dev ? await this.objectDirs(dev.root) : []) {
      // Policy 0's assignment is counted above; another policy's where the device holds its data.
      if (d.ring && d.ring !== this.o.ring()) h.partitions += this.assignments(d.ring).get(device)?.reduce((a, b) => a + b, 0) ?? 0
      h.partitionsOnDisk += d.partitions.length
      h.handoffPartitions += this.handoffs(device, d)
      if (!h.partial) await this.walk(d.dir, d.partitions, h)
    }
    this.walks.set(device, h)
    return h
  }

  /** Counts `.data` files and their sizes under objects/<partition>/<suffix>/<hash>/, up to maxFiles. */
  private async walk(dir: string, parts: number[], h: Holdings): Promise<void> {
    const max = this.o.maxFiles ?? 200_000
    const list = (d: string) => readdir(d).catch(() => [] as string[])
    for (const p of parts) {
      for (const suffix of await list(join(dir, String(p)))) {
        for (const hash of await list(join(dir, String(p), suffix))) {
          const hashDir = join(dir, String(p), suffix, hash)
          for (const f of await list(hashDir)) {
            if (!f.endsWith('.data')) continue
            if (h.objects >= max) {
              h.partial = true
              return
            }
            const st = await stat(join(hashDir, f)).catch(() => undefined)
            if (!st) continue
            h.objects++
            h.bytes += st.size
          }
        }
      }
    }
  }
}

/** The view as a sampler: failed marks, the backlog and the replicator's last pass, on a slow interval. */
export function replicationSampler(view: StorageView, intervalMs: number, clock: () => number = Date.now): Sampler {
  return {
    name: 'replication',
    intervalMs,
    async sample() {
      view.refreshFailed()
      const out: Values = { 'storage.replication_backlog': await view.replicationBacklog() }
      const r = view.replication()
      if (r.last) {
        out['storage.replication.last_pass_age_s'] = Math.max(0, (clock() - Date.parse(r.last.startedAt) - r.last.elapsedMs) / 1000)
        out['storage.replication.last_pass_s'] = r.last.elapsedMs / 1000
        out['storage.replication.last_pass_objects_pushed'] = r.last.objectsPushed
        out['storage.replication.last_pass_errors'] = r.last.errors
      }
      return out
    },
  }
}
