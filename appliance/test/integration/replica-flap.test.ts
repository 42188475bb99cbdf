/**
 * Replicas never go back in time (issue 11 items 8 and 10), on a real appliance with three
 * directory-backed devices and three replicas:
 * - device flap: d1's object tree becomes unreadable (renamed away, a file in its place, so
 *   every call fails as on a dead disk) while objects are deleted, overwritten and POSTed;
 *   then it comes back. Nothing stale is served, before or after a restart, and read repair
 *   brings d1 up to date (checked on its files and by reading with the old first-replica rule).
 * - damaged replicas: flipped bits (same size) in the replica read first: a full GET and a
 *   Range GET serve the right bytes from another replica, and the damaged copy is re-created;
 *   a damaged replica the auditor finds is re-created at once, before any read (replicator off).
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadRings } from '../../src/cluster/bootstrap.js'
import { hashDirOf } from '../../src/store/objects/layout.js'
import type { ConfigOverrides } from '../../src/config/index.js'
import { createLog } from '../../src/lib/log.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex')
const FLAGS: ConfigOverrides = { thumbnails: { enabled: false } }

interface Client {
  velox: TestAppliance
  token: string
  base: string
}

async function connect(velox: TestAppliance): Promise<Client> {
  const { token, storageUrl } = await velox.auth()
  return { velox, token, base: storageUrl }
}

async function req(c: Client, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) {
  const r = await fetch(`${c.base}/${path}`, { method, headers: { 'X-Auth-Token': c.token, ...headers }, body })
  const bytes = Buffer.from(await r.arrayBuffer())
  return { status: r.status, headers: r.headers, body: bytes }
}

/** Where an object's replicas live: partition, hash and the devices in ring order. */
function placementOf(velox: TestAppliance, account: string, container: string, object: string) {
  const ring = loadRings(velox.app.config).object
  const { partition, hash, nodes } = ring.getNodes(account, container, object)
  return { partition, hash, devices: nodes.map((n) => n.device) }
}

async function filesOn(velox: TestAppliance, device: string, account: string, object: string): Promise<string[]> {
  const p = placementOf(velox, account, 'c', object)
  const dir = hashDirOf(join(velox.app.config.devicesDir, device), p.partition, p.hash)
  return readdir(dir).catch(() => [])
}

describe('replicas never go back in time (device flap, damaged replicas)', function () {
  this.timeout(120_000)
  const N = 24
  const v1 = Array.from({ length: N }, (_, i) => randomBytes(1000 + i * 37))
  const v2 = Array.from({ length: N }, (_, i) => randomBytes(2000 + i * 41))
  const account = 'AUTH_test'
  /** i % 3: 0 deleted, 1 overwritten, 2 POSTed while d1 was away. */
  const fate = (i: number) => (['deleted', 'overwritten', 'posted'] as const)[i % 3]
  let velox: TestAppliance
  let dataDir: string

  /** Every object reads (GET and HEAD) as its newest state. */
  async function expectNewest(c: Client, when: string) {
    for (let i = 0; i < N; i++) {
      const get = await req(c, 'GET', `c/o${i}`)
      const head = await req(c, 'HEAD', `c/o${i}`)
      const what = `${when}: o${i} (${fate(i)})`
      if (fate(i) === 'deleted') {
        expect(get.status, what).to.equal(404)
        expect(head.status, what).to.equal(404)
      } else {
        const want = fate(i) === 'overwritten' ? v2[i] : v1[i]
        expect(get.status, what).to.equal(200)
        expect(md5(get.body), what).to.equal(md5(want))
        expect(head.headers.get('etag'), what).to.equal(md5(want))
        expect(head.headers.get('x-object-meta-color') ?? undefined, what).to.equal(fate(i) === 'posted' ? 'blue' : undefined)
      }
    }
  }

  after(async () => {
    await velox?.stop()
  })

  it('serves no stale copy after d1 misses deletes, overwrites and POSTs, also after restarts, and repairs d1', async () => {
    const logged: string[] = []
    velox = await startTestAppliance({ flags: FLAGS, log: createLog('info', (line) => logged.push(line)) })
    dataDir = velox.dataDir
    let c = await connect(velox)
    expect((await req(c, 'PUT', 'c')).status).to.equal(201)
    for (let i = 0; i < N; i++) expect((await req(c, 'PUT', `c/o${i}`, v1[i])).status).to.equal(201)

    // d1 goes away: its object tree is replaced by a plain file (every call fails: ENOTDIR).
    const objects = join(velox.app.config.devicesDir, 'd1', 'objects')
    await rename(objects, `${objects}.away`)
    await writeFile(objects, 'not a directory')
    for (let i = 0; i < N; i++) {
      if (fate(i) === 'deleted') expect((await req(c, 'DELETE', `c/o${i}`)).status).to.equal(204)
      if (fate(i) === 'overwritten') expect((await req(c, 'PUT', `c/o${i}`, v2[i])).status).to.equal(201)
      if (fate(i) === 'posted') expect((await req(c, 'POST', `c/o${i}`, undefined, { 'X-Object-Meta-Color': 'blue' })).status).to.equal(202)
    }
    await expectNewest(c, 'while d1 is away')
    const failed = logged.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'device failed')
    expect(failed.map((l) => l.device)).to.deep.equal(['127.0.0.1:0/d1'])
    await rm(objects)
    await rename(`${objects}.away`, objects)
    // d1 holds the old state of every object it is a replica of (all of them: 3 devices, 3 replicas).
    expect((await filesOn(velox, 'd1', account, 'o0')).some((f) => f.endsWith('.data'))).to.equal(true)

    // In the same process (d1 now only suspect), then in a fresh one that trusts d1 again.
    await expectNewest(c, 'd1 back, same process')
    const d1 = velox.app.deviceStates().find((d) => d.device.endsWith('/d1'))
    expect(d1).to.include({ failed: false })
    expect(d1?.transitions).to.be.at.least(2)
    await velox.app.swift.replicas.repair.idle()
    await velox.stop({ keepData: true })
    velox = await startTestAppliance({ dataDir, flags: FLAGS })
    c = await connect(velox)
    await expectNewest(c, 'after a restart')
    await velox.app.swift.replicas.repair.idle()

    // Read repair has brought d1 up to date on disk.
    for (let i = 0; i < N; i++) {
      const files = await filesOn(velox, 'd1', account, `o${i}`)
      if (fate(i) === 'deleted') expect(files.filter((f) => f.endsWith('.ts')), `o${i}`).to.have.length(1)
      else expect(files.filter((f) => f.endsWith('.data')), `o${i}`).to.have.length(1)
      if (fate(i) === 'posted') expect(files.filter((f) => f.endsWith('.meta')), `o${i}`).to.have.length(1)
    }
    expect(velox.app.swift.replicas.repair.failed).to.equal(0)

    // Swift's rule (first replica that answers) now finds the same, d1 included.
    await velox.stop({ keepData: true })
    velox = await startTestAppliance({ dataDir, flags: { ...FLAGS, reads: { newestReplica: false } } })
    await expectNewest(await connect(velox), 'first-replica reads after repair')
  })

  /** Flips bits at `offsets` in the data file of the replica read first; the file keeps its size. */
  async function damageFirstReplica(object: string, offsets: number[]) {
    const p = placementOf(velox, account, 'c', object)
    const dir = hashDirOf(join(velox.app.config.devicesDir, p.devices[0]), p.partition, p.hash)
    const data = join(dir, (await readdir(dir)).find((f) => f.endsWith('.data')) as string)
    const bytes = await readFile(data)
    for (const at of offsets) bytes[at] ^= 0x5a
    await writeFile(data, bytes)
    return { object, device: p.devices[0] }
  }

  /** After read repair, each damaged replica holds the right bytes again (and the bad one is quarantined). */
  async function expectRecreated(damaged: Array<{ object: string; device: string }>, body: Buffer) {
    await velox.app.swift.replicas.repair.idle()
    for (const d of damaged) {
      const p = placementOf(velox, account, 'c', d.object)
      const dir = hashDirOf(join(velox.app.config.devicesDir, d.device), p.partition, p.hash)
      const data = (await filesOn(velox, d.device, account, d.object)).find((f) => f.endsWith('.data'))
      expect(data, `${d.object} on ${d.device}`).to.be.a('string')
      expect(md5(await readFile(join(dir, data as string))), d.object).to.equal(md5(body))
    }
    const quarantined = await readdir(join(velox.app.config.devicesDir, damaged[0].device, 'quarantined', 'objects'))
    expect(quarantined.length).to.be.at.least(1)
  }

  it('re-creates a replica the auditor quarantined at once, before any read', async () => {
    await velox?.stop()
    // The replicator is off so that only the auditor's repair can bring the replica back.
    velox = await startTestAppliance({ flags: { ...FLAGS, replicator: { enabled: false }, auditor: { bytesPerSec: 256 * 1024 * 1024, intervalSec: 0.5 } } })
    const c = await connect(velox)
    expect((await req(c, 'PUT', 'c')).status).to.equal(201)
    const body = randomBytes(200_000)
    expect((await req(c, 'PUT', 'c/audited', body)).status).to.equal(201)
    const damaged = await damageFirstReplica('audited', [10, 100_000])
    const quarantine = join(velox.app.config.devicesDir, damaged.device, 'quarantined', 'objects')
    const p = placementOf(velox, account, 'c', 'audited')
    const dir = hashDirOf(join(velox.app.config.devicesDir, damaged.device), p.partition, p.hash)
    const good = async () => {
      const data = (await readdir(dir).catch(() => [] as string[])).find((f) => f.endsWith('.data'))
      return data !== undefined && md5(await readFile(join(dir, data))) === md5(body)
    }
    const deadline = Date.now() + 30_000
    while (!((await readdir(quarantine).catch(() => [])).length > 0 && (await good())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    expect((await readdir(quarantine).catch(() => [])).length, 'the auditor quarantined the damaged replica').to.be.at.least(1)
    expect(await good(), 'the quarantined replica is back, right bytes, without a read').to.equal(true)
    expect(velox.app.swift.replicas.repair.repaired).to.be.at.least(1)
  })

  for (const [what, size, offsets, range] of [
    ['checked whole before sending (300 kB)', 300_000, [10, 150_000, 299_990], [149_990, 150_009]],
    ['checked per 1 MiB block (6 MiB)', 6 * 1024 * 1024 + 123, [3.5 * 1024 * 1024, 6 * 1024 * 1024 + 100], [3.5 * 1024 * 1024 - 10, 3.5 * 1024 * 1024 + 9]],
  ] as const) {
    it(`serves a full GET and a Range GET from a good replica when the first has flipped bits, and re-creates it: ${what}`, async () => {
      await velox?.stop()
      velox = await startTestAppliance({ flags: FLAGS })
      const c = await connect(velox)
      expect((await req(c, 'PUT', 'c')).status).to.equal(201)
      const body = randomBytes(size)
      const damaged = []
      for (const object of ['full', 'range']) {
        expect((await req(c, 'PUT', `c/${object}`, body)).status).to.equal(201)
        damaged.push(await damageFirstReplica(object, [...offsets]))
      }
      const full = await req(c, 'GET', 'c/full')
      expect(full.status).to.equal(200)
      expect(full.body.length).to.equal(size)
      expect(md5(full.body)).to.equal(md5(body))
      const part = await req(c, 'GET', 'c/range', undefined, { Range: `bytes=${range[0]}-${range[1]}` })
      expect(part.status).to.equal(206)
      expect(part.body.equals(body.subarray(range[0], range[1] + 1))).to.equal(true)
      await expectRecreated(damaged, body)
    })
  }
})
