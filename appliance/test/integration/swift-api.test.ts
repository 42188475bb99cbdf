/**
 * The Swift API core over HTTP against a real appliance (three directory devices, three
 * replicas): auth and tokens, the request log, objects across replicas with a device
 * unplugged or a replica damaged, expiry, and restarts keeping everything.
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { readdirSync, renameSync, statSync, truncateSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { createLog } from '../../src/lib/log.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex')

/** Every .data file of an object hash across the devices. */
function dataFiles(dataDir: string, name: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.data') && p.includes(name)) out.push(p)
    }
  }
  walk(join(dataDir, 'devices'))
  return out
}

describe('Swift API core', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let token: string
  let url: string
  const logLines: string[] = []
  const h = (extra: Record<string, string> = {}) => ({ 'X-Auth-Token': token, ...extra })

  before(async () => {
    v = await startTestAppliance({ log: createLog('info', (l) => logLines.push(l)), flags: { log: { level: 'info', requests: true } } })
    ;({ token, storageUrl: url } = await v.auth())
    expect((await fetch(`${url}/c`, { method: 'PUT', headers: h() })).status).to.equal(201)
  })
  after(() => v?.stop())

  describe('auth v1', () => {
    for (const path of ['/auth/v1.0', '/auth/v1.0/']) {
      it(`GET ${path} returns a token and a storage URL built from the Host`, async () => {
        const r = await fetch(`${v.url}${path}`, { headers: { 'X-Storage-User': 'test:tester', 'X-Storage-Pass': 'testing' } })
        expect(r.status).to.equal(200)
        expect(r.headers.get('x-auth-token')).to.match(/^AUTH_tk[0-9a-f]{32}$/)
        expect(r.headers.get('x-storage-token')).to.equal(r.headers.get('x-auth-token'))
        expect(r.headers.get('x-storage-url')).to.equal(`${v.url}/v1/AUTH_test`)
        expect(Number(r.headers.get('x-auth-token-expires'))).to.be.within(86000, 86400)
      })
    }

    it('answers a bare /v1.0 as Swift does (412 Bad URL: tempauth serves /auth/ only)', async () => {
      const r = await fetch(`${v.url}/v1.0`, { headers: { 'X-Storage-User': 'test:tester', 'X-Storage-Pass': 'testing' } })
      expect(r.status).to.equal(412)
      expect(await r.text()).to.equal('Bad URL')
    })

    it('refuses a wrong key, an unknown user and a missing token with 401', async () => {
      expect((await fetch(`${v.url}/auth/v1.0`, { headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'nope' } })).status).to.equal(401)
      expect((await fetch(`${v.url}/auth/v1.0`, { headers: { 'X-Auth-User': 'who:me', 'X-Auth-Key': 'x' } })).status).to.equal(401)
      const r = await fetch(`${url}/c`)
      expect(r.status).to.equal(401)
      expect(r.headers.get('www-authenticate')).to.equal('Swift realm="AUTH_test"')
      expect((await fetch(`${url}/c`, { headers: { 'X-Auth-Token': 'AUTH_tk0123' } })).status).to.equal(401)
    })

    it('a user of another account gets 403 on this one', async () => {
      await v.app.users.add({ account: 'other', user: 'bob', key: 'bobkey', admin: true })
      const { token: bob } = await v.auth({ account: 'other', user: 'bob', key: 'bobkey' })
      expect((await fetch(`${url}/c`, { headers: { 'X-Auth-Token': bob } })).status).to.equal(403)
    })
  })

  it('every response carries X-Trans-Id and X-Openstack-Request-Id', async () => {
    for (const r of [await fetch(`${url}/c`, { headers: h() }), await fetch(`${url}/nope/x`, { headers: h() }), await fetch(`${v.url}/info`)]) {
      expect(r.headers.get('x-trans-id')).to.match(/^tx[0-9a-f]{21}-[0-9a-f]{10}$/)
      expect(r.headers.get('x-openstack-request-id')).to.equal(r.headers.get('x-trans-id'))
    }
  })

  it('/info publishes the constraints and /healthcheck answers OK', async () => {
    const info = (await (await fetch(`${v.url}/info`)).json()) as { swift: Record<string, number> }
    expect(info.swift).to.include({ max_file_size: 5368709122, max_object_name_length: 1024, container_listing_limit: 10000, max_meta_count: 90 })
    expect(await (await fetch(`${v.url}/healthcheck`)).text()).to.equal('OK')
  })

  it('streams a chunked PUT and stores it on three devices', async () => {
    const body = randomBytes(300_000)
    const r = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}/c/chunked.bin`, { method: 'PUT', headers: h({ 'Transfer-Encoding': 'chunked' }) }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      for (let i = 0; i < body.length; i += 65536) req.write(body.subarray(i, i + 65536))
      req.end()
    })
    expect(r).to.equal(201)
    const got = Buffer.from(await (await fetch(`${url}/c/chunked.bin`, { headers: h() })).arrayBuffer())
    expect(md5(got)).to.equal(md5(body))
    expect(dataFiles(v.dataDir, '')).to.have.length.of.at.least(3)
  })

  it('answers 422 on an ETag mismatch and stores nothing', async () => {
    const r = await fetch(`${url}/c/bad-etag`, { method: 'PUT', headers: h({ ETag: md5(Buffer.from('other')) }), body: 'data' })
    expect(r.status).to.equal(422)
    expect((await fetch(`${url}/c/bad-etag`, { headers: h() })).status).to.equal(404)
  })

  it('answers 411 without Content-Length or chunked encoding', async () => {
    // A raw request: Node's client would add Content-Length: 0 on its own.
    const u = new URL(`${url}/c/nolen`)
    const status = await new Promise<number>((resolve, reject) => {
      const sock = connect(Number(u.port), u.hostname, () => {
        sock.write(`PUT ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nX-Auth-Token: ${token}\r\nConnection: close\r\n\r\n`)
      })
      let text = ''
      sock.on('data', (d) => (text += d.toString()))
      sock.on('end', () => resolve(Number(text.split(' ')[1])))
      sock.on('error', reject)
    })
    expect(status).to.equal(411)
  })

  it('reads every object with a device unplugged, and keeps writing on a quorum', async () => {
    const bodies = new Map<string, Buffer>()
    for (let i = 0; i < 20; i++) {
      const b = randomBytes(1000 + i)
      bodies.set(`u/${i}`, b)
      expect((await fetch(`${url}/c/u/${i}`, { method: 'PUT', headers: h(), body: b })).status).to.equal(201)
    }
    const d1 = join(v.dataDir, 'devices', 'd1')
    renameSync(d1, `${d1}.unplugged`)
    try {
      for (const [name, b] of bodies) {
        const r = await fetch(`${url}/c/${name}`, { headers: h() })
        expect(r.status, name).to.equal(200)
        expect(md5(Buffer.from(await r.arrayBuffer()))).to.equal(md5(b))
      }
      expect((await fetch(`${url}/c/u/while-unplugged`, { method: 'PUT', headers: h(), body: 'x' })).status).to.equal(201)
      expect((await fetch(`${url}/c/u/while-unplugged`, { headers: h() })).status).to.equal(200)
    } finally {
      renameSync(`${d1}.unplugged`, d1)
    }
  })

  it('falls back to another replica when one is damaged, and quarantines it', async () => {
    const body = randomBytes(50_000)
    expect((await fetch(`${url}/c/damaged`, { method: 'PUT', headers: h(), body })).status).to.equal(201)
    const files = dataFiles(v.dataDir, '').filter((f) => statSync(f).size === 50_000)
    const before = files.length
    for (const f of files.slice(0, 2)) truncateSync(f, 10) // two of three replicas damaged
    const r = await fetch(`${url}/c/damaged`, { headers: h() })
    expect(r.status).to.equal(200)
    expect(md5(Buffer.from(await r.arrayBuffer()))).to.equal(md5(body))
    expect(dataFiles(v.dataDir, '').filter((f) => statSync(f).size === 50_000).length).to.be.lessThan(before)
  })

  it('hides an object past X-Delete-At at once and the expirer removes it from the listing', async () => {
    // X-Delete-At = int(now + after), as Swift computes it: at least after − 1 s from now.
    expect((await fetch(`${url}/c/soon`, { method: 'PUT', headers: h({ 'X-Delete-After': '3' }), body: 'bye' })).status).to.equal(201)
    const live = await fetch(`${url}/c/soon`, { headers: h() })
    expect(live.status).to.equal(200)
    const deleteAtMs = Number(live.headers.get('x-delete-at')) * 1000
    await new Promise((r) => setTimeout(r, Math.max(0, deleteAtMs - Date.now()) + 100))
    expect((await fetch(`${url}/c/soon`, { headers: h() })).status).to.equal(404)
    await v.app.swift.expirer.runOnce({ expire: (ref, at) => v.app.swift.objects.expire(ref, at) })
    const names = (await (await fetch(`${url}/c?format=json&prefix=soon`, { headers: h() })).json()) as unknown[]
    expect(names).to.have.length(0)
  })

  it('keeps container stats exact through overwrites and deletes', async () => {
    await fetch(`${url}/stats`, { method: 'PUT', headers: h() })
    await fetch(`${url}/stats/a`, { method: 'PUT', headers: h(), body: '12345' })
    await fetch(`${url}/stats/a`, { method: 'PUT', headers: h(), body: '123' })
    await fetch(`${url}/stats/b`, { method: 'PUT', headers: h(), body: '1' })
    await fetch(`${url}/stats/b`, { method: 'DELETE', headers: h() })
    const r = await fetch(`${url}/stats`, { method: 'HEAD', headers: h() })
    expect(r.headers.get('x-container-object-count')).to.equal('1')
    expect(r.headers.get('x-container-bytes-used')).to.equal('3')
    expect((await fetch(`${url}/stats`, { method: 'DELETE', headers: h() })).status).to.equal(409)
  })

  it('never writes keys or tokens to the log', async () => {
    const all = logLines.join('')
    expect(all).to.contain('"type":"request"')
    expect(all).not.to.contain(token)
    expect(all).not.to.contain('testing')
    expect(all).not.to.contain('bobkey')
  })

  it('keeps objects, containers and tokens across a restart', async () => {
    const body = randomBytes(10_000)
    await fetch(`${url}/c/persist`, { method: 'PUT', headers: h(), body })
    const dataDir = v.dataDir
    await v.stop({ keepData: true })
    v = await startTestAppliance({ dataDir })
    url = url.replace(/^http:\/\/[^/]+/, v.url)
    const r = await fetch(`${url}/c/persist`, { headers: h() })
    expect(r.status).to.equal(200)
    expect(md5(Buffer.from(await r.arrayBuffer()))).to.equal(md5(body))
  })
})
