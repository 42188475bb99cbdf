/**
 * The health console's storage view on a hand-made ring and devices laid out on disk as the
 * store lays them out: the replicas rule and failed marks follow a ring swap (as the
 * RingReloader does it), the backlog counts handoff partitions, the holdings of a device count
 * its partitions, objects and bytes, and the replicator's status file is read as written.
 */
import { expect } from 'chai'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ring } from '../ring/ring.js'
import type { RingDevice } from '../ring/types.js'
import { StorageCounters } from './storage-counters.js'
import { replicationSampler, StorageView } from './storage-view.js'

const secrets = { hashPathPrefix: 'p', hashPathSuffix: 's' }
const dev = (id: number, device: string, weight = 100): RingDevice => ({ id, region: 1, zone: id + 1, ip: '127.0.0.1', port: 6200, replicationIp: '127.0.0.1', replicationPort: 6200, device, weight, meta: '' })

/** 8 partitions, 2 replicas over d1..d3: d1 holds partitions 0, 2, 3, 5, 6 (primary or second). */
const ringOf = (devs: (RingDevice | null)[]) =>
  new Ring({ devs, replica2part2dev: [Uint16Array.from([0, 1, 2, 0, 1, 2, 0, 1]), Uint16Array.from([1, 2, 0, 1, 2, 0, 1, 2])], partShift: 29, version: 1, nextPartPower: null }, secrets)

function putObject(root: string, partition: number, hash: string, size: number): void {
  const dir = join(root, 'objects', String(partition), hash.slice(-3), hash)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, '1700000000.00000.data'), Buffer.alloc(size))
}

describe('health/storage-view: the ring in use, the backlog and what a device holds', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'velox-view-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('follows a ring swap: replicas available and failed marks come from the ring in use now', () => {
    let ring = ringOf([dev(0, 'd1'), dev(1, 'd2'), dev(2, 'd3')])
    const devices = new Map([['d1', { root: join(dir, 'd1') }], ['d2', { root: join(dir, 'd2') }]])
    const counters = new StorageCounters()
    const view = new StorageView({ ring: () => ring, devices: () => devices, replicatorStatusFile: join(dir, 'none.json'), counters })
    expect(view.replicas()).to.deep.equal({ wanted: 2, available: 2 })
    view.refreshFailed()
    expect(counters.isFailed('d3')).to.equal(true)
    // d3 is drained out of the ring (weight 0): no longer failed; d2 is dropped after a disk failure.
    ring = ringOf([dev(0, 'd1'), dev(1, 'd2'), dev(2, 'd3', 0)])
    devices.delete('d2')
    view.refreshFailed()
    expect(counters.isFailed('d3')).to.equal(false)
    expect(counters.isFailed('d2')).to.equal(true)
    expect(view.replicas()).to.deep.equal({ wanted: 2, available: 1 })
    // A mark set by someone else (the device-failed wiring) is not cleared by the view.
    counters.markFailed('d1')
    view.refreshFailed()
    expect(counters.isFailed('d1')).to.equal(true)
  })

  it('counts handoff partitions as the backlog and a device\'s partitions, objects and bytes', async () => {
    const ring = ringOf([dev(0, 'd1'), dev(1, 'd2'), dev(2, 'd3')])
    const d1 = join(dir, 'd1')
    putObject(d1, 0, 'a'.repeat(32), 100)
    putObject(d1, 0, 'b'.repeat(32), 50)
    putObject(d1, 3, 'c'.repeat(32), 7)
    putObject(d1, 4, 'd'.repeat(32), 1000) // partition 4 lives on d2 and d3: a handoff
    mkdirSync(join(d1, 'objects', 'not-a-partition'), { recursive: true })
    const counters = new StorageCounters()
    const view = new StorageView({ ring: () => ring, devices: () => new Map([['d1', { root: d1 }]]), replicatorStatusFile: join(dir, 'none.json'), counters, maxFiles: 3 })
    expect(await view.replicationBacklog()).to.equal(1)
    expect(counters.totals().replicationBacklog).to.equal(1)
    const h = await view.holdings('d1')
    expect(h).to.deep.include({ device: 'd1', open: true, weight: 100, partitions: 5, partitionsOnDisk: 3, handoffPartitions: 1, objects: 3, partial: true })
    const all = await new StorageView({ ring: () => ring, devices: () => new Map([['d1', { root: d1 }]]), replicatorStatusFile: '', counters }).holdings('d1')
    expect(all).to.deep.include({ objects: 4, bytes: 1157, partial: false })
    expect(await view.holdings('d3')).to.deep.include({ open: false, partitions: 5, objects: 0 })
  })

  it('judges objects-N partitions by storage policy N\'s ring, and counts their objects', async () => {
    const ring = ringOf([dev(0, 'd1'), dev(1, 'd2'), dev(2, 'd3')])
    // Policy 1 keeps one replica: partition p on device p % 3, so d1 (id 0) holds 0, 3 and 6.
    const policy1 = new Ring({ devs: [dev(0, 'd1'), dev(1, 'd2'), dev(2, 'd3')], replica2part2dev: [Uint16Array.from([0, 1, 2, 0, 1, 2, 0, 1])], partShift: 29, version: 1, nextPartPower: null }, secrets)
    const d1 = join(dir, 'd1')
    putObject(d1, 0, 'a'.repeat(32), 10)
    for (const [p, size] of [[3, 20], [4, 40]] as const) {
      const hashDir = join(d1, 'objects-1', String(p), 'fff', 'f'.repeat(32))
      mkdirSync(hashDir, { recursive: true })
      writeFileSync(join(hashDir, '1700000000.00000.data'), Buffer.alloc(size))
    }
    mkdirSync(join(d1, 'objects-2', '5'), { recursive: true }) // a policy without a ring here: not judged
    const view = new StorageView({ ring: () => ring, policyRing: (p) => (p === 1 ? policy1 : undefined), devices: () => new Map([['d1', { root: d1 }]]), replicatorStatusFile: '', counters: new StorageCounters() })
    expect(await view.replicationBacklog()).to.equal(1) // objects-1/4 belongs on d2
    expect(await view.holdings('d1')).to.deep.include({ partitions: 5 + 3, partitionsOnDisk: 4, handoffPartitions: 1, objects: 3, bytes: 70 })
  })

  it('reads the replicator\'s status file into the sampler\'s figures', async () => {
    const ring = ringOf([dev(0, 'd1')])
    const file = join(dir, 'run', 'replicator.json')
    mkdirSync(join(dir, 'run'))
    const report = { startedAt: new Date(1_000_000).toISOString(), elapsedMs: 4000, devices: 1, partitionsChecked: 8, handoffPartitionsRemoved: 0, tombstonesReclaimed: 0, stopped: false, objectsPushed: 12, tombstonesPushed: 0, metasPushed: 0, bytesPushed: 0, handoffObjectsRemoved: 0, errors: 2, databasesChecked: 0, rowsPushed: 0, handoffDatabasesRemoved: 0 }
    writeFileSync(file, JSON.stringify({ writtenAt: new Date(1_004_000).toISOString(), pid: 1, reports: [report] }))
    const view = new StorageView({ ring: () => ring, devices: () => new Map(), replicatorStatusFile: file, counters: new StorageCounters() })
    const values = await replicationSampler(view, 60_000, () => 1_010_000).sample(1_010_000)
    expect(values).to.deep.equal({
      'storage.replication_backlog': 0,
      'storage.replication.last_pass_age_s': 6,
      'storage.replication.last_pass_s': 4,
      'storage.replication.last_pass_objects_pushed': 12,
      'storage.replication.last_pass_errors': 2,
    })
    expect(view.replication()).to.deep.include({ writtenAt: new Date(1_004_000).toISOString(), backlogPartitions: 0 })
  })
})
