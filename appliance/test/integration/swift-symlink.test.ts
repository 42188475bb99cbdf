/**
 * Symlinks (Swift 2.30's symlink middleware) end to end against a real appliance: link PUT
 * checks, GET/HEAD following with Content-Location, `?symlink=get`, the symloop limit,
 * static links (etag checked at PUT and at GET), listings with symlink_path, POST's 307, and
 * a link kept as a link when a versioned container keeps its previous version.
 */
import { expect } from 'chai'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

describe('Swift symlinks', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let token: string
  let url: string
  let targetEtag: string
  const req = (path: string, method = 'GET', extra: Record<string, string> = {}, body?: string) =>
    fetch(`${url}${path}`, { method, headers: { 'X-Auth-Token': token, ...extra }, body, redirect: 'manual' })
  const link = (name: string, target: string, extra: Record<string, string> = {}) => req(`/s/${name}`, 'PUT', { 'X-Symlink-Target': target, ...extra })

  before(async () => {
    v = await startTestAppliance()
    ;({ token, storageUrl: url } = await v.auth())
    await req('/s', 'PUT')
    await req('/other', 'PUT')
    const r = await req('/s/target', 'PUT', { 'Content-Type': 'text/x-target', 'X-Object-Meta-Color': 'blue' }, 'target body')
    targetEtag = r.headers.get('etag') as string
  })
  after(() => v?.stop())

  describe('PUT', () => {
    it('needs a zero-byte body', async () => {
      const r = await link('l', 's/target', {}) // no body: fine
      expect(r.status).to.equal(201)
      expect(r.headers.get('etag')).to.equal('d41d8cd98f00b204e9800998ecf8427e')
      const withBody = await req('/s/l', 'PUT', { 'X-Symlink-Target': 's/target' }, 'x')
      expect(withBody.status).to.equal(400)
      expect(await withBody.text()).to.equal('Symlink requests require a zero byte body')
    })

    it('checks the target form (412), the account (412) and refuses itself (400)', async () => {
      for (const bad of ['/s/target', 's', 's/']) {
        const r = await link('bad', bad)
        expect(r.status, bad).to.equal(412)
        expect(await r.text()).to.equal('X-Symlink-Target header must be of the form <container name>/<object name>')
      }
      expect((await link('bad', 's/target', { 'X-Symlink-Target-Account': 'a/b' })).status).to.equal(412)
      const self = await link('self', 's/self')
      expect(self.status).to.equal(400)
      expect(await self.text()).to.equal('Symlink cannot target itself')
      expect((await link('bad', 's/target', { 'X-Symlink-Target-Etag': 'a"b' })).status).to.equal(400)
    })

    it('defaults the content type to application/symlink', async () => {
      await link('typed', 's/target')
      expect((await req('/s/typed?symlink=get', 'HEAD')).headers.get('content-type')).to.equal('application/symlink')
    })
  })

  describe('GET and HEAD', () => {
    before(async () => {
      await link('l1', 's/target')
      await link('l2', 's/l1', { 'X-Symlink-Target-Account': 'AUTH_test' })
      await link('l3', 's/l2')
      await link('dangling', 's/nothing')
      await link('cross', 'other/o')
      await req('/other/o', 'PUT', {}, 'in other')
    })

    it('follows a link and names the target in Content-Location', async () => {
      const r = await req('/s/l1')
      expect(r.status).to.equal(200)
      expect(await r.text()).to.equal('target body')
      expect(r.headers.get('content-location')).to.equal('/v1/AUTH_test/s/target')
      expect(r.headers.get('etag')).to.equal(targetEtag)
      expect(r.headers.get('x-object-meta-color')).to.equal('blue')
      expect(r.headers.get('x-object-sysmeta-symlink-target')).to.equal(null)
      const head = await req('/s/l1', 'HEAD')
      expect(head.headers.get('content-length')).to.equal('11')
      expect(head.headers.get('content-type')).to.equal('text/x-target')
      expect(await (await req('/s/cross')).text()).to.equal('in other')
    })

    it('applies Range to the target', async () => {
      const r = await req('/s/l1', 'GET', { Range: 'bytes=0-5' })
      expect(r.status).to.equal(206)
      expect(await r.text()).to.equal('target')
    })

    it('follows two hops; a third is 409 Too many levels of symbolic links', async () => {
      const two = await req('/s/l2')
      expect(await two.text()).to.equal('target body')
      expect(two.headers.get('content-location')).to.equal('/v1/AUTH_test/s/target')
      const three = await req('/s/l3')
      expect(three.status).to.equal(409)
      expect(await three.text()).to.equal('Too many levels of symbolic links, maximum allowed is 2')
    })

    it('a dangling link answers 404 with the missing target in Content-Location', async () => {
      const r = await req('/s/dangling')
      expect(r.status).to.equal(404)
      expect(r.headers.get('content-location')).to.equal('/v1/AUTH_test/s/nothing')
    })

    it('?symlink=get answers the link itself with its X-Symlink-* headers', async () => {
      const r = await req('/s/l2?symlink=get')
      expect(r.status).to.equal(200)
      expect(await r.text()).to.equal('')
      expect(r.headers.get('x-symlink-target')).to.equal('s/l1')
      expect(r.headers.get('x-symlink-target-account')).to.equal('AUTH_test')
      expect(r.headers.get('content-location')).to.equal(null)
    })

    it('a user without read access to the target is refused on the hop', async () => {
      await v.app.users.add({ account: 'test', user: 'reader', key: 'rk' })
      const { token: reader } = await v.auth({ account: 'test', user: 'reader', key: 'rk' })
      await req('/pub', 'PUT', { 'X-Container-Read': 'test:reader' })
      await fetch(`${url}/pub/l`, { method: 'PUT', headers: { 'X-Auth-Token': token, 'X-Symlink-Target': 's/target' } })
      const r = await fetch(`${url}/pub/l`, { headers: { 'X-Auth-Token': reader } })
      expect(r.status).to.equal(403)
    })
  })

  describe('static links', () => {
    it('checks the target etag at PUT: 409 when it differs or the target is missing', async () => {
      const wrong = await link('st', 's/target', { 'X-Symlink-Target-Etag': 'deadbeef' })
      expect(wrong.status).to.equal(409)
      expect(await wrong.text()).to.equal(`Object Etag '${targetEtag}' does not match X-Symlink-Target-Etag header 'deadbeef'`)
      expect(wrong.headers.get('content-location')).to.equal('/v1/AUTH_test/s/target')
      const missing = await link('st', 's/absent', { 'X-Symlink-Target-Etag': targetEtag })
      expect(missing.status).to.equal(409)
      expect(await missing.text()).to.equal('X-Symlink-Target does not exist')
    })

    it('stores etag and bytes, takes the target content type, and 409s once the target changes', async () => {
      await req('/s/st-target', 'PUT', { 'Content-Type': 'text/x-static' }, 'static one')
      const etag = (await req('/s/st-target', 'HEAD')).headers.get('etag') as string
      expect((await link('st', 's/st-target', { 'X-Symlink-Target-Etag': `"${etag}"` })).status).to.equal(201)
      const self = await req('/s/st?symlink=get', 'HEAD')
      expect(self.headers.get('x-symlink-target-etag')).to.equal(etag)
      expect(self.headers.get('x-symlink-target-bytes')).to.equal('10')
      expect(self.headers.get('content-type')).to.equal('text/x-static')
      expect(await (await req('/s/st')).text()).to.equal('static one')
      await req('/s/st-target', 'PUT', {}, 'static two')
      const changed = await req('/s/st')
      expect(changed.status).to.equal(409)
      expect(await changed.text()).to.match(/^Object Etag '[0-9a-f]{32}' does not match X-Symlink-Target-Etag header '[0-9a-f]{32}'$/)
    })
  })

  it('JSON listings show symlink_path (and symlink_etag, symlink_bytes for static links); XML keeps the plain hash', async () => {
    await req('/lst', 'PUT')
    await req('/lst/t', 'PUT', {}, 'abc')
    const etag = (await req('/lst/t', 'HEAD')).headers.get('etag') as string
    await req('/lst/dyn', 'PUT', { 'X-Symlink-Target': 'lst/t' })
    await req('/lst/sta', 'PUT', { 'X-Symlink-Target': 'lst/t', 'X-Symlink-Target-Etag': etag })
    const rows = (await (await req('/lst?format=json')).json()) as Array<Record<string, unknown>>
    const by = Object.fromEntries(rows.map((r) => [r.name, r]))
    expect(by.dyn).to.include({ hash: 'd41d8cd98f00b204e9800998ecf8427e', bytes: 0, symlink_path: '/v1/AUTH_test/lst/t', content_type: 'application/symlink' })
    expect(Object.keys(by.sta)).to.deep.equal(['bytes', 'hash', 'name', 'content_type', 'last_modified', 'symlink_etag', 'symlink_bytes', 'symlink_path'])
    expect(by.sta).to.include({ symlink_etag: etag, symlink_bytes: 3, symlink_path: '/v1/AUTH_test/lst/t' })
    expect(by.t).to.not.have.property('symlink_path')
    const xml = await (await req('/lst?format=xml')).text()
    expect(xml).to.not.include('symlink_')
    expect(xml).to.include(`<name>sta</name><hash>d41d8cd98f00b204e9800998ecf8427e</hash>`)
    expect(await (await req('/lst')).text()).to.equal('dyn\nsta\nt\n')
  })

  it('POST to a link updates the link and answers 307 to the target', async () => {
    await link('l1', 's/target')
    const r = await req('/s/l1', 'POST', { 'X-Object-Meta-Note': 'on the link' })
    expect(r.status).to.equal(307)
    expect(r.headers.get('location')).to.match(/\/v1\/AUTH_test\/s\/target$/)
    expect(await r.text()).to.equal('The requested POST was applied to a symlink. POST directly to the target to apply requested metadata.')
    expect((await req('/s/l1?symlink=get', 'HEAD')).headers.get('x-object-meta-note')).to.equal('on the link')
    expect((await req('/s/target', 'HEAD')).headers.get('x-object-meta-note')).to.equal(null)
    expect((await req('/s/l1', 'POST', { 'X-Symlink-Target': 's/x' })).status).to.equal(400)
  })

  it('a versioned container keeps an overwritten link as a link', async () => {
    await req('/sv-v', 'PUT')
    await req('/sv', 'PUT', { 'X-Versions-Location': 'sv-v' })
    await req('/sv/t', 'PUT', {}, 'data')
    await req('/sv/l', 'PUT', { 'X-Symlink-Target': 'sv/t' })
    await req('/sv/l', 'PUT', {}, 'plain now')
    const rows = (await (await req('/sv-v?format=json')).json()) as Array<Record<string, unknown>>
    expect(rows).to.have.length(1)
    expect(rows[0].symlink_path).to.equal('/v1/AUTH_test/sv/t')
    expect((await req(`/sv-v/${rows[0].name as string}?symlink=get`)).headers.get('x-symlink-target')).to.equal('sv/t')
    expect((await req('/sv/l', 'DELETE')).status).to.equal(204)
    expect(await (await req('/sv/l')).text()).to.equal('data')
  })

  it('/info lists symlink with symloop_max and static_links', async () => {
    const info = (await (await fetch(`${v.url}/info`)).json()) as Record<string, unknown>
    expect(info.symlink).to.deep.equal({ symloop_max: 2, static_links: true })
  })
})
