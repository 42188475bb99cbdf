/**
 * /api/admin/disks against a running appliance with two loop devices to manage: the list,
 * a burn-in polled to its end, format with the typed confirmation, add (and the running
 * appliance loading the new rings and opening the new device), drain; admins only, CSRF on
 * POST. Needs root and loop devices (skips with the reason otherwise).
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { LoopDisks, skipWithoutLoopDevices } from '../harness/loop-disks.js'
import { WebClient } from '../harness/web-client.js'

const run = promisify(execFile)

describe('/api/admin/disks', function () {
  this.timeout(120_000)
  let disks: LoopDisks
  let v: TestAppliance
  let admin: WebClient
  const ids: string[] = []

  before(async function () {
    await skipWithoutLoopDevices(this)
    disks = await LoopDisks.create(2, 320)
    await run('mkfs.ext4', ['-q', '-F', disks.devices[1]!])
    v = await startTestAppliance({
      users: [{ account: 'test', user: 'tester', key: 'testing', admin: true }, { account: 'test', user: 'reader', key: 'reading' }],
      flags: { devicesDir: disks.devicesRoot, disks: { only: disks.devices, burnInSampleMiB: 8 } },
    })
    admin = new WebClient(v.url)
    await admin.login()
  })
  after(async () => {
    await v?.stop()
    await disks?.destroy()
  })

  it('lists only the managed disks, for admins only', async () => {
    const r = await admin.fetch('/api/admin/disks')
    expect(r.status).to.equal(200)
    const body = (await r.json()) as { disks: Array<{ id: string; path: string; hasData: boolean; confirmWith: string; velox: unknown; smart: { available: boolean } }> }
    expect(body.disks.map((d) => d.path)).to.deep.equal([...disks.devices].sort())
    for (const dev of disks.devices) ids.push(body.disks.find((d) => d.path === dev)!.id)
    expect(body.disks.find((d) => d.path === disks.devices[1])).to.include({ hasData: true, confirmWith: ids[1] })
    expect(body.disks[0]!.smart.available).to.equal(false)

    const reader = new WebClient(v.url)
    await reader.login('test', 'reader', 'reading')
    expect((await reader.fetch('/api/admin/disks')).status).to.equal(403)
    expect((await new WebClient(v.url).fetch('/api/admin/disks')).status).to.equal(401)
    expect((await admin.fetch(`/api/admin/disks/${ids[0]}/burn-in`, { method: 'POST', csrf: false })).status).to.equal(403)
  })

  it('runs a burn-in as a job polled to its end, then formats, adds and drains through the API', async () => {
    const start = await admin.fetch(`/api/admin/disks/${ids[0]}/burn-in`, { method: 'POST', json: {} })
    expect(start.status).to.equal(202)
    let job = ((await start.json()) as { job: { id: string; state: string; progress: number; mbps: number; message: string } }).job
    while (job.state === 'running') {
      await new Promise((r) => setTimeout(r, 100))
      job = ((await (await admin.fetch(`/api/admin/disks/jobs/${job.id}`)).json()) as { job: typeof job }).job
    }
    expect(job.state, job.message).to.equal('passed')
    expect(job.progress).to.equal(1)

    const format = await admin.fetch(`/api/admin/disks/${ids[0]}/format`, { method: 'POST', json: {} })
    expect(format.status, await format.clone().text()).to.equal(200)
    const formatted = ((await format.json()) as { disk: { velox: { deviceName: string; state: string } } }).disk
    expect(formatted.velox.state).to.equal('formatted')

    const add = await admin.fetch(`/api/admin/disks/${ids[0]}/add`, { method: 'POST', json: {} })
    expect(add.status, await add.clone().text()).to.equal(200)
    expect(((await add.json()) as { disk: { velox: { state: string } } }).disk.velox.state).to.equal('in-ring')
    // the running appliance has loaded the new rings and opened the new device
    expect(v.app.devices.has(formatted.velox.deviceName)).to.equal(true)

    const one = (await (await admin.fetch(`/api/admin/disks/${ids[0]}`)).json()) as { disk: { velox: { state: string } }; job: { state: string } }
    expect(one.disk.velox.state).to.equal('in-ring')
    expect(one.job.state).to.equal('passed')
    const listed = (await (await admin.fetch('/api/admin/disks')).json()) as { jobs: Record<string, { state: string; diskId: string }> }
    expect(listed.jobs[ids[0]!]).to.include({ state: 'passed', diskId: ids[0] })
    expect(listed.jobs).not.to.have.property(ids[1]!)

    const drain = await admin.fetch(`/api/admin/disks/${ids[0]}/drain`, { method: 'POST' })
    expect(drain.status, await drain.clone().text()).to.equal(200)
    const drained = (await drain.json()) as { disk: { velox: { state: string; weight: number } }; drain: { ringPartitions: number } }
    expect(drained.disk.velox).to.include({ weight: 0 })
    expect(drained.drain).to.have.property('ringPartitions')
  })

  it('answers 412 with the reason when a disk with data is formatted without its id or serial typed back', async () => {
    const r = await admin.fetch(`/api/admin/disks/${ids[1]}/format`, { method: 'POST', json: { confirmSerial: 'nope' } })
    expect(r.status).to.equal(412)
    const body = (await r.json()) as { kind: string; message: string }
    expect(body.kind).to.equal('precondition-failed')
    expect(body.message).to.include(ids[1])
    expect((await admin.fetch('/api/admin/disks/..%2Fetc/format', { method: 'POST', json: {} })).status).to.be.oneOf([400, 404])
  })

  it('runs one operation per disk at a time: a second format while the first runs is a conflict', async () => {
    const format = () => admin.fetch(`/api/admin/disks/${ids[1]}/format`, { method: 'POST', json: { confirmSerial: ids[1] } })
    const statuses = (await Promise.all([format(), format()])).map((r) => r.status).sort()
    expect(statuses).to.deep.equal([200, 409])
  })
})
