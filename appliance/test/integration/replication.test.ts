/**
 * The replicator on one box with directory devices: a device added to a box holding 10,000
 * objects fills up to its ring share while every client read succeeds; on a smaller box, a
 * drained device empties under a steady read/write load and leaves the ring, and a tombstone
 * written while a device was away wins when it comes back. Objects are written through the
 * Swift API (or seeded straight onto the ring's devices, for the 10,000) and read through it;
 * where replicas are is checked on the devices against the ring.
 */
import { expect } from 'chai'
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { changeRings, clientLoad, deviceId, devicesHolding, replicateUntilQuiet, ringDevices, seedObjects } from '../harness/replication.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const bodyOf = (name: string) => `body of ${name}`

/** A box of `devices` directory devices holding `objects` objects in AUTH_test/c. Devices are
 *  in memory where there is /dev/shm: what is measured is the replicator, not the fsyncs of a
 *  disk that other jobs share. */
function box(devices: number, objects: number, replicator: Record<string, number> = {}) {
  const names = Array.from({ length: objects }, (_, i) => `o/${i}`)
  const f = {
    t: undefined as unknown as TestAppliance,
    names,
    storageUrl: '',
    headers: {} as Record<string, string>,
    async start() {
      const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
      f.t = await startTestAppliance({
        dataDir: mkdtempSync(join(base, 'velox-repl-')),
        flags: {
          embedded: { devices, partPower: 8, replicas: 3, minPartHours: 0 },
          replicator: { enabled: false, bytesPerSec: 1e9, filesPerSec: 1e6, concurrency: 8, ...replicator },
          thumbnails: { enabled: false },
        },
      })
      const auth = await f.t.auth()
      f.storageUrl = auth.storageUrl
      f.headers = { 'X-Auth-Token': auth.token }
      expect((await fetch(`${f.storageUrl}/c`, { method: 'PUT', headers: f.headers })).status).to.equal(201)
      await seedObjects(f.t.app, 'AUTH_test', 'c', names, bodyOf)
    },
    url: (name: string) => `${f.storageUrl}/c/${encodeURIComponent(name)}`,
    async put(name: string) {
      const r = await fetch(f.url(name), { method: 'PUT', headers: f.headers, body: bodyOf(name) })
      if (r.status !== 201) throw new Error(`PUT ${name}: ${r.status}`)
    },
    async get(name: string) {
      const r = await fetch(f.url(name), { headers: f.headers })
      const text = await r.text()
      if (r.status !== 200 || text !== bodyOf(name)) throw new Error(`GET ${name}: ${r.status}`)
    },
    /** Objects not on exactly the devices the object ring names. */
    misplaced(list: readonly string[]) {
      const ring = f.t.app.replication.rings().object
      const wrong: string[] = []
      for (const name of list) {
        const want = ringDevices(ring, 'AUTH_test', 'c', name)
        const have = devicesHolding(f.t.app.config.devicesDir, want.partition, want.hash)
        if (have.join() !== want.devices.join()) wrong.push(`${name}: on ${have.join()} want ${want.devices.join()}`)
      }
      return wrong
    },
    /** The container's object count on each device the container ring names. */
    async containerCounts() {
      const { nodes } = f.t.app.replication.rings().container.getNodes('AUTH_test', 'c')
      return Promise.all(nodes.map(async (n) => (await f.t.app.devices.get(n.device)?.dbs.getContainer('AUTH_test', 'c'))?.objectCount))
    },
  }
  return f
}

describe('replicator: a device added to a box of 10,000 objects (directory devices)', function () {
  this.timeout(420_000)
  const OBJECTS = 10_000
  const f = box(3, OBJECTS)
  before(() => f.start())
  after(async () => f.t?.stop())

  it('moves its ring share there while every read succeeds', async () => {
    const app = f.t.app
    const before = app.replication.rings().object
    mkdirSync(join(app.config.devicesDir, 'd4'))
    await changeRings(app, (b) => b.addDevice({ region: 1, zone: 4, ip: '127.0.0.1', port: 8080, device: 'd4', weight: 100 }))
    const after = app.replication.rings().object
    let ideal = 0
    for (const name of f.names) {
      const was = ringDevices(before, 'AUTH_test', 'c', name).devices
      ideal += ringDevices(after, 'AUTH_test', 'c', name).devices.filter((d) => !was.includes(d)).length
    }
    const reads = clientLoad(2, (i) => f.get(f.names[(i * 7919) % OBJECTS]))
    const totals = await replicateUntilQuiet(app)
    const load = await reads.stop()
    expect(load.failures, load.failures.slice(0, 3).join('; ')).to.deep.equal([])
    expect(load.ok).to.be.greaterThan(100)
    expect(totals.errors).to.equal(0)
    expect(f.misplaced(f.names)).to.deep.equal([])
    // The ring gives the new device a quarter of the replicas, and every object is now exactly
    // where the ring says (above): the moves were at least the ideal. The replicator pushed no
    // more than that; reads that found the new device empty repaired some themselves
    // (cluster/read-repair.ts), so it may have pushed fewer.
    expect(Math.abs(ideal - (OBJECTS * 3) / 4) / ((OBJECTS * 3) / 4)).to.be.below(0.05)
    expect(totals.objectsPushed, `${totals.objectsPushed} pushed, ${ideal} ideal`).to.be.at.most(ideal * 1.02)
    expect(await f.containerCounts()).to.deep.equal([OBJECTS, OBJECTS, OBJECTS])
  })
})

describe('replicator: gives way to clients (its busy share)', function () {
  this.timeout(120_000)
  const OBJECTS = 120
  // 40 files/s alone, a quarter of that while clients are served.
  const f = box(3, OBJECTS, { filesPerSec: 40, busyShare: 0.25 })
  before(() => f.start())
  after(async () => f.t?.stop())

  it('moves at a quarter of its rate while reads go on, and all of it once they stop', async () => {
    const app = f.t.app
    mkdirSync(join(app.config.devicesDir, 'd4'))
    await changeRings(app, (b) => b.addDevice({ region: 1, zone: 4, ip: '127.0.0.1', port: 8080, device: 'd4', weight: 100 }))
    // Clients that list the container: reads of the objects would repair the new device's share
    // themselves (read-repair) and leave the replicator nothing to move.
    const reads = clientLoad(2, async () => {
      const r = await fetch(`${f.storageUrl}/c?limit=10`, { headers: f.headers })
      if (r.status !== 200) throw new Error(`GET listing: ${r.status}`)
      await r.arrayBuffer()
    })
    const started = performance.now()
    const first = await app.replication.replicator.runOnce()
    const seconds = (performance.now() - started) / 1000
    const load = await reads.stop()
    expect(load.failures, load.failures.slice(0, 3).join('; ')).to.deep.equal([])
    // Every push takes a file token: at 10 a second after the first second's 10, the pass
    // cannot have been quicker than this, however fast the machine.
    const pushed = first.objectsPushed
    expect(pushed).to.be.greaterThan(50)
    expect(seconds, `${pushed} pushed in ${seconds.toFixed(1)} s`).to.be.at.least((pushed - 10) / 10 - 0.5)
    // Without clients the rest goes at the full rate and everything ends where the ring says.
    await replicateUntilQuiet(app)
    expect(f.misplaced(f.names)).to.deep.equal([])
  })
})

describe('replicator: one push per lacking replica', function () {
  this.timeout(120_000)
  const f = box(3, 300)
  before(() => f.start())
  after(async () => f.t?.stop())

  it('sends each object the new device lacks once, not once from every holder', async () => {
    const app = f.t.app
    mkdirSync(join(app.config.devicesDir, 'd4'))
    await changeRings(app, (b) => b.addDevice({ region: 1, zone: 4, ip: '127.0.0.1', port: 8080, device: 'd4', weight: 100 }))
    // Every object write the new device receives (its own store's put, watched, not replaced).
    const d4 = app.devices.get('d4')!.objects
    const put = d4.put.bind(d4)
    let writes = 0
    d4.put = (...args: Parameters<typeof put>) => {
      writes++
      return put(...args)
    }
    const totals = await replicateUntilQuiet(app)
    expect(totals.errors).to.equal(0)
    expect(totals.objectsPushed).to.be.greaterThan(150) // about 3/4 of 300
    // The three holders of each object all find d4 lacking it; one of them sends it.
    expect(writes, `${writes} writes for ${totals.objectsPushed} objects pushed`).to.equal(totals.objectsPushed)
    expect(f.misplaced(f.names)).to.deep.equal([])
  })
})

describe('replicator: drain, remove and tombstones on a box of 1,000 objects (directory devices)', function () {
  this.timeout(300_000)
  const OBJECTS = 1000
  const f = box(4, OBJECTS)
  before(() => f.start())
  after(async () => f.t?.stop())

  it('drains and removes a device under a steady read/write load without a failed request', async () => {
    const app = f.t.app
    const written: string[] = []
    let n = 0
    const load = clientLoad(3, async (i) => {
      if (i % 3 === 0) {
        const name = `w/${n++}`
        await f.put(name)
        written.push(name)
      } else await f.get(f.names[(i * 104729) % OBJECTS])
    })
    try {
      await changeRings(app, (b) => b.setDeviceWeight(deviceId(b, 'd4'), 0))
      await replicateUntilQuiet(app, 6, true)
      await changeRings(app, (b) => b.removeDevice(deviceId(b, 'd4')))
      await replicateUntilQuiet(app, 6, true)
    } finally {
      const result = await load.stop()
      expect(result.failures, result.failures.slice(0, 3).join('; ')).to.deep.equal([])
      expect(written.length).to.be.greaterThan(10)
    }
    // Writes made while d4 was still in the ring may have landed there: one more pass sends them home.
    await replicateUntilQuiet(app)
    expect(f.misplaced([...f.names, ...written])).to.deep.equal([])
    expect(readdirSync(join(app.config.devicesDir, 'd4', 'objects'))).to.deep.equal([])
    expect(await f.containerCounts()).to.deep.equal(Array(3).fill(OBJECTS + written.length))
  })

  it('keeps an object deleted while a device was away deleted when the device returns', async () => {
    const app = f.t.app
    const name = f.names[42]
    const { partition, hash, devices } = ringDevices(app.replication.rings().object, 'AUTH_test', 'c', name)
    const awayName = devices[2]
    const away = app.devices.get(awayName)!
    app.devices.delete(awayName) // unreachable: placement and the replicator no longer see it
    try {
      const r = await fetch(f.url(name), { method: 'DELETE', headers: f.headers })
      expect(r.status).to.equal(204)
    } finally {
      app.devices.set(awayName, away)
    }
    expect(devicesHolding(app.config.devicesDir, partition, hash)).to.deep.equal([awayName])
    await replicateUntilQuiet(app)
    expect(devicesHolding(app.config.devicesDir, partition, hash)).to.deep.equal([])
    expect((await fetch(f.url(name), { headers: f.headers })).status).to.equal(404)
    for (const dev of devices) {
      const listed = await app.devices.get(dev)!.dbs.listObjects('AUTH_test', 'c', { prefix: name, limit: 10 })
      expect(listed.map((e) => ('name' in e ? e.name : e.subdir)), dev).to.not.include(name)
    }
  })
})
