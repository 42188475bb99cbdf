/**
 * The wizard's disk step on real disks (loop devices with XFS, formatted and added through
 * /api/admin/disks as the page does): a disk not added, a disk that vanishes between the
 * table and the step, too few disks for the copies; a disk taken out between the step and
 * the summary makes finish refuse and change nothing; then finish rebuilds every ring from
 * the chosen disks at the chosen replica count (the embedded default's directory devices
 * leave the rings) and a PUT/GET over HTTPS lands exactly that many copies on those disks;
 * a restart opens only those disks and still serves the object.
 * Needs root and loop devices (skips with the reason otherwise).
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { loadConfig } from '../../src/config/index.js'
import { silentLog } from '../../src/lib/log.js'
import { startAppliance, type Appliance } from '../../src/main.js'
import { LoopDisks, skipWithoutLoopDevices } from '../harness/loop-disks.js'
import { SetupClient, ringsOf, startNtpServer } from '../harness/setup-client.js'

const run = promisify(execFile)
const PASSWORD = 'Velvet-Otter-42!'

describe('setup wizard: the disk step on loop devices, applied to the rings', function () {
  this.timeout(150_000)
  let loops: LoopDisks
  let dir: string
  let box: Appliance
  let c: SetupClient
  let ntp: Awaited<ReturnType<typeof startNtpServer>>
  /** Disk ids in loop order: A and B are kept, C vanishes, D is taken out before finish. */
  const ids: string[] = []
  const names: Record<string, string> = {}

  const rings = () => ringsOf(join(dir, 'etc'))
  const start = () => {
    const flags = { dataDir: dir, devicesDir: loops.devicesRoot, bind: { host: '127.0.0.1', port: 0 }, https: { port: 0 }, log: { level: 'error' as const, requests: false }, disks: { only: loops.devices, burnInSampleMiB: 8 } }
    return startAppliance(loadConfig({ flags, env: {} }), silentLog, { setup: true })
  }
  let token: Record<string, string> = {}

  async function addDisk(id: string): Promise<void> {
    const f = await c.call('POST', `/api/admin/disks/${id}/format`, {})
    expect(f.status, f.text).to.equal(200)
    names[id] = (f.json.disk as { velox: { deviceName: string } }).velox.deviceName
    const a = await c.call('POST', `/api/admin/disks/${id}/add`, { skipBurnIn: true })
    expect([a.status, (a.json.disk as { velox: { state: string } } | undefined)?.velox.state], a.text).to.deep.equal([200, 'in-ring'])
  }

  before(async function () {
    await skipWithoutLoopDevices(this)
    loops = await LoopDisks.create(4, 320)
    dir = mkdtempSync(join(tmpdir(), 'velox-setup-disks-'))
    ntp = await startNtpServer()
    box = await start()
    c = new SetupClient(box.url)
  })

  after(async () => {
    ntp?.close()
    await box?.stop()
    await loops?.destroy()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('walks to the disk step and adds three of the four disks through the disks API', async () => {
    expect((await c.call('POST', '/api/setup/claim', { code: box.firstBoot.wizard.code.code })).status).to.equal(200)
    expect((await c.call('POST', '/api/setup/steps/admin', { user: 'ada', password: PASSWORD })).status).to.equal(200)
    expect((await c.call('POST', '/api/setup/steps/identity', { hostname: 'velox-disks', timeZone: 'UTC', ntp: [ntp.address] })).status).to.equal(200)
    const ifaces = (await c.call('GET', '/api/setup/interfaces')).json.interfaces as Array<{ name: string }>
    expect((await c.call('POST', '/api/setup/steps/network', { frontEnd: ifaces[0].name, mode: 'dhcp', dns: [] })).json.step).to.equal('disks')
    const list = (await c.call('GET', '/api/admin/disks')).json.disks as Array<{ id: string; path: string }>
    for (const dev of loops.devices) ids.push(list.find((d) => d.path === dev)!.id)
    for (const i of [0, 1, 3]) await addDisk(ids[i])
    expect(rings().object.devices).to.deep.equal(['d1', 'd2', 'd3', names[ids[0]], names[ids[1]], names[ids[3]]].sort())
  })

  it('refuses a disk not added, a disk that vanished, and too few disks for the copies', async () => {
    const [a, b, gone, d] = ids
    const step = (body: unknown) => c.call('POST', '/api/setup/steps/disks', body)
    expect((await step({ replicas: 2, acceptFewerCopies: true, devices: [a, b, gone] })).json.message).to.equal(`disk ${gone} is not added to the storage yet: test, format and add it first`)
    await run('losetup', ['-d', loops.devices[2]]) // unplugged between the table and the step
    expect((await step({ replicas: 2, acceptFewerCopies: true, devices: [a, b, gone] })).json.message).to.match(new RegExp(`^disk ${gone} is gone`))
    expect((await step({ replicas: 3, devices: [a, b] })).json.message).to.equal('3 copies need at least 3 disks (2 chosen)')
    expect((await step({ replicas: 2, devices: [a, b] })).json.message).to.match(/a second failure loses data: confirm/)
    const ok = await step({ replicas: 2, acceptFewerCopies: true, devices: [a, b, d] })
    expect([ok.status, ok.json.step]).to.deep.equal([200, 'cluster'])
    expect(ok.json.disks).to.include({ replicas: 2, builtIn: false })
    expect(rings().object.replicas, 'recorded, not applied yet').to.equal(3)
    expect((await c.call('POST', '/api/setup/steps/cluster', { mode: 'create' })).json.step).to.equal('https')
    expect((await c.call('POST', '/api/setup/steps/https', { mode: 'self-signed' })).json.step).to.equal('summary')
  })

  it('refuses to finish when a chosen disk left the storage since the step, changing nothing', async () => {
    const before = rings()
    expect((await c.call('POST', `/api/admin/disks/${ids[3]}/drain`, {})).status).to.equal(200)
    const done = await c.call('POST', '/api/setup/finish')
    expect([done.status, done.json.message]).to.deep.equal([400, `disk ${ids[3]} is not added to the storage yet: test, format and add it first`])
    expect(rings().object.replicas).to.equal(3)
    expect(rings().object.devices).to.deep.equal(before.object.devices)
    const status = await c.call('GET', '/api/setup/status')
    expect([status.json.pending, status.json.step]).to.deep.equal([true, 'summary'])
    expect(box.firstBoot.https.active).to.equal(false)
  })

  it('finishes with the rings holding only the chosen disks at the chosen count; PUT/GET over HTTPS keeps two copies on them', async () => {
    const [a, b] = ids
    expect((await c.call('POST', '/api/setup/steps/disks', { replicas: 2, acceptFewerCopies: true, devices: [a, b] })).json.step).to.equal('cluster')
    await c.call('POST', '/api/setup/steps/cluster', { mode: 'create' })
    await c.call('POST', '/api/setup/steps/https', { mode: 'self-signed' })
    const done = await c.call('POST', '/api/setup/finish')
    expect(done.status, done.text).to.equal(200)
    const chosen = [names[a], names[b]].sort()
    for (const [name, ring] of Object.entries(rings())) expect(ring, name).to.deep.equal({ replicas: 2, devices: chosen })

    const s = new SetupClient(done.json.httpsUrl as string, readFileSync(join(dir, 'etc', 'tls', 'cert.pem'), 'utf8'))
    const auth = await s.call('GET', '/auth/v1.0', undefined, { 'X-Auth-User': 'admin:ada', 'X-Auth-Key': PASSWORD })
    expect(auth.status).to.equal(200)
    token = { 'X-Auth-Token': String(auth.headers['x-auth-token']) }
    expect((await s.call('PUT', '/v1/AUTH_admin/disks', undefined, token)).status).to.equal(201)
    expect((await s.call('PUT', '/v1/AUTH_admin/disks/hello.json', { on: 'two disks' }, token)).status).to.equal(201)
    const got = await s.call('GET', '/v1/AUTH_admin/disks/hello.json', undefined, token)
    expect([got.status, got.json]).to.deep.equal([200, { on: 'two disks' }])

    const dataFiles = (device: string) => {
      const root = join(loops.devicesRoot, device)
      return existsSync(root) ? (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.data')).length : 0
    }
    expect(chosen.map(dataFiles), 'one copy on each chosen disk').to.deep.equal([1, 1])
    expect(['d1', 'd2', 'd3', names[ids[3]]].map(dataFiles), 'none on the others').to.deep.equal([0, 0, 0, 0])
  })

  it('comes back after a restart on the chosen disks only, the object still there', async () => {
    await box.stop()
    box = await start()
    expect(box.firstBoot.gated()).to.equal(false)
    expect([...box.devices.keys()].sort()).to.deep.equal([names[ids[0]], names[ids[1]]].sort())
    expect(rings().object).to.deep.equal({ replicas: 2, devices: [names[ids[0]], names[ids[1]]].sort() })
    const s = new SetupClient(box.firstBoot.https.url, readFileSync(join(dir, 'etc', 'tls', 'cert.pem'), 'utf8'))
    const got = await s.call('GET', '/v1/AUTH_admin/disks/hello.json', undefined, token)
    expect([got.status, got.json]).to.deep.equal([200, { on: 'two disks' }])
  })
})
