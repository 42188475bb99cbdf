/**
 * The file's own date in container listings, against a real appliance: an object written with
 * X-Object-Meta-Mtime (swiftclient, rclone, the web app) lists with "mtime" when the listing
 * asks `?velox_mtime=1` (a Velox extension; without it the rows are Swift's), in a plain and in
 * a versioned container, after a server-side COPY, a POST and for a large object (SLO).
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

type Row = { name: string; hash: string; mtime?: string; slo_etag?: string }

describe('container listings carry the file\'s own mtime (velox_mtime=1)', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let token: string
  let base: string

  const call = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { 'X-Auth-Token': token, ...(init.headers as Record<string, string>) } })
  const put = async (path: string, body: string, headers: Record<string, string> = {}) => expect((await call(path, { method: 'PUT', body, headers })).status, path).to.equal(201)
  const list = async (container: string, query = '&velox_mtime=1') => (await (await call(`/${container}?format=json${query}`)).json()) as Row[]
  const row = (rows: Row[], name: string) => rows.find((r) => r.name === name)!

  before(async () => {
    v = await startTestAppliance({})
    const auth = await v.auth()
    token = auth.token
    base = auth.storageUrl
  })
  after(async () => {
    await v?.stop()
  })

  for (const versions of [false, true]) {
    it(`lists, copies and updates the mtime in a ${versions ? 'versioned' : 'plain'} container`, async () => {
      const c = versions ? 'kept' : 'plain'
      expect((await call(`/${c}`, { method: 'PUT', headers: versions ? { 'X-Versions-Enabled': 'true' } : {} })).status).to.equal(201)
      await put(`/${c}/a.txt`, 'a', { 'X-Object-Meta-Mtime': '1500000000.25' })
      await put(`/${c}/b.txt`, 'b')
      await put(`/${c}/bad.txt`, 'c', { 'X-Object-Meta-Mtime': 'yesterday' })
      let rows = await list(c)
      expect(row(rows, 'a.txt').mtime).to.equal('1500000000.25')
      expect(row(rows, 'b.txt')).to.not.have.property('mtime')
      expect(row(rows, 'bad.txt')).to.not.have.property('mtime')
      // Without the parameter the rows are Swift's own.
      expect(row(await list(c, ''), 'a.txt')).to.not.have.property('mtime')

      expect((await call(`/${c}/a.txt`, { method: 'COPY', headers: { Destination: `${c}/copy.txt` } })).status).to.equal(201)
      expect(row(await list(c), 'copy.txt').mtime).to.equal('1500000000.25')

      expect((await call(`/${c}/a.txt`, { method: 'POST', headers: { 'Content-Type': 'text/x-note', 'X-Object-Meta-Mtime': '1600000000' } })).status).to.equal(202)
      rows = await list(c)
      expect(row(rows, 'a.txt').mtime).to.equal('1600000000')
    })
  }

  it('lists an SLO with its mtime and its slo_etag', async () => {
    expect((await call('/big', { method: 'PUT' })).status).to.equal(201)
    expect((await call('/big_segments', { method: 'PUT' })).status).to.equal(201)
    const part = 'x'.repeat(1000)
    await put('/big_segments/film.bin/000000', part)
    const manifest = JSON.stringify([{ path: '/big_segments/film.bin/000000', etag: createHash('md5').update(part).digest('hex'), size_bytes: 1000 }])
    const r = await call('/big/film.bin?multipart-manifest=put', { method: 'PUT', body: manifest, headers: { 'X-Object-Meta-Mtime': '1400000000' } })
    expect(r.status, await r.text()).to.equal(201)
    const film = row(await list('big'), 'film.bin')
    expect(film.mtime).to.equal('1400000000')
    expect(film.slo_etag).to.be.a('string')
    expect(film.hash).to.not.include(';')
  })
})
