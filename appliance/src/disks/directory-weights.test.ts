/**
 * A real disk joining rings that the embedded default built over directory devices (weight 100
 * each): the directory devices are reweighted in the disks' unit (TiB, from their filesystem's
 * size, shared among them), so a 4 TiB disk takes the share its size warrants instead of 4/304
 * of it. A drained directory device stays at 0; the ring placement is read back from the rings.
 */
import { expect } from 'chai'
import { mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RingBuilder, ringPathForBuilder } from '../ring/builder.js'
import { directoryDeviceWeight } from './directory-weights.js'
import { RingPlacement, weightForSize } from './ring-placement.js'

describe('directory devices weighed in TiB when a disk joins', () => {
  let root: string
  let swiftDir: string
  const KINDS = ['account', 'container', 'object']
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'velox-dirw-'))
    swiftDir = join(root, 'etc')
    mkdirSync(swiftDir)
    mkdirSync(join(root, 'devices'))
    for (const d of ['d1', 'd2', 'd3', 'd4']) mkdirSync(join(root, 'devices', d))
    // As ensureEmbeddedDefault builds them: directory devices of weight 100.
    for (const kind of KINDS) {
      const b = RingBuilder.create(6, 3, 0)
      for (let i = 1; i <= 4; i++) b.addDevice({ region: 1, zone: i, ip: '127.0.0.1', port: 8080, device: `d${i}`, weight: 100 })
      b.rebalance()
      b.setDeviceWeight(3, 0) // d4 drained
      b.pretendMinPartHoursPassed()
      b.rebalance()
      b.save(join(swiftDir, `${kind}.builder`))
      b.writeRing(ringPathForBuilder(join(swiftDir, `${kind}.builder`)))
    }
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('gives each its share of the filesystem, in TiB, and the disk its fair share of partitions', () => {
    const devices = join(root, 'devices')
    mkdirSync(join(devices, 'disk1')) // the disk's mount point (a disk by the mount table)
    const isDisk = (n: string) => n === 'disk1'
    const fs = statfsSync(devices)
    // d1..d4 share the devices root's filesystem (disk1 is a disk, so it does not count).
    const share = weightForSize((fs.blocks * fs.bsize) / 4)
    expect(directoryDeviceWeight(devices, 'd1', isDisk)).to.equal(share)
    expect(directoryDeviceWeight(devices, 'disk1', isDisk)).to.equal(undefined)
    expect(directoryDeviceWeight(devices, 'elsewhere', isDisk)).to.equal(undefined)

    const rings = new RingPlacement({ swiftDir, region: 1, zone: 5, ip: '127.0.0.1', port: 8080, partPower: 6, replicas: 3, minPartHours: 0, directoryWeight: (n) => directoryDeviceWeight(devices, n, isDisk) })
    const ids = rings.add('disk1', 4)
    for (const kind of KINDS) {
      const b = RingBuilder.load(join(swiftDir, `${kind}.builder`))
      const weights = Object.fromEntries(b.liveDevices().map((d) => [d.device, d.weight]))
      expect(weights, kind).to.deep.equal({ d1: share, d2: share, d3: share, d4: 0, disk1: 4 })
      // 4 TiB beside a small filesystem: the disk holds a replica of (nearly) every partition,
      // where weight 100 for the directories would have given it about 4/304 of them.
      expect(b.partsPerDevice()[ids[kind]!], kind).to.be.at.least(Math.floor(64 * 0.9))
    }
  })
})
