/**
 * Issue 16: a folder (prefix) shared with another Velox user opens only that folder. The
 * grant does not touch the container's ACL; the grantee reaches it with their own session
 * through /api/shared/<id>/…, which checks the grant on every request and serves names under
 * the prefix only: not a sibling file, not "photos/2024-x/" next to "photos/2024/", not an
 * escape with "..", %2F, a symlink or SLO/DLO segments. Read-only grants cannot write;
 * revoking cuts access at once. A grant stored by the former code (with an ACL entry) loses
 * that entry when the appliance starts.
 */
import { expect } from 'chai'
import { join } from 'node:path'
import { StateDb } from '../../src/store/state-db.js'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const BOB = { account: 'other', user: 'bob', key: 'bobpass' }

describe('a folder shared with a Velox user opens only that folder (issue 16)', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let owner: WebClient
  let bob: WebClient
  let ro: string
  let rw: string

  const put = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const r = await owner.fetch(`/v1/AUTH_test/${path}`, { method: 'PUT', body, headers })
    expect(r.status, `PUT ${path}: ${await r.clone().text()}`).to.be.oneOf([201, 202])
  }
  const grant = async (json: Record<string, unknown>) => {
    const r = await owner.fetch('/api/user-shares', { method: 'POST', json })
    expect(r.status, await r.clone().text()).to.equal(201)
    return ((await r.json()) as { id: string }).id
  }
  const status = async (path: string, init: Parameters<WebClient['fetch']>[1] = {}) => (await bob.fetch(path, init)).status
  const listing = async (id: string, query: string) => {
    const r = await bob.fetch(`/api/shared/${id}/photos?format=json&${query}`)
    expect(r.status, await r.clone().text()).to.equal(200)
    return ((await r.json()) as Array<{ name?: string; subdir?: string }>).map((e) => e.name ?? e.subdir)
  }

  before(async () => {
    v = await startTestAppliance({ users: [TESTER, BOB] })
    owner = new WebClient(v.url)
    await owner.login()
    bob = new WebClient(v.url)
    await bob.login(BOB.account, BOB.user, BOB.key)
    for (const c of ['photos', 'private']) expect((await owner.fetch(`/v1/AUTH_test/${c}`, { method: 'PUT' })).status).to.equal(201)
    await put('photos/2024/a.txt', 'in the folder')
    await put('photos/2024/b.txt', 'also in it')
    await put('photos/2024/sub/c.txt', 'deeper')
    await put('photos/other.txt', 'a sibling')
    await put('photos/2024-x/a', 'a look-alike folder')
    await put('private/secret.txt', 'secret')
    await put('photos/2024/out-link', '', { 'X-Symlink-Target': 'photos/other.txt' })
    await put('photos/2024/in-link', '', { 'X-Symlink-Target': 'photos/2024/a.txt' })
    await put('photos/2024/dlo', '', { 'X-Object-Manifest': 'private/secret' })
    const seg = await owner.fetch('/v1/AUTH_test/private/secret.txt', { method: 'HEAD' })
    await put('photos/2024/slo?multipart-manifest=put', JSON.stringify([{ path: '/private/secret.txt', etag: seg.headers.get('etag'), size_bytes: 6 }]))
    ro = await grant({ container: 'photos', prefix: '2024/', grantee: 'other:bob', write: false })
  })
  after(async () => {
    await v?.stop()
  })

  it('a folder grant leaves the ACL alone: the Swift API still refuses the grantee', async () => {
    const head = await owner.fetch('/v1/AUTH_test/photos', { method: 'HEAD' })
    expect(head.headers.get('x-container-read')).to.equal(null)
    expect(await status('/v1/AUTH_test/photos/2024/a.txt')).to.equal(403)
  })

  it('lists only names under the folder, with delimiter and pagination; a wider prefix is refused', async () => {
    expect(await listing(ro, 'delimiter=/')).to.deep.equal(['2024/a.txt', '2024/b.txt', '2024/dlo', '2024/in-link', '2024/out-link', '2024/slo', '2024/sub/'])
    expect(await listing(ro, 'prefix=2024/sub/&delimiter=/')).to.deep.equal(['2024/sub/c.txt'])
    expect(await listing(ro, 'delimiter=/&limit=2')).to.deep.equal(['2024/a.txt', '2024/b.txt'])
    expect(await listing(ro, 'delimiter=/&limit=2&marker=2024/b.txt')).to.deep.equal(['2024/dlo', '2024/in-link'])
    expect(await status(`/api/shared/${ro}/photos?format=json&prefix=`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos?format=json&prefix=2024`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos?format=json&prefix=2024-x/`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/private?format=json&prefix=2024/`)).to.equal(403)
    // Nothing of the container's own: no HEAD, no counts or metadata with a listing.
    expect(await status(`/api/shared/${ro}/photos`, { method: 'HEAD' })).to.equal(405)
    const r = await bob.fetch(`/api/shared/${ro}/photos?format=json`)
    expect([...r.headers.keys()].filter((k) => k.startsWith('x-container-'))).to.deep.equal([])
  })

  it('downloads files under the folder and nothing else (siblings, look-alikes, other containers)', async () => {
    const r = await bob.fetch(`/api/shared/${ro}/photos/2024/a.txt`)
    expect(r.status).to.equal(200)
    expect(await r.text()).to.equal('in the folder')
    expect(r.headers.get('x-content-type-options')).to.equal('nosniff')
    const part = await bob.fetch(`/api/shared/${ro}/photos/2024/sub/c.txt`, { headers: { Range: 'bytes=0-2' } })
    expect([part.status, await part.text()]).to.deep.equal([206, 'dee'])
    expect(await status(`/api/shared/${ro}/photos/other.txt`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos/2024-x/a`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/private/secret.txt`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/private/2024/a.txt`)).to.equal(403)
  })

  it('cannot escape with "..", %2F or an encoded container', async () => {
    // (fetch resolves a literal "/../" before sending: that lands on photos/other.txt, refused)
    expect(await status(`/api/shared/${ro}/photos/2024/../other.txt`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos/2024%2F..%2Fother.txt`)).to.equal(400)
    // (so does an encoded "%2E%2E" segment, by the URL standard)
    expect(await status(`/api/shared/${ro}/photos/2024/%2E%2E/other.txt`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos/2024/..%2Fother.txt`)).to.equal(400)
    expect(await status(`/api/shared/${ro}/photos%2F2024/a.txt`)).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos?format=json&prefix=2024/../`)).to.equal(400)
    expect(await status(`/api/shared/${ro}/photos/%ZZ`)).to.equal(412)
  })

  it('follows a symlink or large-object segments only inside the folder', async () => {
    const inside = await bob.fetch(`/api/shared/${ro}/photos/2024/in-link`)
    expect([inside.status, await inside.text()]).to.deep.equal([200, 'in the folder'])
    expect(await status(`/api/shared/${ro}/photos/2024/out-link`)).to.equal(403)
    // (the owner reads both large objects whole: the refusals below are the folder's bounds)
    expect(await (await owner.fetch('/v1/AUTH_test/photos/2024/slo')).text()).to.equal('secret')
    expect(await (await owner.fetch('/v1/AUTH_test/photos/2024/dlo')).text()).to.equal('secret')
    // An SLO whose segment cannot be read answers 409, as Swift does; a DLO's segment listing is refused.
    const slo = await bob.fetch(`/api/shared/${ro}/photos/2024/slo`)
    expect(slo.status, 'SLO').to.equal(409)
    expect(await slo.text()).to.not.include('secret')
    const dlo = await bob.fetch(`/api/shared/${ro}/photos/2024/dlo`)
    expect(dlo.status, 'DLO').to.equal(403)
    expect(await dlo.text()).to.not.include('secret')
  })

  it('a read-only grant cannot write, delete or rename', async () => {
    expect(await status(`/api/shared/${ro}/photos/2024/new.txt`, { method: 'PUT', body: 'x' })).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos/2024/a.txt`, { method: 'DELETE' })).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos/2024/a.txt`, { method: 'COPY', headers: { Destination: 'photos/2024/z.txt' } })).to.equal(403)
    expect(await status(`/api/shared/${ro}/photos`, { method: 'PUT' })).to.equal(405)
    expect((await owner.fetch('/v1/AUTH_test/photos/2024/a.txt')).status).to.equal(200)
  })

  it('a read+write grant uploads, renames and deletes inside its folder only', async () => {
    rw = await grant({ container: 'photos', prefix: '2024/sub/', grantee: 'other:bob', write: true })
    expect((await owner.fetch('/v1/AUTH_test/photos', { method: 'HEAD' })).headers.get('x-container-write')).to.equal(null)
    expect(await status(`/api/shared/${rw}/photos/2024/sub/up.txt`, { method: 'PUT', body: 'from bob', headers: { 'X-Object-Meta-Mtime': '1700000000' } })).to.equal(201)
    const up = await owner.fetch('/v1/AUTH_test/photos/2024/sub/up.txt')
    expect([await up.text(), up.headers.get('x-object-meta-mtime')]).to.deep.equal(['from bob', '1700000000'])
    expect(await status(`/api/shared/${rw}/photos/2024/sub/up.txt`, { method: 'PUT', body: 'x', csrf: false })).to.equal(403)
    expect(await status(`/api/shared/${rw}/photos/2024/up.txt`, { method: 'PUT', body: 'x' })).to.equal(403)
    expect(await status(`/api/shared/${rw}/photos/2024/sub/up.txt`, { method: 'COPY', headers: { Destination: 'photos/2024/stolen.txt' } })).to.equal(403)
    expect(await status(`/api/shared/${rw}/photos/2024/a.txt`, { method: 'COPY', headers: { Destination: 'photos/2024/sub/stolen.txt' } })).to.equal(403)
    expect(await status(`/api/shared/${rw}/photos/2024/sub/up.txt`, { method: 'COPY', headers: { Destination: 'photos/2024/sub/renamed.txt' } })).to.equal(201)
    expect(await status(`/api/shared/${rw}/photos/2024/sub/up.txt`, { method: 'DELETE' })).to.equal(204)
    expect(await (await owner.fetch('/v1/AUTH_test/photos/2024/sub/renamed.txt')).text()).to.equal('from bob')
    expect(await status(`/api/shared/${rw}/photos/2024/a.txt`, { method: 'DELETE' })).to.equal(403)
    expect(await status('/v1/AUTH_test/photos/2024/sub/renamed.txt', { method: 'DELETE' })).to.equal(403)
  })

  it('a writer cannot reach outside with SLO manifests: neither make one of outside segments nor delete them', async () => {
    const seg = await owner.fetch('/v1/AUTH_test/private/secret.txt', { method: 'HEAD' })
    const manifest = JSON.stringify([{ path: '/private/secret.txt', etag: seg.headers.get('etag'), size_bytes: 6 }])
    const made = await bob.fetch(`/api/shared/${rw}/photos/2024/sub/steal?multipart-manifest=put`, { method: 'PUT', body: manifest })
    expect(made.status).to.not.equal(201)
    expect((await owner.fetch('/v1/AUTH_test/photos/2024/sub/steal')).status).to.equal(404)
    // The owner's own manifest in the folder, with a segment outside it: deleting it with its segments spares the segment.
    await put('photos/2024/sub/owners-slo?multipart-manifest=put', manifest)
    const del = await bob.fetch(`/api/shared/${rw}/photos/2024/sub/owners-slo?multipart-manifest=delete`, { method: 'DELETE', headers: { Accept: 'application/json' } })
    expect(await (await owner.fetch('/v1/AUTH_test/private/secret.txt')).text(), `after ${del.status} ${await del.text()}`).to.equal('secret')
  })

  it('in a container keeping versions (as the app makes them), a writer replaces, renames and deletes; the owner keeps the history', async () => {
    expect((await owner.fetch('/v1/AUTH_test/album', { method: 'PUT', headers: { 'X-Versions-Enabled': 'true' } })).status).to.equal(201)
    await put('album/trip/day1.txt', 'first')
    const id = await grant({ container: 'album', prefix: 'trip/', grantee: 'other:bob', write: true })
    expect(await status(`/api/shared/${id}/album/trip/day1.txt`, { method: 'PUT', body: 'second' })).to.equal(201)
    expect(await status(`/api/shared/${id}/album/trip/day1.txt`, { method: 'COPY', headers: { Destination: 'album/trip/monday.txt' } })).to.equal(201)
    expect(await status(`/api/shared/${id}/album/trip/day1.txt`, { method: 'DELETE' })).to.equal(204)
    expect(await (await owner.fetch('/v1/AUTH_test/album/trip/monday.txt')).text()).to.equal('second')
    const versions = (await (await owner.fetch('/v1/AUTH_test/album?versions&format=json&prefix=trip/day1.txt')).json()) as Array<{ name: string }>
    expect(versions.length, 'the replaced and the deleted versions stay with the owner').to.be.at.least(2)
    // The history is the owner's: ?versions is not passed on, the grantee lists current files only.
    const mine = (await (await bob.fetch(`/api/shared/${id}/album?format=json&prefix=trip/&versions`)).json()) as Array<Record<string, unknown>>
    expect(mine.map((e) => [e.name, 'version_id' in e])).to.deep.equal([['trip/monday.txt', false]])
    expect((await owner.fetch(`/api/user-shares/${id}`, { method: 'DELETE' })).status).to.equal(204)
  })

  it('serves thumbnails of pictures under the folder only', async () => {
    // A 1×1 PNG.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
    for (const path of ['photos/2024/dot.png', 'photos/dot.png']) expect((await owner.fetch(`/v1/AUTH_test/${path}`, { method: 'PUT', body: png, headers: { 'Content-Type': 'image/png' } })).status).to.equal(201)
    // Renditions are made in the background after the upload: the owner's own request waits for it.
    let own = await owner.fetch('/v1/AUTH_test/photos/2024/dot.png?thumbnail=256')
    for (const deadline = Date.now() + 60_000; own.status === 404 && Date.now() < deadline; ) {
      await own.arrayBuffer()
      await new Promise((r) => setTimeout(r, 100))
      own = await owner.fetch('/v1/AUTH_test/photos/2024/dot.png?thumbnail=256')
    }
    const t = await bob.fetch(`/api/shared/${ro}/photos/2024/dot.png?thumbnail=256`)
    expect([own.status, t.status]).to.deep.equal([200, 200])
    expect(t.headers.get('content-type')).to.equal(own.headers.get('content-type'))
    expect(await status(`/api/shared/${ro}/photos/dot.png?thumbnail=256`)).to.equal(403)
  })

  it('revoking cuts access at once; another user cannot use the grant id', async () => {
    const stranger = new WebClient(v.url)
    await stranger.login()
    expect((await stranger.fetch(`/api/shared/${rw}/photos/2024/sub/c.txt`)).status, 'the owner is not the grantee').to.equal(404)
    expect((await new WebClient(v.url).fetch(`/api/shared/${rw}/photos/2024/sub/c.txt`)).status).to.equal(401)
    expect(await status(`/api/shared/${rw}/photos/2024/sub/c.txt`)).to.equal(200)
    expect((await owner.fetch(`/api/user-shares/${rw}`, { method: 'DELETE' })).status).to.equal(204)
    expect(await status(`/api/shared/${rw}/photos/2024/sub/c.txt`)).to.equal(404)
    expect(await status(`/api/shared/${rw}/photos?format=json`)).to.equal(404)
    expect(await status(`/api/shared/${rw}/photos/2024/sub/x.txt`, { method: 'PUT', body: 'x' })).to.equal(404)
  })

  it('a folder grant stored with an ACL entry by the former code loses the entry when the appliance starts', async () => {
    const acl = await owner.fetch('/v1/AUTH_test/private', { method: 'POST', headers: { 'X-Container-Read': 'other:bob' } })
    expect(acl.status).to.equal(204)
    expect(await status('/v1/AUTH_test/private/secret.txt')).to.equal(200)
    const dataDir = v.dataDir
    await v.stop({ keepData: true })
    const state = await StateDb.open(join(dataDir, 'state'))
    const old = { id: 'legacy123', owner: 'test:tester', grantee: 'other:bob', account: 'AUTH_test', container: 'private', prefix: 'docs/', write: false, createdAt: 1700000000 }
    await state.namespace('user-shares-by-owner').put(`test:tester\x00${old.id}`, old)
    await state.namespace('user-shares-by-grantee').put(`other:bob\x00${old.id}`, old)
    await state.close()
    v = await startTestAppliance({ users: [TESTER, BOB], dataDir })
    owner = new WebClient(v.url)
    await owner.login()
    bob = new WebClient(v.url)
    await bob.login(BOB.account, BOB.user, BOB.key)
    let read: string | null = 'other:bob'
    for (let i = 0; i < 50 && read !== null; i++) {
      read = (await owner.fetch('/v1/AUTH_test/private', { method: 'HEAD' })).headers.get('x-container-read')
      if (read !== null) await new Promise((r) => setTimeout(r, 100))
    }
    expect(read).to.equal(null)
    expect(await status('/v1/AUTH_test/private/secret.txt')).to.equal(403)
    const mine = (await (await owner.fetch('/api/user-shares?container=private')).json()) as { shares: Array<{ id: string; viaAcl: boolean }> }
    expect(mine.shares).to.deep.include.members([{ ...old, viaAcl: false }])
    expect(await status(`/api/shared/${old.id}/private?format=json&prefix=docs/`)).to.equal(200)
    expect((await owner.fetch(`/api/user-shares/${old.id}`, { method: 'DELETE' })).status).to.equal(204)
  })
})
