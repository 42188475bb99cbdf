/**
 * disks/ on real block devices: five sparse-file loop devices that Velox's own code discovers,
 * burns in, formats XFS, mounts by UUID, puts into the rings, drains, removes, replaces and
 * fails (xfs_io shutdown), and mounts again from its mount table after a "reboot". The OS disk
 * is refused. Needs root and loop devices (skips with the reason otherwise; CI is root).
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { replayMountTable } from '../../src/disks/appliance.js'
import { FailureMonitor } from '../../src/disks/failure.js'
import { addDisk, drainDisk, drainStatus, formatDisk, removeDisk, replaceDisk, settleRings } from '../../src/disks/lifecycle.js'
import { DiskService } from '../../src/disks/service.js'
import { VeloxError, isVeloxError } from '../../src/errors.js'
import { silentLog } from '../../src/lib/log.js'
import { Ring } from '../../src/ring/ring.js'
import { SystemCommands } from '../../src/system/commands.js'
import { LoopDisks, skipWithoutLoopDevices } from '../harness/loop-disks.js'

const run = promisify(execFile)
const SIZE_MB = 320

function service(disks: LoopDisks, include = disks.include): DiskService {
  return new DiskService({
    system: new SystemCommands({ devicesRoot: disks.devicesRoot }),
    etcDir: disks.etcDir,
    ring: { swiftDir: disks.etcDir, region: 1, zone: 1, ip: '127.0.0.1', port: 6200, partPower: 8, replicas: 3, minPartHours: 0 },
    log: silentLog,
    include,
    burnIn: { sampleBytes: 16 * 2 ** 20, regions: 4, selfTestPollMs: 100 },
  })
}

async function rejects(p: Promise<unknown>, kind: string, message?: RegExp): Promise<void> {
  try {
    await p
  } catch (err) {
    expect(isVeloxError(err), String(err)).to.equal(true)
    expect((err as { kind: string }).kind, (err as Error).message).to.equal(kind)
    if (message) expect((err as Error).message).to.match(message)
    return
  }
  expect.fail(`expected a ${kind} error`)
}

function objectRing(disks: LoopDisks): Ring {
  return Ring.load(join(disks.etcDir, 'object.ring.gz'), { hashPathPrefix: '', hashPathSuffix: 'x' })
}

describe('disks on loop devices (discover, burn-in, format, mount, rings, failure)', function () {
  this.timeout(120_000)
  let disks: LoopDisks
  let svc: DiskService
  const ids: string[] = []

  before(async function () {
    await skipWithoutLoopDevices(this)
    disks = await LoopDisks.create(5, SIZE_MB)
    svc = service(disks)
  })
  after(() => disks?.destroy())

  it('discovers exactly its loop devices, identified by backing file, blank, with SMART unavailable', async () => {
    const list = await svc.list()
    expect(list.map((d) => d.path)).to.deep.equal([...disks.devices].sort())
    for (const d of list) {
      expect(d.id).to.match(/^loop-[0-9a-f]{16}$/)
      expect(d).to.include({ kind: 'loop', media: 'virtual', sizeBytes: SIZE_MB * 2 ** 20, holdsOs: false, hasData: false, present: true, velox: null })
      expect(disks.images).to.include(d.backingFile)
      expect(d.smart?.available).to.equal(false)
    }
    ids.push(...disks.devices.map((dev) => list.find((d) => d.path === dev)!.id))
  })

  it('refuses to format or burn in the disk that holds the operating system', async () => {
    const all = service(disks, () => true)
    const os = (await all.discover()).find((d) => d.holdsOs)
    if (!os) return // a machine booted from something lsblk does not list as a disk
    await rejects(formatDisk(all, os.id), 'conflict', /in use|operating system/)
    await rejects(formatDisk(all, os.id, { confirmSerial: 'wrong' }), 'conflict')
    await rejects(all.burnIn(os.id), 'conflict')
  })

  it('burns a disk in: SMART self-test where supported, then a write-read-verify sample with progress and MB/s', async () => {
    const job = await svc.burnIn(ids[0]!)
    expect(job).to.include({ diskId: ids[0], kind: 'burn-in', state: 'running' })
    const done = await svc.jobs.wait(job.id)
    expect(done.state, done.message).to.equal('passed')
    expect(done.progress).to.equal(1)
    expect(done.bytesDone).to.equal(32 * 2 ** 20)
    const r = svc.registry.burnIn(ids[0]!)!
    expect(r).to.include({ passed: true, smartSelfTest: 'unsupported', bytesVerified: 16 * 2 ** 20 })
    expect(r.writeMBps).to.be.greaterThan(0)
    expect(r.readMBps).to.be.greaterThan(0)
  })

  it('needs the serial (or id) typed back to format a disk that has data', async () => {
    await run('mkfs.ext4', ['-q', '-F', disks.devices[4]!])
    const d = await svc.get(ids[4]!)
    expect(d).to.include({ hasData: true, needsConfirmation: true, confirmWith: ids[4] })
    await rejects(formatDisk(svc, ids[4]!), 'precondition-failed', /type its id/)
    await rejects(formatDisk(svc, ids[4]!, { confirmSerial: 'not-it' }), 'precondition-failed')
    await rejects(svc.burnIn(ids[4]!), 'precondition-failed')
    const f = await formatDisk(svc, ids[4]!, { confirmSerial: ids[4] })
    expect(f.velox?.state).to.equal('formatted')
  })

  it('formats XFS labelled vx-<device name>, mounts it by UUID with noatime under the devices root, and writes the identity file', async () => {
    const d = await formatDisk(svc, ids[0]!)
    const v = d.velox!
    expect(v).to.include({ deviceName: 'disk2', state: 'formatted', mountPoint: join(disks.devicesRoot, 'disk2') })
    expect(d.filesystem).to.deep.include({ fstype: 'xfs', label: 'vx-disk2', uuid: v.uuid })
    expect(d.veloxDevice).to.equal('disk2')
    const { stdout } = await run('findmnt', ['-J', '-n', '-o', 'SOURCE,FSTYPE,OPTIONS', '--mountpoint', v.mountPoint])
    const fs = JSON.parse(stdout).filesystems[0]
    expect(fs.source).to.equal(disks.devices[0])
    expect(fs.fstype).to.equal('xfs')
    expect(fs.options.split(',')).to.include('noatime')
    const id = JSON.parse(readFileSync(join(v.mountPoint, '.velox-device.json'), 'utf8'))
    expect(id).to.include({ deviceName: 'disk2', diskId: ids[0], clusterId: svc.registry.read().clusterId })
    // formatting again (a Velox disk now) needs the confirmation too; a burn-in needs it removed first
    await rejects(formatDisk(svc, ids[0]!), 'precondition-failed')
    await rejects(svc.burnIn(ids[0]!), 'conflict', /remove it before/)
  })

  it('adds a burnt-in disk to the three rings with its size in TiB as weight; refuses one without a burn-in', async () => {
    await rejects(addDisk(svc, ids[4]!), 'precondition-failed', /burn it in/)
    const d = await addDisk(svc, ids[0]!)
    const weight = Math.round((SIZE_MB / 2 ** 20) * 1e6) / 1e6
    // one device cannot hold 3 replicas: the builder waits for the third disk (Swift's rule)
    expect(d.velox).to.deep.include({ state: 'in-ring', weight, targetWeight: weight, partitions: { account: 0, container: 0, object: 0 } })
    for (const i of [1, 2]) {
      await formatDisk(svc, ids[i]!)
      await addDisk(svc, ids[i]!, { skipBurnIn: true })
    }
    for (const i of [0, 1, 2]) expect((await svc.get(ids[i]!)).velox!.partitions).to.deep.equal({ account: 256, container: 256, object: 256 })
    const ring = objectRing(disks)
    expect(ring.devices.filter(Boolean).map((x) => [x!.device, x!.weight, x!.region, x!.zone])).to.deep.equal([
      ['disk2', weight, 1, 1],
      ['disk3', weight, 1, 1],
      ['disk4', weight, 1, 1],
    ])
  })

  it('ramps a new disk in by 25 % steps; every ring change is a new ring file', async () => {
    await formatDisk(svc, ids[3]!)
    const d = await addDisk(svc, ids[3]!, { rampPercent: 25, skipBurnIn: true })
    const target = d.velox!.targetWeight!
    expect(d.velox!.weight).to.be.closeTo(target / 4, 1e-6)
    const parts: number[] = [d.velox!.partitions!.object]
    const weights: number[] = []
    // While the replicator still moves the last step's data, the ramp waits.
    expect(await settleRings(svc, () => false)).to.deep.equal({ ramped: [], rebalanced: false, waiting: 'replication' })
    expect((await svc.get(ids[3]!)).velox!.weight).to.be.closeTo(target / 4, 1e-6)
    for (let i = 0; i < 3; i++) {
      await settleRings(svc)
      const v = (await svc.get(ids[3]!)).velox!
      weights.push(v.weight)
      parts.push(v.partitions!.object)
    }
    expect(weights.map((w) => Math.round((w / target) * 100))).to.deep.equal([50, 75, 100])
    expect(parts[0]).to.be.greaterThan(0)
    for (let i = 1; i < parts.length; i++) expect(parts[i]).to.be.greaterThan(parts[i - 1]!)
    expect((await svc.get(ids[3]!)).velox!.rampPercent).to.equal(null)
    expect(objectRing(disks).devices.filter(Boolean)).to.have.length(4)
  })

  it('mounts every recorded disk again after a reboot (mount table replayed)', async () => {
    await disks.unmountAll()
    expect((await disks.mounts()).size).to.equal(0)
    const fresh = service(disks)
    const report = await replayMountTable(fresh, silentLog)
    expect(report.mounted.sort()).to.deep.equal(['disk1', 'disk2', 'disk3', 'disk4', 'disk5'])
    expect(report.failed).to.deep.equal({})
    expect([...(await disks.mounts()).keys()].sort()).to.deep.equal(['disk1', 'disk2', 'disk3', 'disk4', 'disk5'].map((n) => join(disks.devicesRoot, n)))
    const again = await replayMountTable(fresh, silentLog)
    expect(again.alreadyMounted).to.have.length(5)
  })

  it('drains a disk to zero partitions, then removes it from the rings and unmounts it', async () => {
    await rejects(removeDisk(svc, ids[1]!), 'conflict', /drain it first/)
    const d = await drainDisk(svc, ids[1]!)
    expect(d.velox).to.include({ state: 'draining', weight: 0 })
    // The next drain step (a rebalance) waits while the replicator still moves the last one's data.
    expect(await settleRings(svc, () => false)).to.deep.equal({ ramped: [], rebalanced: false, waiting: 'replication' })
    const s = drainStatus(svc, ids[1]!)
    expect(s).to.deep.include({ ringPartitions: 0, partitionsOnDisk: 0, drained: true })
    expect(s.bytesOnDisk).to.be.below(2 ** 20) // the empty filesystem's own metadata may move a little
    const r = await removeDisk(svc, ids[1]!)
    expect(r.state).to.equal('removed')
    expect(objectRing(disks).devices.filter(Boolean).map((x) => x!.device)).not.to.include(r.deviceName)
    expect((await disks.mounts()).has(join(disks.devicesRoot, r.deviceName))).to.equal(false)
    expect(existsSync(join(disks.devicesRoot, r.deviceName)), 'the empty mount point is gone').to.equal(false)
  })

  it('replaces a disk: the old one drains, its bay and serial are shown, the new one is formatted and added', async () => {
    const blank = await disks.attach(SIZE_MB)
    const fresh = service(disks)
    const newId = (await fresh.discover()).find((d) => d.path === blank)!.id
    const r = await replaceDisk(fresh, ids[0]!, { with: newId, skipBurnIn: true })
    expect(r.old).to.include({ id: ids[0], deviceName: 'disk2', state: 'draining', path: disks.devices[0] })
    expect(r.locateLed.ok).to.equal(false) // ledctl does not drive loop devices
    expect(r.new.velox?.state).to.equal('in-ring')
    expect(objectRing(disks).devices.filter(Boolean).map((x) => x!.device)).to.include(r.new.velox!.deviceName)
  })
  it('marks a disk whose filesystem shut down as failed: out of the rings, unmounted, the reason kept', async () => {
    // one more disk first, so that the rings can do without the failed one
    const spare = await disks.attach(SIZE_MB)
    const spareId = (await svc.discover()).find((d) => d.path === spare)!.id
    await formatDisk(svc, spareId)
    await addDisk(svc, spareId, { skipBurnIn: true })
    const victim = (await svc.get(ids[2]!)).velox!
    await svc.system.xfsShutdown(victim.mountPoint)
    await new FailureMonitor(svc).checkAll()
    const d = await svc.get(ids[2]!)
    expect(d.velox?.state).to.equal('failed')
    expect(d.velox?.failedReason).to.match(/EIO|EUCLEAN|shut down/)
    expect(objectRing(disks).devices.filter(Boolean).map((x) => x!.device)).not.to.include(victim.deviceName)
    expect((await disks.mounts()).has(victim.mountPoint)).to.equal(false)
    expect(existsSync(victim.mountPoint), 'the empty mount point is gone').to.equal(false)
  })


  it('fails a disk whose I/O errors cross the threshold (full-disk errors do not count); too few disks left keeps it in the rings', async () => {
    const monitor = new FailureMonitor(svc, { ioErrorThreshold: 3, windowMs: 60_000 })
    const rec = svc.registry.get(ids[3]!)!
    const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' })
    for (let i = 0; i < 5; i++) monitor.ioError(rec.deviceName, new VeloxError('insufficient-storage', 'full', undefined, { cause: enospc }))
    expect(svc.registry.get(ids[3]!)!.state).to.equal('in-ring')
    const eio = Object.assign(new Error('i/o error'), { code: 'EIO' })
    for (let i = 0; i < 3; i++) monitor.ioError(rec.deviceName, new VeloxError('unavailable', 'read failed', undefined, { cause: eio }))
    for (let i = 0; i < 50 && svc.registry.get(ids[3]!)!.state !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100))
    const failed = await svc.get(ids[3]!)
    expect(failed.velox).to.include({ state: 'failed' })
    expect(failed.velox!.failedReason).to.match(/^3 I\/O errors within 60 s \(last: EIO\)$/)
    // two weighted devices are left for three replicas: the rings keep it until a replacement joins
    expect(objectRing(disks).devices.filter(Boolean).map((x) => x!.device)).to.include(rec.deviceName)
    expect((await disks.mounts()).has(failed.velox!.mountPoint)).to.equal(false)
  })

  it('fails the burn-in of a disk with a bad zone, keeping the reason for the admin', async () => {
    const bad = await disks.attachFailing(64, 4)
    const d = (await svc.discover()).find((x) => x.path === bad)!
    const job = await svc.burnIn(d.id)
    const done = await svc.jobs.wait(job.id)
    expect(done.state).to.equal('failed')
    expect(done.message).to.match(/^(write|flush|read) failed at byte \d+: (ENOSPC|EIO)$|^data read back differs/)
    expect(svc.registry.burnIn(d.id)).to.include({ passed: false, reason: done.message })
    expect((await svc.get(d.id)).burnIn).to.include({ passed: false })
  })
})
