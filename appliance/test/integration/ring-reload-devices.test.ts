/**
 * A device the running appliance opens on a ring reload (a disk added from the CLI or the
 * admin API) gets what start gives the others: an auditor of its own, and the listing journal
 * (async_pending) an earlier run left on it replayed, so a change whose listing row was never
 * written shows in the listing without a restart. Directory devices.
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { createLog } from '../../src/lib/log.js'
import { Timestamp } from '../../src/lib/timestamp.js'
import { PendingJournal } from '../../src/store/pending/pending-journal.js'
import { changeRings } from '../harness/replication.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

describe('ring reload: a device opened after start', function () {
  this.timeout(120_000)
  let t: TestAppliance
  const lines: Array<Record<string, unknown>> = []

  before(async () => {
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
    t = await startTestAppliance({
      dataDir: mkdtempSync(join(base, 'velox-reload-')),
      flags: { embedded: { devices: 3, partPower: 6, replicas: 3, minPartHours: 0 }, thumbnails: { enabled: false } },
      log: createLog('info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
    })
  })
  after(async () => t?.stop())

  it('is audited and has its listing journal replayed', async () => {
    const { token, storageUrl } = await t.auth()
    const headers = { 'X-Auth-Token': token }
    expect((await fetch(`${storageUrl}/c`, { method: 'PUT', headers })).status).to.equal(201)
    // An object on its ring devices whose listing row a crash lost: only d4's journal knows.
    const app = t.app
    const name = 'lost-row'
    const timestamp = Timestamp.now().internal
    const { partition, hash, nodes } = app.replication.rings().object.getNodes('AUTH_test', 'c', name)
    const body = Buffer.from('hello')
    for (const n of nodes) await app.devices.get(n.device)!.objects.put({ partition, hash, name: `/AUTH_test/c/${name}` }, { timestamp, contentType: 'text/plain', headers: {} }, Readable.from([body]))
    const root = join(app.config.devicesDir, 'd4')
    mkdirSync(root)
    const journal = await PendingJournal.open(root)
    await journal.record({ account: 'AUTH_test', container: 'c', object: name, timestamp })
    await journal.close()
    const listing = async () => (await (await fetch(`${storageUrl}/c?format=json`, { headers })).json()) as Array<{ name: string; bytes: number; hash: string }>
    expect(await listing()).to.deep.equal([])

    await changeRings(app, (b) => b.addDevice({ region: 1, zone: 4, ip: '127.0.0.1', port: 8080, device: 'd4', weight: 100 }))
    expect(app.devices.has('d4')).to.equal(true)
    const deadline = Date.now() + 30_000
    const audited = () => lines.some((l) => l.msg === 'audit pass' && l.device === 'd4')
    let listed: Array<{ name: string; bytes: number; hash: string }> = []
    while (Date.now() < deadline && !(audited() && listed.length > 0)) {
      await sleep(200)
      listed = await listing()
    }
    expect(audited(), 'an audit pass of d4 was logged').to.equal(true)
    expect(listed.map((o) => [o.name, o.bytes, o.hash])).to.deep.equal([[name, 5, createHash('md5').update(body).digest('hex')]])
  })
})
