/**
 * An appliance that stores on its own disks: four loop devices formatted XFS and placed in the
 * rings by disks/, then `startAppliance` on them (mountCheck on). Objects survive a restart
 * after every disk was unmounted (the mount table is replayed before the devices open); a disk
 * whose filesystem shuts down mid-load is marked failed by the appliance itself while reads
 * and writes go on, and it leaves the rings and the open devices. Needs root and loop devices.
 */
import { expect } from 'chai'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type ConfigOverrides } from '../../src/config/index.js'
import { createDiskService } from '../../src/disks/appliance.js'
import { addDisk, formatDisk } from '../../src/disks/lifecycle.js'
import { silentLog } from '../../src/lib/log.js'
import { Ring } from '../../src/ring/ring.js'
import { LoopDisks, skipWithoutLoopDevices } from '../harness/loop-disks.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

describe('an appliance on its own disks (restart, a disk dying under load)', function () {
  this.timeout(120_000)
  let disks: LoopDisks
  let dataDir: string
  let flags: ConfigOverrides
  let v: TestAppliance | undefined
  let auth: { token: string; storageUrl: string }
  const names: string[] = []

  const put = (name: string, body: string) => fetch(`${auth.storageUrl}/c/${name}`, { method: 'PUT', headers: { 'X-Auth-Token': auth.token }, body })
  const get = async (name: string) => {
    const r = await fetch(`${auth.storageUrl}/c/${name}`, { headers: { 'X-Auth-Token': auth.token } })
    return { status: r.status, body: await r.text() }
  }
  const start = async () => {
    v = await startTestAppliance({ dataDir, flags })
    auth = await v.auth()
  }

  before(async function () {
    await skipWithoutLoopDevices(this)
    disks = await LoopDisks.create(4, 320)
    dataDir = mkdtempSync(join(tmpdir(), 'velox-disk-app-'))
    flags = {
      devicesDir: disks.devicesRoot,
      mountCheck: true,
      embedded: { partPower: 8, minPartHours: 0 },
      disks: { only: disks.devices, failureCheckSec: 1 },
      log: { level: 'error', requests: false },
    }
    const svc = createDiskService(loadConfig({ flags: { dataDir, ...flags }, env: {} }), silentLog)
    for (const d of await svc.discover()) {
      await formatDisk(svc, d.id)
      const added = await addDisk(svc, d.id, { skipBurnIn: true })
      names.push(added.velox!.deviceName)
    }
    await start()
  })
  after(async () => {
    await v?.stop({ keepData: true })
    await disks?.destroy()
  })

  it('stores objects on the formatted disks, which joined every ring (each storage policy\'s too)', async () => {
    expect([...v!.app.devices.keys()].sort()).to.deep.equal([...names].sort())
    for (const ring of ['account', 'container', 'object', 'object-1']) {
      const devs = Ring.load(join(dataDir, 'etc', `${ring}.ring.gz`), { hashPathPrefix: '', hashPathSuffix: 'x' }).devices
      expect(devs.filter(Boolean).map((d) => d!.device).sort(), ring).to.deep.equal([...names].sort())
    }
    expect((await fetch(`${auth.storageUrl}/c`, { method: 'PUT', headers: { 'X-Auth-Token': auth.token } })).status).to.equal(201)
    for (let i = 0; i < 30; i++) expect((await put(`o${i}`, `body ${i}`)).status).to.equal(201)
    for (let i = 0; i < 30; i++) expect(await get(`o${i}`)).to.deep.equal({ status: 200, body: `body ${i}` })
  })

  it('mounts every disk again at restart and serves the same objects', async () => {
    await v!.stop({ keepData: true })
    v = undefined
    await disks.unmountAll()
    await start()
    expect((await disks.mounts()).size).to.equal(4)
    expect(v!.app.devices.size).to.equal(4)
    for (let i = 0; i < 30; i++) expect(await get(`o${i}`)).to.deep.equal({ status: 200, body: `body ${i}` })
  })

  it('marks a disk whose filesystem shut down as failed while reads and writes go on', async () => {
    const victim = names[0]!
    await v!.app.disks.system.xfsShutdown(join(disks.devicesRoot, victim))
    const failures: string[] = []
    const deadline = Date.now() + 20_000
    let i = 0
    for (;;) {
      const w = await put(`n${i}`, `new ${i}`)
      if (w.status !== 201) failures.push(`PUT n${i}: ${w.status}`)
      const r = await get(`o${i % 30}`)
      if (r.status !== 200 || r.body !== `body ${i % 30}`) failures.push(`GET o${i % 30}: ${r.status}`)
      i++
      const rec = v!.app.disks.registry.byDeviceName(victim)
      if (rec?.state === 'failed' && i >= 20) break
      if (Date.now() > deadline) expect.fail(`${victim} was not marked failed (state ${rec?.state})`)
    }
    expect(failures, failures.join('\n')).to.deep.equal([])
    const rec = v!.app.disks.registry.byDeviceName(victim)!
    expect(rec.failedReason).to.match(/EIO|EUCLEAN|shut down|I\/O errors/)
    expect(v!.app.devices.has(victim)).to.equal(false)
    for (let k = 0; k < i; k++) expect((await get(`n${k}`)).status, `n${k}`).to.equal(200)
  })
})
