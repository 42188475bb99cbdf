/**
 * Storage policies, request by request against a real Swift 2.30 (the SAIO runs policy 0
 * "gold", the default, and policy 1 "silver", 2 replicas; Velox is configured the same):
 * X-Storage-Policy on container PUT (case-insensitive names, 409 on a different policy for
 * an existing container, 400 for an unknown one), per-policy account container counts, and
 * copies, symlinks and large objects across containers of different policies. Then, on Velox
 * alone, where the objects are: policy 1's ring (2 replicas), in `objects-1/` on the devices.
 */
import { expect } from 'chai'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { GOLD_SILVER, differentialSuite, type Step } from '../harness/differential-vars.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const SLO_MANIFEST = JSON.stringify([
  { path: '/pol-silver/seg1', etag: null, size_bytes: null },
  { path: '/pol-silver/seg2', etag: null, size_bytes: null },
])

const STEPS: Step[] = [
  { name: 'PUT a silver container', method: 'PUT', path: '/pol-silver', headers: { 'X-Storage-Policy': 'silver' } },
  { name: 'HEAD it: X-Storage-Policy silver', method: 'HEAD', path: '/pol-silver' },
  { name: 're-PUT naming another policy is 409', method: 'PUT', path: '/pol-silver', headers: { 'X-Storage-Policy': 'gold' } },
  { name: 're-PUT naming the same policy is 202', method: 'PUT', path: '/pol-silver', headers: { 'X-Storage-Policy': 'silver' } },
  { name: 're-PUT naming no policy is 202', method: 'PUT', path: '/pol-silver' },
  { name: 'an unknown policy is 400', method: 'PUT', path: '/pol-bad', headers: { 'X-Storage-Policy': 'bogus' } },
  { name: 'HEAD the container the 400 did not create', method: 'HEAD', path: '/pol-bad' },
  { name: 'policy names are case-insensitive', method: 'PUT', path: '/pol-upper', headers: { 'X-Storage-Policy': 'SILVER' } },
  { name: 'HEAD shows the canonical name', method: 'HEAD', path: '/pol-upper' },
  { name: 'a container without X-Storage-Policy gets the default', method: 'PUT', path: '/pol-gold' },
  { name: 'HEAD the default-policy container', method: 'HEAD', path: '/pol-gold' },
  { name: 'POST cannot change the policy', method: 'POST', path: '/pol-silver', headers: { 'X-Storage-Policy': 'gold' } },
  { name: 'HEAD after the POST: still silver', method: 'HEAD', path: '/pol-silver' },
  { name: 'HEAD account: per-policy container counts', method: 'HEAD', path: '' },
  { name: 'PUT an object into silver', method: 'PUT', path: '/pol-silver/obj', body: 'silver bytes', headers: { 'Content-Type': 'text/plain', 'X-Object-Meta-Color': 'grey' } },
  { name: 'GET it back', method: 'GET', path: '/pol-silver/obj' },
  { name: 'copy silver → gold (X-Copy-From)', method: 'PUT', path: '/pol-gold/copied', headers: { 'X-Copy-From': 'pol-silver/obj' } },
  { name: 'GET the copy in gold', method: 'GET', path: '/pol-gold/copied' },
  { name: 'COPY gold → silver (Destination)', method: 'COPY', path: '/pol-gold/copied', headers: { Destination: 'pol-upper/back' } },
  { name: 'GET the copy in the other silver container', method: 'GET', path: '/pol-upper/back' },
  { name: 'a symlink in gold to a silver object', method: 'PUT', path: '/pol-gold/link', headers: { 'X-Symlink-Target': 'pol-silver/obj' } },
  { name: 'GET through the symlink', method: 'GET', path: '/pol-gold/link' },
  { name: 'HEAD the symlink itself', method: 'HEAD', path: '/pol-gold/link', query: 'symlink=get' },
  { name: 'SLO segment 1 in silver', method: 'PUT', path: '/pol-silver/seg1', body: 'a'.repeat(1024 * 1024) },
  { name: 'SLO segment 2 in silver', method: 'PUT', path: '/pol-silver/seg2', body: 'bcd' },
  { name: 'SLO manifest in gold', method: 'PUT', path: '/pol-gold/slo', query: 'multipart-manifest=put', body: SLO_MANIFEST, ignore: ['etag'] },
  { name: 'GET the SLO across policies', method: 'GET', path: '/pol-gold/slo', ignore: ['etag'] },
  { name: 'DLO manifest in silver over gold objects', method: 'PUT', path: '/pol-upper/dlo', headers: { 'X-Object-Manifest': 'pol-gold/cop' } },
  { name: 'GET the DLO across policies', method: 'GET', path: '/pol-upper/dlo', ignore: ['etag'] },
  { name: 'GET the silver listing', method: 'GET', path: '/pol-silver', query: 'format=json' },
  { name: 'delete an empty silver container', method: 'DELETE', path: '/pol-upper/back' },
  { name: 'delete the DLO', method: 'DELETE', path: '/pol-upper/dlo' },
  { name: 'delete the container', method: 'DELETE', path: '/pol-upper' },
  { name: 're-create it in gold', method: 'PUT', path: '/pol-upper', headers: { 'X-Storage-Policy': 'gold' } },
  { name: 'HEAD: the re-created container is gold', method: 'HEAD', path: '/pol-upper' },
  { name: 'HEAD account after the re-create', method: 'HEAD', path: '' },
]

differentialSuite('Storage policies: Velox against a real Swift 2.30 (SAIO)', STEPS, (both) => {
  it('/info lists the same policies', async () => {
    const { velox, saio } = both()
    const [iv, is] = await Promise.all([fetch(`${velox.url}/info`), fetch(`${saio.url}/info`)])
    const [jv, js] = (await Promise.all([iv.json(), is.json()])) as Array<{ swift: { policies: unknown } }>
    expect(jv.swift.policies).to.deep.equal(js.swift.policies)
  })
})

describe('Storage policies on Velox: where the objects go', function () {
  this.timeout(60_000)
  let velox: TestAppliance

  before(async () => {
    velox = await startTestAppliance({ flags: { policies: GOLD_SILVER } })
  })

  after(async () => {
    await velox?.stop()
  })

  /** .data files under `<device>/<dir>` of every device. */
  function dataFiles(dir: string): number {
    let n = 0
    const walk = (p: string): void => {
      let names: string[]
      try {
        names = readdirSync(p)
      } catch {
        return
      }
      for (const name of names) {
        if (name.endsWith('.data')) n++
        else if (!name.includes('.')) walk(join(p, name))
      }
    }
    for (const device of readdirSync(velox.app.config.devicesDir)) walk(join(velox.app.config.devicesDir, device, dir))
    return n
  }

  it('keeps a silver object as 2 replicas in objects-1/ and a gold one as 3 in objects/', async () => {
    const { token, storageUrl } = await velox.auth()
    const h = { 'X-Auth-Token': token }
    expect((await fetch(`${storageUrl}/s`, { method: 'PUT', headers: { ...h, 'X-Storage-Policy': 'silver' } })).status).to.equal(201)
    expect((await fetch(`${storageUrl}/g`, { method: 'PUT', headers: h })).status).to.equal(201)
    expect((await fetch(`${storageUrl}/s/o`, { method: 'PUT', headers: h, body: 'x' })).status).to.equal(201)
    expect([dataFiles('objects'), dataFiles('objects-1')]).to.deep.equal([0, 2])
    expect((await fetch(`${storageUrl}/g/o`, { method: 'PUT', headers: h, body: 'y' })).status).to.equal(201)
    expect([dataFiles('objects'), dataFiles('objects-1')]).to.deep.equal([3, 2])
    const r = await fetch(`${storageUrl}/s/o`, { headers: h })
    expect(await r.text()).to.equal('x')
    const account = await fetch(storageUrl, { method: 'HEAD', headers: h })
    expect(account.headers.get('x-account-storage-policy-silver-object-count')).to.equal('1')
    expect(account.headers.get('x-account-storage-policy-silver-bytes-used')).to.equal('1')
    expect(account.headers.get('x-account-storage-policy-gold-object-count')).to.equal('1')
  })
})
