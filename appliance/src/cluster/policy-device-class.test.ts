import { expect } from 'chai'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../config/index.js'
import { policyProblems } from '../config/policies.js'
import { RingPlacement } from '../disks/ring-placement.js'
import { RingBuilder } from '../ring/builder.js'
import { StoragePolicies, objectRingName, policyTakesDisk } from './policies.js'

describe('storage policies of a device class', () => {
  it('a class-less policy takes every disk; ssd takes SSDs and NVMe; nvme and hdd only their own', () => {
    for (const m of ['hdd', 'ssd', 'nvme', 'virtual', undefined]) expect(policyTakesDisk(undefined, m), String(m)).to.equal(true)
    expect(['hdd', 'ssd', 'nvme', 'virtual', undefined].map((m) => policyTakesDisk('ssd', m))).to.deep.equal([false, true, true, false, false])
    expect(['hdd', 'ssd', 'nvme', 'virtual', undefined].map((m) => policyTakesDisk('nvme', m))).to.deep.equal([false, false, true, false, false])
    expect(['hdd', 'ssd', 'nvme', 'virtual', undefined].map((m) => policyTakesDisk('hdd', m))).to.deep.equal([true, false, false, false, false])
  })

  it('is configured as a policy with a deviceClass, which must be a known class', () => {
    expect(policyProblems([{ index: 0, name: 'standard' }, { index: 2, name: 'fast', deviceClass: 'ssd' }])).to.deep.equal([])
    expect(policyProblems([{ index: 0, name: 'standard' }, { index: 2, name: 'fast', deviceClass: 'flash' as never }])).to.have.length(1)
    const dir = mkdtempSync(join(tmpdir(), 'velox-policies-'))
    try {
      const c = loadConfig({ flags: { dataDir: dir, policies: [{ index: 0, name: 'standard', default: true }, { index: 2, name: 'fast', replicas: 2, deviceClass: 'ssd' }] } })
      const p = new StoragePolicies(c.policies, 3)
      expect(p.byName('fast')).to.include({ index: 2, deviceClass: 'ssd', replicas: 2 })
      expect(p.byName('standard')?.deviceClass).to.equal(undefined)
      // Swift's /info shows no device class (it has none).
      expect(p.info()).to.deep.equal([{ name: 'standard', aliases: 'standard', default: true }, { name: 'fast', aliases: 'fast' }])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("builds a class policy's ring from disks of that class only, the other rings from every disk", () => {
    const dir = mkdtempSync(join(tmpdir(), 'velox-class-rings-'))
    try {
      const policies = new StoragePolicies([{ index: 0, name: 'standard', default: true }, { index: 2, name: 'fast', replicas: 2, deviceClass: 'ssd' }], 3)
      const placement = new RingPlacement({
        swiftDir: dir,
        region: 1,
        zone: 1,
        ip: '127.0.0.1',
        port: 6200,
        partPower: 6,
        replicas: 3,
        minPartHours: 0,
        rings: [{ name: 'account', replicas: 3 }, { name: 'container', replicas: 3 }, ...policies.all.map((p) => ({ name: objectRingName(p.index), replicas: p.replicas }))],
        takes: Object.fromEntries(policies.all.map((p) => [objectRingName(p.index), (m: string | undefined) => policyTakesDisk(p.deviceClass, m)])),
      })
      const disks = [
        ['hdd1', 'hdd'],
        ['hdd2', 'hdd'],
        ['hdd3', 'hdd'],
        ['ssd1', 'ssd'],
        ['nvme1', 'nvme'],
      ] as const
      const ids = Object.fromEntries(disks.map(([name, media]) => [name, placement.add(name, 1, media)]))
      expect(Object.keys(ids.hdd1)).to.deep.equal(['account', 'container', 'object'])
      expect(Object.keys(ids.ssd1)).to.deep.equal(['account', 'container', 'object', 'object-2'])
      const devicesOf = (ring: string) => RingBuilder.load(join(dir, `${ring}.builder`)).liveDevices().map((d) => `${d.device} ${d.meta}`)
      expect(devicesOf('object')).to.deep.equal(['hdd1 media=hdd', 'hdd2 media=hdd', 'hdd3 media=hdd', 'ssd1 media=ssd', 'nvme1 media=nvme'])
      expect(devicesOf('object-2')).to.deep.equal(['ssd1 media=ssd', 'nvme1 media=nvme'])
      // Every partition of the fast ring sits on the two solid-state disks, one replica each.
      const fast = RingBuilder.load(join(dir, 'object-2.builder'))
      const parts = fast.partsPerDevice()
      expect(fast.liveDevices().map((d) => parts[d.id])).to.deep.equal([64, 64])
      // Taking a solid-state disk out would leave the fast ring one device for two replicas.
      expect(() => placement.remove(ids.nvme1)).to.throw(/object-2 ring would keep 1 devices for 2 replicas/)
      placement.remove(ids.hdd3)
      expect(devicesOf('object')).to.have.length(4)
      expect(devicesOf('object-2')).to.have.length(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
