/**
 * The replicator and storage policies other than 0: a container of policy 1 ("cheap", two
 * replicas, objects-1/ on each device, placed by object-1.ring.gz) has its objects moved to a
 * device added to the rings and a lost replica re-created, each checked on the devices against
 * policy 1's own ring. Directory devices, objects written through the Swift API.
 */
import { expect } from 'chai'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { changeRings, devicesHolding, replicateUntilQuiet, ringDevices } from '../harness/replication.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

describe('replicator: objects of storage policy 1 (directory devices)', function () {
  this.timeout(180_000)
  const OBJECTS = 200
  const names = Array.from({ length: OBJECTS }, (_, i) => `p/${i}`)
  let t: TestAppliance
  let url: (name: string) => string
  let headers: Record<string, string>

  before(async () => {
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
    t = await startTestAppliance({
      dataDir: mkdtempSync(join(base, 'velox-repl-pol-')),
      flags: {
        embedded: { devices: 3, partPower: 6, replicas: 3, minPartHours: 0 },
        replicator: { enabled: false, bytesPerSec: 1e9, filesPerSec: 1e6, concurrency: 8 },
        thumbnails: { enabled: false },
      },
    })
    const auth = await t.auth()
    headers = { 'X-Auth-Token': auth.token }
    const created = await fetch(`${auth.storageUrl}/cheap`, { method: 'PUT', headers: { ...headers, 'X-Storage-Policy': 'cheap' } })
    expect(created.status).to.equal(201)
    url = (name) => `${auth.storageUrl}/cheap/${encodeURIComponent(name)}`
    for (const name of names) {
      const r = await fetch(url(name), { method: 'PUT', headers, body: `body of ${name}` })
      expect(r.status, name).to.equal(201)
    }
  })
  after(async () => t?.stop())

  const policyRing = () => t.app.replication.rings().objectPolicies!.get(1)!
  /** Objects not on exactly the devices policy 1's ring names (in objects-1/). */
  function misplaced(): string[] {
    const wrong: string[] = []
    for (const name of names) {
      const want = ringDevices(policyRing(), 'AUTH_test', 'cheap', name)
      const have = devicesHolding(t.app.config.devicesDir, want.partition, want.hash, undefined, 1)
      if (have.join() !== want.devices.join()) wrong.push(`${name}: on ${have.join()} want ${want.devices.join()}`)
    }
    return wrong
  }

  it('starts with every object on its two policy-1 devices, none in objects/', () => {
    expect(policyRing().replicaCount).to.equal(2)
    expect(misplaced()).to.deep.equal([])
    const { partition, hash } = ringDevices(policyRing(), 'AUTH_test', 'cheap', names[0])
    expect(devicesHolding(t.app.config.devicesDir, partition, hash)).to.deep.equal([])
  })

  it('moves objects to a device added to the rings, by policy 1\'s ring', async () => {
    mkdirSync(join(t.app.config.devicesDir, 'd4'))
    const before = policyRing()
    await changeRings(t.app, (b) => b.addDevice({ region: 1, zone: 4, ip: '127.0.0.1', port: 8080, device: 'd4', weight: 100 }))
    expect(policyRing()).to.not.equal(before)
    expect(t.app.replication.replicator.settled(), 'settled on new rings before any pass').to.equal(false)
    const moving = names.filter((n) => ringDevices(policyRing(), 'AUTH_test', 'cheap', n).devices.includes('d4'))
    expect(moving.length).to.be.greaterThan(OBJECTS / 10)
    const totals = await replicateUntilQuiet(t.app)
    expect(totals.errors).to.equal(0)
    expect(totals.objectsPushed).to.be.at.least(moving.length)
    expect(misplaced()).to.deep.equal([])
    // The quiet pass that ended replicateUntilQuiet is idle: a ramp may take its next step.
    expect(totals.reports.map((r) => r.idle)).to.deep.equal([...Array(totals.passes - 1).fill(false), true])
    expect(t.app.replication.replicator.settled()).to.equal(true)
  })

  it('re-creates a replica removed from a device', async () => {
    const lost = names.slice(0, 20).map((name) => {
      const { partition, hash, devices } = ringDevices(policyRing(), 'AUTH_test', 'cheap', name)
      rmSync(join(t.app.config.devicesDir, devices[0], 'objects-1', String(partition), hash.slice(-3), hash), { recursive: true })
      t.app.devices.get(devices[0])!.objects.suffixHashes.invalidate(partition, hash.slice(-3), 1)
      return name
    })
    expect(misplaced()).to.have.length(lost.length)
    const totals = await replicateUntilQuiet(t.app)
    expect(totals.objectsPushed).to.equal(lost.length)
    expect(misplaced()).to.deep.equal([])
    for (const name of lost) expect(await (await fetch(url(name), { headers })).text()).to.equal(`body of ${name}`)
  })
})
