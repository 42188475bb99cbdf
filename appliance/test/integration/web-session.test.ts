/**
 * Web sessions against a real appliance: sign-in and its cookie's flags (Secure over TLS),
 * who-am-I, sign-out, sliding expiry, the sign-in rate limit, CSRF on /api and on Swift
 * calls authenticated by the cookie, and the Swift API used through the cookie.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('web sessions', function () {
  this.timeout(60_000)
  let v: TestAppliance

  before(async () => {
    v = await startTestAppliance({ users: [{ account: 'test', user: 'tester', key: 'testing', admin: true }, { account: 'test', user: 'reader', key: 'reading' }, { account: 'other', user: 'tester', key: 'other-key' }, { account: 'test', user: 'twin', key: 'same' }, { account: 'other', user: 'twin', key: 'same' }], flags: { web: { sessionLifeSec: 3 } } })
  })
  after(() => v?.stop())

  it('signs in with a local user: the body names the user, a CSRF token and the storage URL; the cookie is HttpOnly, SameSite=Strict, Path=/', async () => {
    const c = new WebClient(v.url)
    const body = await c.login()
    expect(body.user).to.deep.equal({ account: 'test', user: 'tester', admin: true })
    expect(body.storageUrl).to.equal('/v1/AUTH_test')
    expect(body.csrfToken).to.match(/^[A-Za-z0-9_-]{43}$/)
    const sc = c.setCookies[0]
    expect(sc).to.match(/^velox_session=[A-Za-z0-9_-]{43}; /)
    expect(sc).to.include('HttpOnly').and.to.include('SameSite=Strict').and.to.include('Path=/')
    expect(sc).not.to.include('Secure')
    const me = await c.fetch('/api/session')
    expect(me.status).to.equal(200)
    expect(await me.json()).to.deep.include({ csrfToken: body.csrfToken, storageUrl: '/v1/AUTH_test' })
  })

  it('answers a wrong password with 401 and no cookie, and GET /api/session without a session with 401', async () => {
    const c = new WebClient(v.url)
    const r = await c.fetch('/api/session', { method: 'POST', json: { account: 'test', user: 'tester', password: 'wrong' } })
    expect(r.status).to.equal(401)
    expect(await r.json()).to.deep.equal({ kind: 'unauthorized', message: 'wrong account, user or password' })
    expect(c.setCookies).to.have.length(0)
    expect((await c.fetch('/api/session')).status).to.equal(401)
  })

  it('derives the account from the user name and password when none is given; an ambiguous one needs the account', async () => {
    const as = async (json: Record<string, string>) => {
      const r = await new WebClient(v.url).fetch('/api/session', { method: 'POST', json })
      return r.status === 200 ? ((await r.json()) as { user: { account: string } }).user.account : r.status
    }
    expect(await as({ user: 'tester', password: 'testing' })).to.equal('test')
    expect(await as({ account: '', user: 'tester', password: 'other-key' })).to.equal('other')
    // the same name and key in two accounts: which one is meant cannot be told
    expect(await as({ user: 'twin', password: 'same' })).to.equal(401)
    expect(await as({ account: 'other', user: 'twin', password: 'same' })).to.equal('other')
    expect(await as({ user: 'nobody', password: 'x' })).to.equal(401)
  })

  it('refuses a sign-in sent as a form (not application/json)', async () => {
    const r = await fetch(`${v.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'account=test&user=tester&password=testing' })
    expect(r.status).to.equal(400)
  })

  it('signs out only with the CSRF token, then clears the cookie and forgets the session', async () => {
    const c = new WebClient(v.url)
    await c.login()
    const stolen = c.cookies.get('velox_session')
    const noCsrf = await c.fetch('/api/session', { method: 'DELETE', csrf: false })
    expect(noCsrf.status).to.equal(403)
    expect((await c.fetch('/api/session', { method: 'DELETE', headers: { 'X-CSRF-Token': 'x'.repeat(43) }, csrf: false })).status).to.equal(403)
    const out = await c.fetch('/api/session', { method: 'DELETE' })
    expect(out.status).to.equal(204)
    expect(c.setCookies.at(-1)).to.match(/^velox_session=; .*Max-Age=0/)
    expect((await fetch(`${v.url}/api/session`, { headers: { Cookie: `velox_session=${stolen}` } })).status).to.equal(401)
  })

  it('expires an idle session after web.sessionLifeSec, and use keeps it alive (sliding)', async () => {
    const c = new WebClient(v.url)
    await c.login()
    for (let i = 0; i < 4; i++) {
      await sleep(1000)
      expect((await c.fetch('/api/session')).status, `use ${i}`).to.equal(200)
    }
    await sleep(3500)
    expect((await c.fetch('/api/session')).status).to.equal(401)
  })

  it('ends sessions when the user key changes', async () => {
    const c = new WebClient(v.url)
    await c.login('test', 'reader', 'reading')
    await v.app.users.setKey('test', 'reader', 'reading2')
    await v.app.users.reload()
    expect((await c.fetch('/api/session')).status).to.equal(401)
    await v.app.users.setKey('test', 'reader', 'reading')
  })

  describe('the Swift API through the cookie', () => {
    let c: WebClient
    before(async () => {
      c = new WebClient(v.url)
      await c.login()
    })

    it('PUTs a container and an object with the CSRF token and GETs it back without one', async () => {
      expect((await c.fetch('/v1/AUTH_test/web', { method: 'PUT' })).status).to.equal(201)
      expect((await c.fetch('/v1/AUTH_test/web/hello.txt', { method: 'PUT', body: 'hello web' })).status).to.equal(201)
      const r = await c.fetch('/v1/AUTH_test/web/hello.txt')
      expect(r.status).to.equal(200)
      expect(await r.text()).to.equal('hello web')
      const list = await c.fetch('/v1/AUTH_test/web?format=json')
      expect(((await list.json()) as Array<{ name: string }>).map((e) => e.name)).to.deep.equal(['hello.txt'])
    })

    it('refuses state-changing calls without the CSRF token (403) or with a wrong one', async () => {
      expect((await c.fetch('/v1/AUTH_test/web/x.txt', { method: 'PUT', body: 'x', csrf: false })).status).to.equal(403)
      expect((await c.fetch('/v1/AUTH_test/web/hello.txt', { method: 'DELETE', csrf: false, headers: { 'X-CSRF-Token': 'nope' } })).status).to.equal(403)
      expect((await c.fetch('/v1/AUTH_test/web/hello.txt', { method: 'POST', csrf: false, headers: { 'X-Object-Meta-A': 'b' } })).status).to.equal(403)
      expect((await c.fetch('/v1/AUTH_test/web/x.txt')).status).to.equal(404)
    })

    it('acts as the user with the user groups: another account stays forbidden, and no cookie is anonymous (401)', async () => {
      const other = new WebClient(v.url)
      await other.login('test', 'reader', 'reading')
      expect((await other.fetch('/v1/AUTH_test/web/hello.txt')).status).to.equal(403)
      expect((await fetch(`${v.url}/v1/AUTH_test/web/hello.txt`)).status).to.equal(401)
      const { token } = await v.auth()
      expect((await fetch(`${v.url}/v1/AUTH_test/web`, { method: 'POST', headers: { 'X-Auth-Token': token, 'X-Container-Read': 'test:reader' } })).status).to.equal(204)
      expect((await other.fetch('/v1/AUTH_test/web/hello.txt')).status).to.equal(200)
    })

    it('lets an X-Auth-Token win over the cookie (no CSRF asked of token clients)', async () => {
      const { token } = await v.auth()
      const r = await c.fetch('/v1/AUTH_test/web/t.txt', { method: 'PUT', body: 't', csrf: false, headers: { 'X-Auth-Token': token } })
      expect(r.status).to.equal(201)
    })
  })

  it('marks the cookie Secure when the request came over TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velox-tls-'))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' })
      const handler = v.app.server.listeners('request')[0] as Parameters<typeof createHttpsServer>[1]
      const tls = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, handler)
      await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()))
      try {
        const port = (tls.address() as AddressInfo).port
        const setCookie = await new Promise<string[]>((resolve, reject) => {
          const body = JSON.stringify({ account: 'test', user: 'tester', password: 'testing' })
          const req = httpsRequest({ host: '127.0.0.1', port, path: '/api/session', method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
            res.resume()
            expect(res.statusCode).to.equal(200)
            resolve(res.headers['set-cookie'] ?? [])
          })
          req.on('error', reject)
          req.end(body)
        })
        expect(setCookie[0]).to.match(/; Secure$/)
      } finally {
        tls.closeAllConnections()
        await new Promise((r) => tls.close(r))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  describe('sign-in rate limit (last: it blocks this address for a minute)', () => {
    it('rate-limits wrong passwords per client address: the 11th attempt within a minute is refused even with the right password', async () => {
      const c = new WebClient(v.url)
      // Earlier tests' wrong passwords came from the same address and count too.
      let refused = 0
      for (let i = 0; i < 11; i++) {
        const status = (await c.fetch('/api/session', { method: 'POST', json: { account: 'test', user: 'tester', password: `wrong${i}` } })).status
        if (status === 403) break
        expect(status).to.equal(401)
        refused++
      }
      expect(refused).to.be.within(1, 10)
      const r = await c.fetch('/api/session', { method: 'POST', json: { account: 'test', user: 'tester', password: 'testing' } })
      expect(r.status).to.equal(403)
      expect(Number(r.headers.get('retry-after'))).to.be.within(1, 60)
      expect(((await r.json()) as { message: string }).message).to.match(/too many failed sign-in attempts/)
    })
  })
})
