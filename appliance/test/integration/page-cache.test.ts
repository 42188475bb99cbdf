/**
 * Replicas and the page cache: after a PUT, the replica that serves reads first keeps the
 * object's pages (it reads back from memory) and the others have dropped theirs, as Swift's
 * object server drops what it wrote. Seen with fincore on the real data files.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { diskScratchDir, eventually, residentBytes } from '../harness/page-cache.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

async function dataFiles(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.data')) found.push(join(e.parentPath, e.name))
  }
  return found
}

describe('object replicas in the page cache', function () {
  this.timeout(60_000)
  let scratch: Awaited<ReturnType<typeof diskScratchDir>>
  let appliance: TestAppliance
  let auth: { token: string; storageUrl: string }

  before(async () => {
    scratch = await diskScratchDir()
    appliance = await startTestAppliance({ dataDir: scratch.dir, flags: { embedded: { devices: 3, replicas: 3, partPower: 6, minPartHours: 1 } } })
    auth = await appliance.auth()
    await fetch(`${auth.storageUrl}/c`, { method: 'PUT', headers: { 'X-Auth-Token': auth.token } })
  })
  after(async () => {
    await appliance?.stop({ keepData: true })
    await scratch?.remove()
  })

  for (const size of [20 * 1024 * 1024 + 123, 100_000]) {
    it(`keeps one replica of a ${size}-byte object cached, drops the other two, and reads it back`, async () => {
      const body = randomBytes(size)
      const name = `o-${size}`
      const put = await fetch(`${auth.storageUrl}/c/${name}`, { method: 'PUT', headers: { 'X-Auth-Token': auth.token }, body })
      expect(put.status).to.equal(201)
      // The sizes differ, so a data file of this size is a replica of this object.
      const replicas = (await dataFiles(scratch.dir)).filter((f) => statSync(f).size === size)
      expect(replicas).to.have.length(3)
      // The last drop runs after the answer (it overlaps the rename).
      const settled = await eventually(() => replicas.map(residentBytes).filter((n) => n === 0).length === 2)
      const resident = replicas.map(residentBytes).sort((a, b) => a - b)
      expect(settled, `resident bytes per replica: ${resident}`).to.equal(true)
      expect(resident[2]).to.be.at.least(size)
      const got = await fetch(`${auth.storageUrl}/c/${name}`, { headers: { 'X-Auth-Token': auth.token } })
      expect(got.status).to.equal(200)
      expect(Buffer.from(await got.arrayBuffer()).equals(body)).to.equal(true)
    })
  }
})
