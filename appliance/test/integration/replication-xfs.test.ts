/**
 * A device that dies under load, on real XFS loop devices: the filesystem of one of three
 * devices is shut down (`xfs_io -x -c shutdown`: every later call fails with EIO) while clients
 * read and write; every request still succeeds (quorum, read fallback). The dead device is then
 * replaced in the ring by a fresh one and replication brings every object back to 3 replicas.
 * Needs root and loop devices; skips with the reason otherwise.
 */
import { expect } from 'chai'
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loopDevicesUnavailable, ScratchDisk } from '../harness/objects/scratch-disk.js'
import { changeRings, clientLoad, deviceId, devicesHolding, inParallel, replicateUntilQuiet, ringDevices } from '../harness/replication.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const OBJECTS = 300

describe('replicator: a device dies under load (XFS loop devices)', function () {
  this.timeout(180_000)
  const disks: ScratchDisk[] = []
  let t: TestAppliance | undefined

  before(async function () {
    const why = await loopDevicesUnavailable()
    if (why) {
      console.log(`      skipped: ${why}`)
      this.skip()
    }
  })
  after(async () => {
    await t?.stop()
    for (const d of disks) await d.destroy()
  })

  it('serves every request while a device dies, and has 3 replicas again after it is replaced', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'velox-repl-xfs-'))
    const devicesDir = join(dataDir, 'devices')
    mkdirSync(devicesDir, { recursive: true })
    for (const name of ['d1', 'd2', 'd3', 'd4']) {
      const disk = await ScratchDisk.create({ fs: 'xfs', sizeMb: 320 })
      disks.push(disk)
      symlinkSync(disk.dir, join(devicesDir, name))
    }
    t = await startTestAppliance({
      dataDir,
      flags: { embedded: { devices: 3, partPower: 6, replicas: 3, minPartHours: 0 }, replicator: { enabled: false, bytesPerSec: 1e9, filesPerSec: 1e6 }, thumbnails: { enabled: false } },
    })
    const app = t.app
    const { storageUrl, token } = await t.auth()
    const headers = { 'X-Auth-Token': token }
    const url = (name: string) => `${storageUrl}/c/${encodeURIComponent(name)}`
    expect((await fetch(`${storageUrl}/c`, { method: 'PUT', headers })).status).to.equal(201)
    const names = Array.from({ length: OBJECTS }, (_, i) => `o${i}`)
    const put = async (name: string) => {
      const r = await fetch(url(name), { method: 'PUT', headers, body: `body ${name}` })
      if (r.status !== 201) throw new Error(`PUT ${name}: ${r.status}`)
    }
    await inParallel(names, 8, put)

    const written: string[] = []
    let n = 0
    const load = clientLoad(4, async (i) => {
      if (i % 2 === 0) {
        const name = `w${n++}`
        await put(name)
        written.push(name)
        return
      }
      const name = names[(i * 31) % OBJECTS]
      const r = await fetch(url(name), { headers })
      if (r.status !== 200 || (await r.text()) !== `body ${name}`) throw new Error(`GET ${name}: ${r.status}`)
    })
    await new Promise((r) => setTimeout(r, 1000))
    await disks[1].shutdown() // d2 dies
    await new Promise((r) => setTimeout(r, 3000))
    const result = await load.stop()
    expect(result.failures, result.failures.slice(0, 3).join('; ')).to.deep.equal([])
    expect(written.length).to.be.greaterThan(5)

    // Replace: the dead device leaves the box and the ring, a fresh one (d4) joins.
    app.devices.delete('d2')
    await changeRings(app, (b) => {
      b.removeDevice(deviceId(b, 'd2'))
      b.addDevice({ region: 1, zone: 4, ip: '127.0.0.1', port: 8080, device: 'd4', weight: 100 })
    })
    await replicateUntilQuiet(app)
    const ring = app.replication.rings().object
    const live = ['d1', 'd3', 'd4']
    for (const name of [...names, ...written]) {
      const want = ringDevices(ring, 'AUTH_test', 'c', name)
      const have = devicesHolding(devicesDir, want.partition, want.hash, live)
      expect(have, name).to.deep.equal(live)
    }
  })
})
