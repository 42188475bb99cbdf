/**
 * Object versioning (Swift 2.24+'s object_versioning), request by request against a real
 * Swift 2.30 whose proxy runs it (allow_object_versioning = true): enabling and disabling,
 * version ids on PUT/POST/DELETE/GET/HEAD, ?versions listings with is_latest, ?version-id=
 * reads, deletes and restores, delete markers, null versions, the interplay with the legacy
 * versioned_writes headers, and what the account shows. Version ids are captured per side
 * (harness/differential.ts) and compared by name.
 */
import { expect } from 'chai'
import { differentialSuite, type Step } from '../harness/differential-vars.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const text = { 'Content-Type': 'text/plain' }
const id = (name: string) => ({ 'x-object-version-id': name })
const manifest = (...segments: string[]) => JSON.stringify(segments.map((name) => ({ path: `/segs/${name}`, etag: null, size_bytes: null })))

const STEPS: Step[] = [
  { name: 'PUT a container with X-Versions-Enabled', method: 'PUT', path: '/ver', headers: { 'X-Versions-Enabled': 'true' } },
  { name: 'HEAD it: X-Versions-Enabled True', method: 'HEAD', path: '/ver' },
  { name: 'PUT a first version', method: 'PUT', path: '/ver/o', body: 'one', headers: text, capture: id('v1') },
  { name: 'PUT a second version', method: 'PUT', path: '/ver/o', body: 'two', headers: text, capture: id('v2') },
  { name: 'HEAD the object: its version id and Content-Location', method: 'HEAD', path: '/ver/o' },
  { name: 'GET the object: the newest version', method: 'GET', path: '/ver/o' },
  { name: 'the container listing shows the link with the version bytes', method: 'GET', path: '/ver', query: 'format=json' },
  { name: 'the plain container listing', method: 'GET', path: '/ver' },
  { name: 'HEAD the container: bytes of every version', method: 'HEAD', path: '/ver' },
  { name: '?versions lists both, newest latest', method: 'GET', path: '/ver', query: 'versions' },
  { name: 'GET ?version-id of the first version', method: 'GET', path: '/ver/o', query: 'version-id={v1}' },
  { name: 'HEAD ?version-id of the first version', method: 'HEAD', path: '/ver/o', query: 'version-id={v1}' },
  { name: 'GET ?symlink=get names the version', method: 'GET', path: '/ver/o', query: 'symlink=get', alsoCompare: ['x-symlink-target-etag', 'x-symlink-target-bytes'] },
  { name: 'POST metadata to the versioned object', method: 'POST', path: '/ver/o', headers: { 'X-Object-Meta-Color': 'red' } },
  { name: 'HEAD shows the metadata', method: 'HEAD', path: '/ver/o' },
  { name: 'POST ?version-id is 400', method: 'POST', path: '/ver/o', query: 'version-id={v1}', headers: { 'X-Object-Meta-Color': 'blue' } },
  { name: 'a version id that is no timestamp is 400', method: 'GET', path: '/ver/o', query: 'version-id=abc' },
  { name: 'a version that does not exist is 404', method: 'HEAD', path: '/ver/o', query: 'version-id=1500000000.00000' },
  { name: 'DELETE writes a delete marker', method: 'DELETE', path: '/ver/o', capture: id('d1') },
  { name: 'HEAD after the delete is 404', method: 'HEAD', path: '/ver/o' },
  { name: '?versions: the delete marker is latest', method: 'GET', path: '/ver', query: 'versions' },
  { name: 'HEAD ?version-id of the delete marker is 404', method: 'HEAD', path: '/ver/o', query: 'version-id={d1}' },
  { name: 'GET ?version-id of an older version still works', method: 'GET', path: '/ver/o', query: 'version-id={v2}' },
  { name: 'DELETE ?version-id removes one version', method: 'DELETE', path: '/ver/o', query: 'version-id={v1}' },
  { name: '?versions after removing one', method: 'GET', path: '/ver', query: 'versions' },
  { name: 'PUT ?version-id makes a version current again', method: 'PUT', path: '/ver/o', query: 'version-id={v2}' },
  { name: 'GET the restored object', method: 'GET', path: '/ver/o' },
  { name: '?versions after the restore', method: 'GET', path: '/ver', query: 'versions&format=json' },
  { name: '?versions with a prefix and a limit', method: 'GET', path: '/ver', query: 'versions&prefix=o&limit=2' },
  { name: '?versions in XML is 406', method: 'GET', path: '/ver', query: 'versions&format=xml' },
  { name: 'a versioned container with versions cannot be deleted', method: 'DELETE', path: '/ver' },
  { name: 'COPY ?version-id copies that version', method: 'COPY', path: '/ver/o', query: 'version-id={v2}', headers: { Destination: 'ver/copied' }, capture: id('c1') },
  { name: 'GET the copy', method: 'GET', path: '/ver/copied' },
  { name: 'PUT with X-Copy-From ?version-id', method: 'PUT', path: '/ver/copied2', query: 'version-id={v2}', headers: { 'X-Copy-From': 'ver/o' } },
  { name: 'GET that copy', method: 'GET', path: '/ver/copied2' },
  { name: 'a symlink PUT into a versioned container', method: 'PUT', path: '/ver/link', headers: { 'X-Symlink-Target': 'ver/o' }, capture: id('l1') },
  { name: 'GET through the versioned symlink', method: 'GET', path: '/ver/link' },
  { name: 'PUT a segments container', method: 'PUT', path: '/segs' },
  { name: 'PUT segment 1', method: 'PUT', path: '/segs/s1', body: 'aaa' },
  { name: 'PUT segment 2', method: 'PUT', path: '/segs/s2', body: 'bbbb' },
  { name: 'PUT an SLO manifest into the versioned container', method: 'PUT', path: '/ver/slo', query: 'multipart-manifest=put', body: manifest('s1', 's2'), capture: id('m1') },
  { name: 'GET the versioned SLO', method: 'GET', path: '/ver/slo' },
  { name: 'overwrite the SLO with another manifest', method: 'PUT', path: '/ver/slo', query: 'multipart-manifest=put', body: manifest('s2', 's1'), capture: id('m2') },
  { name: 'GET the newest SLO', method: 'GET', path: '/ver/slo' },
  { name: 'GET ?version-id of the first manifest', method: 'GET', path: '/ver/slo', query: 'version-id={m1}' },
  // A stored manifest's ETag is the MD5 of its JSON, which holds each segment's last_modified
  // (to the second): named per side, so a second boundary between the two sides' segment PUTs
  // (a loaded machine) is not a difference. The bodies are compared with timestamps normalized.
  { name: 'GET the first manifest itself', method: 'GET', path: '/ver/slo', query: 'version-id={m1}&multipart-manifest=get', capture: { etag: 'mh1' } },
  { name: 'GET the manifest itself', method: 'GET', path: '/ver/slo', query: 'multipart-manifest=get', capture: { etag: 'mh2' } },
  // The listing matches; the container's byte count does not: Swift counts a versioned SLO
  // manifest by its stored JSON in the versions container, Velox (as for every SLO row) by the
  // assembled object's size.
  { name: '?versions with the SLO versions', method: 'GET', path: '/ver', query: 'versions&prefix=slo', ignore: ['x-container-bytes-used'] },
  { name: 'PUT a container without versioning', method: 'PUT', path: '/nul' },
  { name: 'PUT an object there: a null version', method: 'PUT', path: '/nul/n', body: 'null1', headers: text },
  { name: 'enable versioning with POST', method: 'POST', path: '/nul', headers: { 'X-Versions-Enabled': 'true' } },
  { name: 'HEAD the null version', method: 'HEAD', path: '/nul/n' },
  { name: '?versions lists the null version', method: 'GET', path: '/nul', query: 'versions' },
  { name: 'overwrite: the null version is kept as a version', method: 'PUT', path: '/nul/n', body: 'v2', headers: text, capture: id('n2') },
  { name: '?versions after the overwrite', method: 'GET', path: '/nul', query: 'versions' },
  { name: 'HEAD ?version-id=null now that a real version is current', method: 'HEAD', path: '/nul/n', query: 'version-id=null' },
  { name: 'disable versioning', method: 'POST', path: '/nul', headers: { 'X-Versions-Enabled': 'false' } },
  { name: 'HEAD the disabled container', method: 'HEAD', path: '/nul' },
  { name: 'PUT while disabled: no version id', method: 'PUT', path: '/nul/n', body: 'v3', headers: text },
  { name: 'HEAD: the null version again', method: 'HEAD', path: '/nul/n' },
  { name: '?versions while disabled', method: 'GET', path: '/nul', query: 'versions' },
  { name: 'DELETE while disabled: no marker', method: 'DELETE', path: '/nul/n' },
  { name: '?versions after that delete', method: 'GET', path: '/nul', query: 'versions' },
  { name: 'a legacy versioned container', method: 'PUT', path: '/leg', headers: { 'X-Versions-Location': 'leg-archive' } },
  { name: 'cannot enable object versioning', method: 'POST', path: '/leg', headers: { 'X-Versions-Enabled': 'true' } },
  { name: 'nor on PUT', method: 'PUT', path: '/leg', headers: { 'X-Versions-Enabled': 'true' } },
  { name: 'version-aware requests need a versioned container', method: 'GET', path: '/leg/x', query: 'version-id=1500000000.00000' },
  { name: 'HEAD account: the versions containers count', method: 'HEAD', path: '' },
  { name: 'the account listing hides them', method: 'GET', path: '', query: 'format=txt' },
]

differentialSuite('Object versioning: Velox against a real Swift 2.30 (SAIO)', STEPS, (both) => {
  it('/info advertises object_versioning', async () => {
    const { velox, saio } = both()
    const [iv, is] = await Promise.all([fetch(`${velox.url}/info`), fetch(`${saio.url}/info`)])
    const [jv, js] = (await Promise.all([iv.json(), is.json()])) as Array<Record<string, unknown>>
    expect(jv.object_versioning).to.deep.equal(js.object_versioning)
  })
})

describe('Object versioning on Velox: what the account shows', function () {
  this.timeout(60_000)
  let velox: TestAppliance

  before(async () => {
    velox = await startTestAppliance()
  })

  after(async () => {
    await velox?.stop()
  })

  it("lists a versioned container with its versions' bytes and never lists the versions container", async () => {
    const { token, storageUrl } = await velox.auth()
    const h = { 'X-Auth-Token': token }
    expect((await fetch(`${storageUrl}/docs`, { method: 'PUT', headers: { ...h, 'X-Versions-Enabled': 'true' } })).status).to.equal(201)
    for (const body of ['one', 'three']) expect((await fetch(`${storageUrl}/docs/o`, { method: 'PUT', headers: h, body })).status).to.equal(201)
    expect((await fetch(`${storageUrl}/plain`, { method: 'PUT', headers: h })).status).to.equal(201)
    const listing = (await (await fetch(`${storageUrl}?format=json`, { headers: h })).json()) as Array<{ name: string; count: number; bytes: number }>
    expect(listing.map((c) => [c.name, c.count, c.bytes])).to.deep.equal([
      ['docs', 1, 8],
      ['plain', 0, 0],
    ])
    const one = (await (await fetch(`${storageUrl}?format=json&limit=1`, { headers: h })).json()) as Array<{ name: string }>
    expect(one.map((c) => c.name)).to.deep.equal(['docs'])
    const account = await fetch(storageUrl, { method: 'HEAD', headers: h })
    expect(account.headers.get('x-account-container-count')).to.equal('3')
  })
})
