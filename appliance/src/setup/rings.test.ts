import { expect } from 'chai'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RingBuilder } from '../ring/builder.js'
import { readRingFile } from '../ring/ring-file.js'
import { replicaCountOf } from '../ring/types.js'
import { commitRings, planRings } from './rings.js'

const NAMES = ['account', 'container', 'object', 'object-1']

describe('setup/rings: the storage choice rebuilds the rings', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'velox-setup-rings-'))
    // The embedded default (d1..d3) plus two disks the disk step added (ids 3 and 4).
    for (const name of NAMES) {
      const b = RingBuilder.create(8, 3, 1)
      for (const dev of ['d1', 'd2', 'd3', 'vx1', 'vx2']) b.addDevice({ region: 1, zone: 1, ip: '127.0.0.1', port: 6200, device: dev, weight: dev.startsWith('d') ? 100 : 0.3 })
      b.rebalance({ seed: 1 })
      b.save(join(dir, `${name}.builder`))
      b.writeRing(join(dir, `${name}.ring.gz`))
    }
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps only the chosen devices, with their ids, at the chosen count; every partition on distinct devices', () => {
    const plans = planRings(dir, NAMES, { keep: ['vx1', 'vx2'], replicas: 2 })
    expect(commitRings(dir, plans)).to.equal(true)
    for (const name of NAMES) {
      const ring = readRingFile(join(dir, `${name}.ring.gz`))
      expect(replicaCountOf(ring.replica2part2dev), name).to.equal(2)
      expect(ring.devs.map((d) => d?.device ?? null)).to.deep.equal([null, null, null, 'vx1', 'vx2'])
      const [r0, r1] = ring.replica2part2dev
      for (let p = 0; p < r0.length; p++) expect(r0[p] !== r1[p] && [3, 4].includes(r0[p]) && [3, 4].includes(r1[p]), `part ${p}`).to.equal(true)
      const b = RingBuilder.load(join(dir, `${name}.builder`))
      expect(b.getBalance()).to.equal(0)
      expect(b.version).to.be.greaterThan(0)
    }
  })

  it('caps another policy at the chosen count and gives one copy on one disk', () => {
    const plans = planRings(dir, NAMES, { keep: ['vx2'], replicas: 1 })
    expect(plans.map((p) => [p.name, p.replicas, p.devices])).to.deep.equal(NAMES.map((n) => [n, 1, ['vx2']]))
    commitRings(dir, plans)
    expect(readRingFile(join(dir, 'object-1.ring.gz')).replica2part2dev).to.have.length(1)
  })

  it('leaves the rings untouched when they already are the choice (built-in storage, 3 copies)', () => {
    const mtime = statSync(join(dir, 'object.ring.gz')).mtimeMs
    const plans = planRings(dir, NAMES, { keep: 'all', replicas: 3 })
    expect(plans.every((p) => !p.changed)).to.equal(true)
    expect(commitRings(dir, plans)).to.equal(false)
    expect(statSync(join(dir, 'object.ring.gz')).mtimeMs).to.equal(mtime)
  })

  it('refuses a device not in a ring or too few devices, writing nothing', () => {
    const before = readFileSync(join(dir, 'object.builder'), 'utf8')
    expect(() => planRings(dir, NAMES, { keep: ['vx1', 'vx9'], replicas: 1 })).to.throw(/disk vx9 is not in the account ring: add it in the disk step first/)
    expect(() => planRings(dir, NAMES, { keep: ['vx1', 'vx2'], replicas: 3 })).to.throw(/3 copies need at least 3 devices; the account ring would have 2/)
    expect(() => planRings(dir, NAMES, { keep: 'all', replicas: 0 })).to.throw(/whole number/)
    expect(readFileSync(join(dir, 'object.builder'), 'utf8')).to.equal(before)
  })
})
