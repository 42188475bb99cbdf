/**
 * Issue 16: renaming a container as a server-side job (files/container-rename.ts). The new
 * container keeps the old one's ACLs, metadata, storage policy and versioning; a large
 * object moves as its manifest and still reads whole; share links and user shares follow;
 * an appliance stopped halfway finishes the job after it starts again; a non-empty target
 * is refused and nothing already there is overwritten.
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LoopbackSwift } from '../../src/files/loopback-swift.js'
import { moveObject } from '../../src/files/rename-steps.js'
import { GOLD_SILVER } from '../harness/differential-vars.js'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const BOB = { account: 'other', user: 'bob', key: 'bobpass' }
const FILES = 40
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex')

interface Job {
  id: string
  state: string
  step: string
  moved: number
  total: number
  error?: string
  repointed?: { links: number; userShares: number }
}

describe('renaming a container (issue 16)', function () {
  this.timeout(180_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'velox-rename-'))
  const start = () => startTestAppliance({ dataDir, users: [TESTER, BOB], flags: { policies: GOLD_SILVER } })
  let v: TestAppliance
  let owner: WebClient
  /** A folder shared with bob: reached through /api/shared/<id>/, not the container's ACL. */
  let folderShare = ''
  const seg = [randomBytes(70_000), randomBytes(50_000)]

  const put = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    const r = await owner.fetch(`/v1/AUTH_test/${path}`, { method: 'PUT', body, headers })
    expect(r.status, `${path}: ${await r.clone().text()}`).to.be.oneOf([201, 202])
  }
  const job = async (id: string): Promise<Job> => (await (await owner.fetch(`/api/container-renames/${id}`)).json()) as Job
  const until = async (id: string, done: (j: Job) => boolean): Promise<Job> => {
    for (let i = 0; i < 600; i++) {
      const j = await job(id)
      if (done(j)) return j
      if (j.state === 'failed') throw new Error(`rename failed: ${j.error}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error('rename did not get there in time')
  }

  before(async () => {
    v = await start()
    owner = new WebClient(v.url)
    await owner.login()
    await put('album', '', {
      'X-Storage-Policy': 'silver',
      'X-Versions-Enabled': 'true',
      'X-Container-Meta-Color': 'blue',
      'X-Container-Meta-Quota-Bytes': '50000000',
      'X-Container-Meta-Access-Control-Allow-Origin': 'https://example.org',
      'X-Container-Meta-Web-Listings': 'true',
    })
    await put('album_segments', '')
    for (let i = 0; i < FILES; i++) await put(`album/pics/p${String(i).padStart(3, '0')}.txt`, `picture ${i}`, { 'X-Object-Meta-Mtime': '1600000000.5' })
    await put('album/pics/p000.txt', 'picture 0, second version', { 'X-Object-Meta-Mtime': '1600000000.5' })
    for (const [i, b] of seg.entries()) await put(`album_segments/big/${i}`, b)
    const manifest = seg.map((b, i) => ({ path: `/album_segments/big/${i}`, etag: md5(b), size_bytes: b.length }))
    await put('album/big.bin?multipart-manifest=put', JSON.stringify(manifest), { 'Content-Type': 'application/octet-stream' })
    const grant = await owner.fetch('/api/user-shares', { method: 'POST', json: { container: 'album', grantee: 'other:bob' } })
    expect(grant.status, await grant.clone().text()).to.equal(201)
    const folder = await owner.fetch('/api/user-shares', { method: 'POST', json: { container: 'album', prefix: 'pics/', grantee: 'other:bob' } })
    expect(folder.status, await folder.clone().text()).to.equal(201)
    folderShare = ((await folder.json()) as { id: string }).id
    await put('taken', '')
    await put('taken/x.txt', 'already here')
  })
  after(() => v?.stop())

  it('refuses a non-empty target, a missing source and a request without CSRF', async () => {
    const r = await owner.fetch('/api/container-renames', { method: 'POST', json: { from: 'album', to: 'taken' } })
    expect(r.status).to.equal(409)
    expect(((await r.json()) as { message: string }).message).to.contain('not empty')
    expect((await owner.fetch('/api/container-renames', { method: 'POST', json: { from: 'nope', to: 'nope2' } })).status).to.equal(404)
    expect((await owner.fetch('/api/container-renames', { method: 'POST', json: { from: 'album', to: 'a/b' } })).status).to.equal(400)
    expect((await owner.fetch('/api/container-renames', { method: 'POST', json: { from: 'album', to: 'x' }, csrf: false })).status).to.equal(403)
    expect((await owner.fetch('/v1/AUTH_test/taken/x.txt')).status).to.equal(200)

    // Two starts at once for the same container: one runs, the other is told why not.
    await put('twice', '')
    await put('twice/t.txt', 't')
    const both = await Promise.all(['twice2', 'twice3'].map((to) => owner.fetch('/api/container-renames', { method: 'POST', json: { from: 'twice', to } })))
    expect(both.map((x) => x.status).sort()).to.deep.equal([202, 409])
    const started = (await both.find((x) => x.status === 202)?.json()) as Job
    await until(started.id, (j) => j.state === 'done')
  })

  it('survives a restart halfway and carries settings, large objects and shares', async () => {
    const link = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'album', object: 'pics/p001.txt' } })
    expect(link.status).to.equal(201)
    const { token } = (await link.json()) as { token: string }

    const r = await owner.fetch('/api/container-renames', { method: 'POST', json: { from: 'album', to: 'photos' } })
    expect(r.status, await r.clone().text()).to.equal(202)
    const { id } = (await r.json()) as Job
    const half = await until(id, (j) => j.moved >= 5)
    expect(half.state).to.equal('running')
    await v.stop({ keepData: true })

    v = await start()
    owner = new WebClient(v.url)
    await owner.login()
    const open = (await (await owner.fetch('/api/container-renames')).json()) as { jobs: Job[] }
    expect(open.jobs.map((j) => j.id), 'the app can offer to follow it after a reload').to.include(id)
    const done = await until(id, (j) => j.state === 'done')
    expect(done.moved).to.equal(FILES + 1)
    expect(done.repointed).to.deep.equal({ links: 1, userShares: 2 })

    expect((await owner.fetch('/v1/AUTH_test/album', { method: 'HEAD' })).status, 'the old container is gone').to.equal(404)
    const h = (await owner.fetch('/v1/AUTH_test/photos', { method: 'HEAD' })).headers
    expect(h.get('x-storage-policy')).to.equal('silver')
    expect(h.get('x-versions-enabled')).to.equal('True')
    expect(h.get('x-container-meta-color')).to.equal('blue')
    expect(h.get('x-container-meta-quota-bytes')).to.equal('50000000')
    expect(h.get('x-container-meta-access-control-allow-origin')).to.equal('https://example.org')
    expect(h.get('x-container-meta-web-listings')).to.equal('true')
    expect(h.get('x-container-read'), 'the user share\'s ACL').to.contain('other:bob')
    expect(h.get('x-container-object-count')).to.equal(String(FILES + 1))

    const p0 = await owner.fetch('/v1/AUTH_test/photos/pics/p000.txt')
    expect(await p0.text()).to.equal('picture 0, second version')
    expect(p0.headers.get('x-object-meta-mtime'), 'the file\'s own date').to.equal('1600000000.5')
    const big = await owner.fetch('/v1/AUTH_test/photos/big.bin')
    expect(Buffer.from(await big.arrayBuffer()).equals(Buffer.concat(seg)), 'the large object reads whole').to.equal(true)
    const segs = (await (await owner.fetch('/v1/AUTH_test/album_segments?format=json')).json()) as unknown[]
    expect(segs, 'its segments stayed where they were').to.have.length(2)

    const shared = await fetch(`${v.url}/s/${token}/file`)
    expect(shared.status).to.equal(200)
    expect(await shared.text()).to.equal('picture 1')
    const bob = new WebClient(v.url)
    await bob.login(BOB.account, BOB.user, BOB.key)
    const withMe = (await (await bob.fetch('/api/user-shares/with-me')).json()) as { shares: Array<{ container: string }> }
    expect(withMe.shares.map((s) => s.container)).to.deep.equal(['photos', 'photos'])
    expect((await bob.fetch('/v1/AUTH_test/photos/pics/p002.txt')).status).to.equal(200)
    const viaFolder = await bob.fetch(`/api/shared/${folderShare}/photos/pics/p002.txt`)
    expect(viaFolder.status, 'the folder share follows too').to.equal(200)
    expect(await viaFolder.text()).to.equal('picture 2')
  })

  it('a rename an error stopped keeps both halves, then continues or is left as it is', async () => {
    const stopped = async (from: string, to: string): Promise<Job> => {
      await put(from, '')
      for (let n = 0; n < 10; n++) await put(`${from}/n${n}.txt`, `${n}`)
      // (a quota set after the files: the new container gets it too and soon refuses more;
      // how many get in first depends on the concurrent copies, quotas being checked per request)
      expect((await owner.fetch(`/v1/AUTH_test/${from}`, { method: 'POST', headers: { 'X-Container-Meta-Quota-Count': '2' } })).status).to.equal(204)
      const r = await owner.fetch('/api/container-renames', { method: 'POST', json: { from, to } })
      const { id } = (await r.json()) as Job
      for (let i = 0; i < 400; i++) {
        const j = await job(id)
        if (j.state !== 'running') return j
        await new Promise((res) => setTimeout(res, 50))
      }
      throw new Error('the rename did not stop')
    }
    const count = async (c: string) => (await owner.fetch(`/v1/AUTH_test/${c}`, { method: 'HEAD' })).headers.get('x-container-object-count')

    const a = await stopped('q1', 'q2')
    expect(a.state).to.equal('failed')
    expect(a.moved).to.be.within(2, 9)
    expect(a.error).to.contain('Upload exceeds quota (413)')
    const [left, moved] = [Number(await count('q1')), Number(await count('q2'))]
    expect([left + moved, moved >= a.moved], 'each file in one of the two').to.deep.equal([10, true])
    expect((await owner.fetch('/v1/AUTH_test/q2', { method: 'POST', headers: { 'X-Container-Meta-Quota-Count': '20' } })).status).to.equal(204)
    expect((await owner.fetch(`/api/container-renames/${a.id}/resume`, { method: 'POST' })).status).to.equal(200)
    expect((await until(a.id, (j) => j.state === 'done')).moved).to.equal(10)
    expect(await count('q2')).to.equal('10')
    expect((await owner.fetch('/v1/AUTH_test/q1', { method: 'HEAD' })).status).to.equal(404)

    const b = await stopped('q3', 'q4')
    expect((await owner.fetch(`/api/container-renames/${b.id}`, { method: 'DELETE' })).status).to.equal(204)
    const open = (await (await owner.fetch('/api/container-renames')).json()) as { jobs: Job[] }
    expect(open.jobs.map((j) => j.id)).to.not.include(b.id)
    expect(Number(await count('q3')) + Number(await count('q4')), 'both halves stay').to.equal(10)
  })

  it('moves one object only after its copy checks out, and never overwrites another', async () => {
    const { token } = await v.auth()
    const identity = { users: { get: () => v.app.users.get('test', 'tester') }, tokens: { issue: async () => ({ token }) } }
    const swift = new LoopbackSwift(() => v.url, identity, { account: 'test', user: 'tester', storageAccount: 'AUTH_test' })
    for (const c of ['src1', 'dst1']) await put(c, '')
    await put('src1/same.txt', 'same bytes')
    await put('dst1/same.txt', 'same bytes') // (as a copy made before a restart leaves it)
    await put('src1/other.txt', 'from the source')
    await put('dst1/other.txt', 'written meanwhile')
    await moveObject(swift, 'src1', 'dst1', { name: 'same.txt', hash: md5('same bytes'), bytes: 10 })
    expect((await owner.fetch('/v1/AUTH_test/src1/same.txt')).status).to.equal(404)
    expect(await (await owner.fetch('/v1/AUTH_test/dst1/same.txt')).text()).to.equal('same bytes')
    const err = await moveObject(swift, 'src1', 'dst1', { name: 'other.txt', hash: md5('from the source'), bytes: 15 }).then(() => undefined, (e: Error) => e)
    expect(err?.message).to.contain('not overwritten')
    expect(await (await owner.fetch('/v1/AUTH_test/src1/other.txt')).text()).to.equal('from the source')
    expect(await (await owner.fetch('/v1/AUTH_test/dst1/other.txt')).text()).to.equal('written meanwhile')
  })
})
