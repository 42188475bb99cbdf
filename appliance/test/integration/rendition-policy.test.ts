/**
 * Renditions follow their object's storage policy: a thumbnail of an image in a container of
 * the 2-replica "cheap" policy (policy 1) is stored in the devices' objects-1/ directories
 * with 2 replicas, and nothing lands under policy 0's objects/.
 */
import { expect } from 'chai'
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'appliance', 'test', 'fixtures', 'images')

/** The .data files under every device's `dir` (objects, objects-1, …). */
function dataFiles(devicesDir: string, dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name))
      else if (e.name.endsWith('.data')) out.push(join(d, e.name))
    }
  }
  for (const dev of readdirSync(devicesDir)) {
    try {
      walk(join(devicesDir, dev, dir))
    } catch {
      // a device that holds nothing of this policy yet
    }
  }
  return out
}

describe('renditions under their object container\'s storage policy', function () {
  this.timeout(90_000)
  let v: TestAppliance

  before(async () => {
    v = await startTestAppliance()
  })
  after(() => v?.stop())

  it('stores the thumbnails of an object in a cheap container in objects-1, 2 replicas each', async () => {
    const { token, storageUrl } = await v.auth()
    const h = { 'X-Auth-Token': token }
    expect((await fetch(`${storageUrl}/cheap-pics`, { method: 'PUT', headers: { ...h, 'X-Storage-Policy': 'cheap' } })).status).to.equal(201)
    const put = await fetch(`${storageUrl}/cheap-pics/a.jpg`, { method: 'PUT', headers: { ...h, 'Content-Type': 'image/jpeg' }, body: readFileSync(join(FIXTURES, 'photo-a.jpg')) })
    expect(put.status).to.equal(201)
    const deadline = Date.now() + 60_000
    for (;;) {
      const r = await fetch(`${storageUrl}/cheap-pics/a.jpg?thumbnail=256`, { headers: h })
      await r.arrayBuffer()
      if (r.status === 200) break
      if (Date.now() > deadline) throw new Error(`thumbnail still ${r.status}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const devices = join(v.dataDir, 'devices')
    expect(dataFiles(devices, 'objects'), 'policy 0 holds nothing').to.deep.equal([])
    // The source and its small rendition (the large one may still be on its way): 2 replicas each.
    const policy1 = dataFiles(devices, 'objects-1')
    expect(policy1.length).to.be.oneOf([4, 6])
  })
})
