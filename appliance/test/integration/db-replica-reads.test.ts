/**
 * Container and account reads come from the freshest database replica (issue 11): on a box
 * of three directory devices and three replicas (replicator off, so nothing converges them),
 * the database replica read first, for the container and for the account, is put back to a
 * copy taken before objects were written, a container POSTed, a second container made and
 * an empty one deleted, as a device that missed those updates while it was unmounted would hold it. The listings,
 * the stats and the metadata must still show every update. Without the freshest-replica read
 * the first replica answers, and they do not.
 */
import { expect } from 'chai'
import { cpSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { loadRings } from '../../src/cluster/bootstrap.js'
import type { ConfigOverrides } from '../../src/config/index.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const FLAGS: ConfigOverrides = { thumbnails: { enabled: false }, replicator: { enabled: false } }
const N = 12

describe('container and account reads come from the freshest database replica', function () {
  this.timeout(120_000)
  let velox: TestAppliance

  after(async () => {
    await velox?.stop()
  })

  it('lists, counts and shows metadata from the replicas that did not miss the updates', async () => {
    velox = await startTestAppliance({ flags: FLAGS })
    const dataDir = velox.dataDir
    let { token, storageUrl } = await velox.auth()
    const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => fetch(`${storageUrl}${path}`, { method, headers: { 'X-Auth-Token': token, ...headers }, body })
    expect((await call('PUT', '/c')).status).to.equal(201)
    expect((await call('PUT', '/c/before', {}, 'x')).status).to.equal(201)
    expect((await call('PUT', '/gone')).status).to.equal(201)

    // The devices holding the first replica of the container's and the account's database.
    const rings = loadRings(velox.app.config)
    const account = new URL(storageUrl).pathname.split('/')[2]
    const stale = [...new Set([rings.container.getNodes(account, 'c').nodes[0].device, rings.account.getNodes(account).nodes[0].device])]
    const dbDir = (device: string) => join(velox.app.config.devicesDir, device, 'db')
    await velox.stop({ keepData: true })
    for (const d of stale) cpSync(dbDir(d), `${dbDir(d)}.before`, { recursive: true })

    velox = await startTestAppliance({ dataDir, flags: FLAGS })
    ;({ token, storageUrl } = await velox.auth())
    for (let i = 0; i < N; i++) expect((await call('PUT', `/c/o${i}`, {}, 'y'.repeat(i + 1))).status).to.equal(201)
    expect((await call('DELETE', '/c/before')).status).to.equal(204)
    expect((await call('POST', '/c', { 'X-Container-Meta-Color': 'blue' })).status).to.equal(204)
    expect((await call('PUT', '/c2')).status).to.equal(201)
    expect((await call('DELETE', '/gone')).status).to.equal(204)
    await velox.app.swift.updater.flush()
    await velox.stop({ keepData: true })

    // Those replicas go back to before the updates, as if their device had been away.
    for (const d of stale) {
      rmSync(dbDir(d), { recursive: true, force: true })
      cpSync(`${dbDir(d)}.before`, dbDir(d), { recursive: true })
      rmSync(`${dbDir(d)}.before`, { recursive: true, force: true })
    }
    velox = await startTestAppliance({ dataDir, flags: FLAGS })
    ;({ token, storageUrl } = await velox.auth())

    const wantObjects = Array.from({ length: N }, (_, i) => `o${i}`).sort()
    const list = await call('GET', '/c?format=json')
    expect(list.status).to.equal(200)
    expect(((await list.json()) as Array<{ name: string }>).map((o) => o.name)).to.deep.equal(wantObjects)
    const head = await call('HEAD', '/c')
    expect(head.headers.get('x-container-object-count')).to.equal(String(N))
    expect(head.headers.get('x-container-bytes-used')).to.equal(String((N * (N + 1)) / 2))
    expect(head.headers.get('x-container-meta-color')).to.equal('blue')
    // A page of the listing, as clients page through it.
    const page = await call('GET', '/c?format=json&limit=3&marker=o1')
    expect(((await page.json()) as Array<{ name: string }>).map((o) => o.name)).to.deep.equal(wantObjects.filter((n) => n > 'o1').slice(0, 3))

    // Deleted where it is freshest, though the stale replica still holds it live.
    expect((await call('HEAD', '/gone')).status).to.equal(404)
    expect((await call('GET', '/gone')).status).to.equal(404)

    const containers = await call('GET', '?format=json')
    expect(((await containers.json()) as Array<{ name: string }>).map((c) => c.name)).to.deep.equal(['c', 'c2'])
    const acct = await call('HEAD', '')
    expect(acct.headers.get('x-account-container-count')).to.equal('2')
    expect(acct.headers.get('x-account-object-count')).to.equal(String(N))
  })
})
