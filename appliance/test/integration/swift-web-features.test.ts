/**
 * TempURL, FormPost, CORS and static web against a real appliance: URLs signed by
 * python-swiftclient's `swift tempurl` (hex SHA1/256/512, the `<algo>:<base64>` form, ISO
 * 8601 expiry), forms built with fetch's FormData, preflights and actual CORS requests, and
 * `swift post -r '.r:*,.rlistings'` containers served as web sites. A last block replays the
 * main cases against a real Swift 2.30 (harness/saio.ts) and compares statuses and headers.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'
import { startTestAppliance, type TestAppliance, type TestUser } from '../harness/test-appliance.js'
import { saioUnavailableReason, startSaio, type Saio } from '../harness/saio.js'

const run = promisify(execFile)
const SWIFT_CLI = '/usr/bin/swift'
const TESTER3: TestUser = { account: 'test', user: 'tester3', key: 'testing3' }

/** `swift tempurl [opts] METHOD SECONDS PATH KEY` → the signed path with its query. */
async function signed(method: string, path: string, key: string, ...opts: string[]): Promise<string> {
  const { stdout } = await run(SWIFT_CLI, ['tempurl', ...opts, method, '60', path, key])
  return stdout.trim()
}

function hmacHex(algo: string, key: string, text: string): string {
  return createHmac(algo, key).update(text).digest('hex')
}

/** The same URL signed here (the CLI costs seconds per call; the first test checks both agree). */
function sign(method: string, path: string, key: string, o: { digest?: string; expires?: number } = {}): string {
  const expires = o.expires ?? Math.floor(Date.now() / 1000) + 60
  return `${path}?temp_url_sig=${hmacHex(o.digest ?? 'sha256', key, `${method}\n${expires}\n${path}`)}&temp_url_expires=${expires}`
}

interface Endpoint {
  url: string
  token: string
}

async function call(e: Endpoint, method: string, path: string, opts: { headers?: Record<string, string>; body?: string | FormData; token?: boolean } = {}) {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers['X-Auth-Token'] = e.token
  const r = await fetch(`${e.url}${path}`, { method, headers, body: opts.body, redirect: 'manual' })
  return { status: r.status, headers: r.headers, text: method === 'HEAD' ? '' : await r.text() }
}

/** Sets up what every block uses: container c with dir/o.txt, and the account key KEY. */
async function seed(e: Endpoint): Promise<void> {
  for (const c of ['c', 'c2']) expect((await call(e, 'PUT', `/v1/AUTH_test/${c}`, { token: true })).status).to.be.oneOf([201, 202])
  expect((await call(e, 'POST', '/v1/AUTH_test', { token: true, headers: { 'X-Account-Meta-Temp-URL-Key': 'KEY' } })).status).to.equal(204)
  const put = await call(e, 'PUT', '/v1/AUTH_test/c/dir/o.txt', { token: true, body: 'hello', headers: { 'Content-Type': 'text/plain', 'X-Object-Meta-Color': 'red', 'X-Object-Meta-Public-A': 'b' } })
  expect(put.status).to.equal(201)
}

describe('Swift web features (TempURL, FormPost, CORS, static web)', function () {
  this.timeout(120_000)
  let velox: TestAppliance
  let e: Endpoint
  const haveCli = existsSync(SWIFT_CLI)

  before(async () => {
    velox = await startTestAppliance({
      users: [{ account: 'test', user: 'tester', key: 'testing', admin: true }, TESTER3],
      flags: { cors: { allowOrigin: ['http://global.example'], exposeHeaders: ['X-Custom'] } },
    })
    e = { url: velox.url, token: (await velox.auth()).token }
    await seed(e)
  })
  after(async () => velox?.stop())

  describe('TempURL', () => {
    before(function () {
      if (!haveCli) {
        console.log('    (skipped: python3-swiftclient is not installed; make test installs it)')
        this.skip()
      }
    })

    it('a GET URL from `swift tempurl` returns the object, hiding private metadata, with a download disposition', async () => {
      const url = await signed('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY')
      expect(url).to.equal(sign('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY', { expires: Number(/expires=(\d+)/.exec(url)?.[1]) }))
      const r = await call(e, 'GET', url)
      expect(r.status).to.equal(200)
      expect(r.text).to.equal('hello')
      expect(r.headers.get('content-disposition')).to.equal(`attachment; filename="o.txt"; filename*=UTF-8''o.txt`)
      expect(r.headers.get('expires')).to.match(/GMT$/)
      expect(r.headers.get('x-object-meta-color')).to.equal(null)
      expect(r.headers.get('x-object-meta-public-a')).to.equal('b')
    })

    for (const digest of ['sha256', 'sha512']) {
      it(`accepts --digest ${digest} signatures (hex and the ${digest}:<base64> form)`, async () => {
        const url = await signed('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY', '--digest', digest)
        expect((await call(e, 'GET', url)).status).to.equal(200)
        const u = new URL(url, e.url)
        const sig = u.searchParams.get('temp_url_sig') as string
        const hex = sig.includes(':') ? Buffer.from(sig.split(':')[1].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('hex') : sig
        u.searchParams.set('temp_url_sig', hex)
        expect((await call(e, 'GET', `${u.pathname}${u.search}`)).status).to.equal(200)
      })
    }

    it('accepts an ISO 8601 expiry and a HEAD with a GET signature', async () => {
      const url = await signed('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY', '--iso8601')
      expect(url).to.match(/temp_url_expires=\d{4}-\d\d-\d\dT/)
      expect((await call(e, 'GET', url)).status).to.equal(200)
      expect((await call(e, 'HEAD', url)).status).to.equal(200)
    })

    it('answers 401 "Temp URL invalid" to a tampered, expired or wrong-method URL', async () => {
      const url = await signed('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY')
      const tampered = await call(e, 'GET', url.replace(/temp_url_sig=(.)/, (_, c: string) => `temp_url_sig=${c === 'a' ? 'b' : 'a'}`))
      expect(tampered.status).to.equal(401)
      expect(tampered.text).to.equal('401 Unauthorized: Temp URL invalid\n')
      expect(tampered.headers.get('www-authenticate')).to.equal('Swift realm="unknown"')
      const past = Math.floor(Date.now() / 1000) - 10
      const sig = hmacHex('sha256', 'KEY', `GET\n${past}\n/v1/AUTH_test/c/dir/o.txt`)
      expect((await call(e, 'GET', `/v1/AUTH_test/c/dir/o.txt?temp_url_sig=${sig}&temp_url_expires=${past}`)).status).to.equal(401)
      expect((await call(e, 'DELETE', url)).status).to.equal(401)
      expect((await call(e, 'GET', url.replace('/o.txt', '/other.txt'))).status).to.equal(401)
    })

    it('PUT through a tempurl stores the object; X-Copy-From is refused', async () => {
      const url = await signed('PUT', '/v1/AUTH_test/c/put.txt', 'KEY', '--digest', 'sha512')
      const copy = await call(e, 'PUT', url, { body: '', headers: { 'X-Copy-From': 'c/dir/o.txt' } })
      expect(copy.status).to.equal(400)
      expect(copy.text).to.equal(`The header 'X-Copy-From' is not allowed in this tempurl`)
      expect((await call(e, 'PUT', url, { body: 'via tempurl' })).status).to.equal(201)
      expect((await call(e, 'GET', '/v1/AUTH_test/c/put.txt', { token: true })).text).to.equal('via tempurl')
    })

    it('a container key signs only its own container; a new account key takes effect at once', async () => {
      expect((await call(e, 'POST', '/v1/AUTH_test/c2', { token: true, headers: { 'X-Container-Meta-Temp-URL-Key-2': 'CKEY' } })).status).to.equal(204)
      expect((await call(e, 'PUT', '/v1/AUTH_test/c2/x', { token: true, body: 'x' })).status).to.equal(201)
      expect((await call(e, 'GET', await signed('GET', '/v1/AUTH_test/c2/x', 'CKEY'))).status).to.equal(200)
      expect((await call(e, 'GET', sign('GET', '/v1/AUTH_test/c/dir/o.txt', 'CKEY'))).status).to.equal(401)
      const old = sign('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY')
      expect((await call(e, 'GET', sign('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY2'))).status).to.equal(401)
      expect((await call(e, 'POST', '/v1/AUTH_test', { token: true, headers: { 'X-Account-Meta-Temp-URL-Key-2': 'KEY2' } })).status).to.equal(204)
      expect((await call(e, 'GET', sign('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY2'))).status).to.equal(200)
      expect((await call(e, 'GET', old)).status).to.equal(200)
    })

    it('prefix-based URLs, filename= and inline set the disposition', async () => {
      const url = await signed('GET', '/v1/AUTH_test/c/dir/', 'KEY', '--prefix-based')
      const q = url.slice(url.indexOf('?'))
      expect((await call(e, 'GET', `/v1/AUTH_test/c/dir/o.txt${q}`)).status).to.equal(200)
      expect((await call(e, 'GET', `/v1/AUTH_test/c/put.txt${q}`)).status).to.equal(401)
      const obj = sign('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY')
      expect((await call(e, 'GET', `${obj}&inline`)).headers.get('content-disposition')).to.equal('inline')
      expect((await call(e, 'GET', `${obj}&filename=r%C3%A9sum%C3%A9%20v1.txt`)).headers.get('content-disposition')).to.equal(
        `attachment; filename="r%C3%A9sum%C3%A9 v1.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20v1.txt`,
      )
    })

    it('only owners see the key headers', async () => {
      expect((await call(e, 'POST', '/v1/AUTH_test/c2', { token: true, headers: { 'X-Container-Read': 'test:tester3' } })).status).to.equal(204)
      const t3 = (await velox.auth(TESTER3)).token
      const asReader = await call(e, 'HEAD', '/v1/AUTH_test/c2', { headers: { 'X-Auth-Token': t3 } })
      expect(asReader.status).to.equal(204)
      expect(asReader.headers.get('x-container-meta-temp-url-key-2')).to.equal(null)
      expect((await call(e, 'HEAD', '/v1/AUTH_test/c2', { token: true })).headers.get('x-container-meta-temp-url-key-2')).to.equal('CKEY')
    })

    it('/info publishes the tempurl and formpost sections as Swift does', async () => {
      const info = (await (await fetch(`${e.url}/info`)).json()) as Record<string, Record<string, unknown>>
      expect(info.tempurl).to.deep.equal({
        methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
        incoming_remove_headers: ['x-timestamp'],
        incoming_allow_headers: [],
        outgoing_remove_headers: ['x-object-meta-*'],
        outgoing_allow_headers: ['x-object-meta-public-*'],
        allowed_digests: ['sha1', 'sha256', 'sha512'],
        deprecated_digests: ['sha1'],
      })
      expect(info.formpost).to.deep.equal({ allowed_digests: ['sha1', 'sha256', 'sha512'], deprecated_digests: ['sha1'] })
      expect(info.staticweb).to.deep.equal({})
    })
  })

  describe('FormPost', () => {
    const path = '/v1/AUTH_test/c/up/'
    function form(o: { redirect?: string; maxSize?: number; maxCount?: number; expires?: number; algo?: string; base64?: boolean; key?: string; extra?: Record<string, string>; files?: [string, string][] }) {
      const expires = o.expires ?? Math.floor(Date.now() / 1000) + 600
      const maxSize = o.maxSize ?? 1024
      const maxCount = o.maxCount ?? 5
      const mac = createHmac(o.algo ?? 'sha1', o.key ?? 'KEY').update(`${path}\n${o.redirect ?? ''}\n${maxSize}\n${maxCount}\n${expires}`)
      const signature = o.base64 ? `${o.algo}:${mac.digest('base64')}` : mac.digest('hex')
      const fd = new FormData()
      if (o.redirect) fd.append('redirect', o.redirect)
      fd.append('max_file_size', String(maxSize))
      fd.append('max_file_count', String(maxCount))
      fd.append('expires', String(expires))
      fd.append('signature', signature)
      for (const [k, v] of Object.entries(o.extra ?? {})) fd.append(k, v)
      for (const [name, content] of o.files ?? [['a.txt', 'file a']]) fd.append(`file-${name}`, new Blob([content], { type: 'text/plain' }), name)
      return fd
    }

    it('uploads the files and redirects with status=201', async () => {
      const r = await call(e, 'POST', path, { body: form({ redirect: 'https://example.com/done?x=1', files: [['a.txt', 'file a'], ['b.txt', 'file b']] }) })
      expect(r.status).to.equal(303)
      expect(r.headers.get('location')).to.equal('https://example.com/done?x=1&status=201&message=')
      expect(r.text).to.contain('Click to continue...')
      expect((await call(e, 'GET', '/v1/AUTH_test/c/up/a.txt', { token: true })).text).to.equal('file a')
      const b = await call(e, 'GET', '/v1/AUTH_test/c/up/b.txt', { token: true })
      expect(b.text).to.equal('file b')
      expect(b.headers.get('content-type')).to.equal('text/plain')
    })

    it('without redirect answers "201 Created" as text; sha512:<base64> signatures and x_delete_after work', async () => {
      const r = await call(e, 'POST', path, { body: form({ algo: 'sha512', base64: true, extra: { x_delete_after: '3600' }, files: [['c.txt', 'c']] }) })
      expect(r.status).to.equal(201)
      expect(r.text).to.equal('201 Created')
      expect(r.headers.get('content-type')).to.equal('text/plain')
      const head = await call(e, 'HEAD', '/v1/AUTH_test/c/up/c.txt', { token: true })
      expect(Number(head.headers.get('x-delete-at'))).to.be.closeTo(Date.now() / 1000 + 3600, 60)
    })

    it('refuses a file over max_file_size and does not store it', async () => {
      const r = await call(e, 'POST', path, { body: form({ maxSize: 4, files: [['big.txt', 'more than four bytes']] }) })
      expect(r.status).to.equal(400)
      expect(r.text).to.equal('FormPost: max_file_size exceeded')
      expect((await call(e, 'HEAD', '/v1/AUTH_test/c/up/big.txt', { token: true })).status).to.equal(404)
    })

    it('words its errors as Swift: expired, bad signature, too many files, no files', async () => {
      const expired = await call(e, 'POST', path, { body: form({ expires: Math.floor(Date.now() / 1000) - 5 }) })
      expect([expired.status, expired.text]).to.deep.equal([401, 'FormPost: Form Expired'])
      const bad = await call(e, 'POST', path, { body: form({ key: 'WRONG' }) })
      expect([bad.status, bad.text]).to.deep.equal([401, 'FormPost: Invalid Signature'])
      const many = await call(e, 'POST', path, { body: form({ maxCount: 1, files: [['m1', '1'], ['m2', '2']] }) })
      expect([many.status, many.text]).to.deep.equal([400, '400 Bad Request\r\nFormPost: Max File Count Exceeded'])
      const manyRedirect = await call(e, 'POST', path, { body: form({ redirect: 'http://x/', maxCount: 1, files: [['m1', '1'], ['m2', '2']] }) })
      expect(manyRedirect.headers.get('location')).to.equal('http://x/?status=400&message=max%20file%20count%20exceeded')
      const none = await call(e, 'POST', path, { body: form({ files: [] }) })
      expect([none.status, none.text]).to.deep.equal([400, '400 Bad Request\r\nFormPost: No Files To Process'])
    })
  })

  describe('CORS', () => {
    before(async () => {
      const h = { 'X-Container-Meta-Access-Control-Allow-Origin': 'http://a.example http://b.example', 'X-Container-Meta-Access-Control-Max-Age': '600', 'X-Container-Meta-Access-Control-Expose-Headers': 'X-Foo' }
      expect((await call(e, 'POST', '/v1/AUTH_test/c', { token: true, headers: h })).status).to.equal(204)
    })

    it('answers an allowed preflight with the Access-Control-* headers', async () => {
      const r = await call(e, 'OPTIONS', '/v1/AUTH_test/c/dir/o.txt', { headers: { Origin: 'http://a.example', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-auth-token, content-type' } })
      expect(r.status).to.equal(200)
      expect(r.headers.get('access-control-allow-origin')).to.equal('http://a.example')
      expect(r.headers.get('access-control-max-age')).to.equal('600')
      expect(r.headers.get('access-control-allow-methods')).to.equal('OPTIONS, HEAD, PUT, GET, POST, DELETE, COPY')
      expect(r.headers.get('access-control-allow-headers')).to.equal('x-auth-token, content-type')
      expect(r.headers.get('vary')).to.equal('Origin, Access-Control-Request-Headers')
    })

    it('401s a preflight from another origin or for another method; plain OPTIONS is 200 with Allow', async () => {
      const evil = await call(e, 'OPTIONS', '/v1/AUTH_test/c/dir/o.txt', { headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'GET' } })
      expect(evil.status).to.equal(401)
      expect(evil.headers.get('access-control-allow-origin')).to.equal(null)
      expect((await call(e, 'OPTIONS', '/v1/AUTH_test/c/o', { headers: { Origin: 'http://a.example', 'Access-Control-Request-Method': 'PATCH' } })).status).to.equal(401)
      const plain = await call(e, 'OPTIONS', '/v1/AUTH_test/c')
      expect([plain.status, plain.headers.get('allow')]).to.deep.equal([200, 'OPTIONS, HEAD, PUT, GET, POST, DELETE'])
    })

    it('the global cors.allowOrigin admits an origin on any container', async () => {
      const r = await call(e, 'OPTIONS', '/v1/AUTH_test/c2/x', { headers: { Origin: 'http://global.example', 'Access-Control-Request-Method': 'GET' } })
      expect(r.status).to.equal(200)
      expect(r.headers.get('access-control-allow-origin')).to.equal('http://global.example')
    })

    it('stamps actual requests (401s included) from an allowed origin, and only those', async () => {
      const ok = await call(e, 'GET', '/v1/AUTH_test/c/dir/o.txt', { token: true, headers: { Origin: 'http://b.example' } })
      expect(ok.headers.get('access-control-allow-origin')).to.equal('http://b.example')
      const expose = (ok.headers.get('access-control-expose-headers') ?? '').split(', ')
      expect(expose).to.include.members(['etag', 'x-trans-id', 'x-object-meta-color', 'x-foo', 'x-custom'])
      const anon = await call(e, 'GET', '/v1/AUTH_test/c/dir/o.txt', { headers: { Origin: 'http://b.example' } })
      expect([anon.status, anon.headers.get('access-control-allow-origin')]).to.deep.equal([401, 'http://b.example'])
      const evil = await call(e, 'GET', '/v1/AUTH_test/c/dir/o.txt', { token: true, headers: { Origin: 'http://evil.example' } })
      expect([evil.status, evil.headers.get('access-control-allow-origin')]).to.deep.equal([200, null])
    })
  })

  describe('static web', () => {
    const swift = (...args: string[]) => run(SWIFT_CLI, ['-A', `${e.url}/auth/v1.0`, '-U', 'test:tester', '-K', 'testing', ...args])
    const meta = async (headers: Record<string, string>) => expect((await call(e, 'POST', '/v1/AUTH_test/web', { token: true, headers })).status).to.equal(204)
    before(async function () {
      if (!haveCli) {
        console.log('    (skipped: python3-swiftclient is not installed; make test installs it)')
        this.skip()
      }
      await swift('post', '-r', '.r:*,.rlistings', '-m', 'web-index:index.html', '-m', 'web-error:error.html', 'web')
      const put = (name: string, body: string, type = 'text/html') => call(e, 'PUT', `/v1/AUTH_test/web/${name}`, { token: true, body, headers: { 'Content-Type': type } })
      await put('index.html', '<h1>home</h1>')
      await put('404error.html', '<p>custom 404</p>')
      await put('docs/a.txt', 'a', 'text/plain')
      await put('docs/deep/b.txt', 'b', 'text/plain')
      await put('marker', '', 'application/directory')
    })

    it('redirects the container to its slash form and serves the index anonymously', async () => {
      const r = await call(e, 'GET', '/v1/AUTH_test/web')
      expect(r.status).to.equal(301)
      expect(r.headers.get('location')).to.equal(`${e.url}/v1/AUTH_test/web/`)
      const home = await call(e, 'GET', '/v1/AUTH_test/web/')
      expect([home.status, home.text]).to.deep.equal([200, '<h1>home</h1>'])
    })

    it('serves the custom error page for a missing object, and treats directory markers as missing', async () => {
      const r = await call(e, 'GET', '/v1/AUTH_test/web/nothere.html')
      expect([r.status, r.text]).to.deep.equal([404, '<p>custom 404</p>'])
      expect((await call(e, 'GET', '/v1/AUTH_test/web/marker')).status).to.equal(404)
    })

    it('lists pseudo-directories as Swift does (redirect, parent link, subdirs, human sizes)', async () => {
      await meta({ 'X-Container-Meta-Web-Listings': 'true' })
      const r = await call(e, 'GET', '/v1/AUTH_test/web/docs')
      expect([r.status, r.headers.get('location')]).to.deep.equal([301, `${e.url}/v1/AUTH_test/web/docs/`])
      const page = await call(e, 'GET', '/v1/AUTH_test/web/docs/')
      expect(page.status).to.equal(200)
      expect(page.headers.get('content-type')).to.equal('text/html; charset=UTF-8')
      expect(page.text).to.contain('<title>Listing of /v1/AUTH_test/web/docs/</title>')
      expect(page.text).to.contain('<a href="../">../</a>')
      expect(page.text).to.contain('<tr class="item subdir">\n    <td class="colname"><a href="deep/">deep/</a></td>')
      expect(page.text).to.contain('<tr class="item type-text type-plain">\n    <td class="colname"><a href="a.txt">a.txt</a></td>\n    <td class="colsize">1</td>')
      expect(page.text).to.contain('th {text-align: left; padding: 0px 1em 0px 1em;}')
    })

    it('lists the container without an index, with the Web-Listings-CSS link', async () => {
      await meta({ 'X-Remove-Container-Meta-Web-Index': 'x', 'X-Container-Meta-Web-Listings-Css': 'style.css' })
      const page = await call(e, 'GET', '/v1/AUTH_test/web/')
      expect(page.status).to.equal(200)
      expect(page.text).to.contain('<link rel="stylesheet" type="text/css" href="style.css" />')
      expect(page.text).to.contain('<a href="index.html">index.html</a>')
      const sub = await call(e, 'GET', '/v1/AUTH_test/web/docs/deep/')
      expect(sub.text).to.contain('href="../../style.css"')
    })

    it('applies to token requests only with X-Web-Mode: true', async () => {
      const plain = await call(e, 'GET', '/v1/AUTH_test/web/', { token: true })
      expect(plain.headers.get('content-type')).to.equal('text/plain; charset=utf-8')
      const web = await call(e, 'GET', '/v1/AUTH_test/web/', { token: true, headers: { 'X-Web-Mode': 'true' } })
      expect(web.headers.get('content-type')).to.equal('text/html; charset=UTF-8')
    })

    it('leaves a container without .r:* private', async () => {
      await call(e, 'PUT', '/v1/AUTH_test/private', { token: true, headers: { 'X-Container-Meta-Web-Index': 'index.html' } })
      expect((await call(e, 'GET', '/v1/AUTH_test/private/')).status).to.equal(401)
    })
  })
})

/** Status and main headers of each feature, Velox against a real Swift 2.30 (staticweb and tempurl are in the SAIO's pipeline, formpost is not). */
describe('Swift web features: differential against a real Swift', function () {
  this.timeout(300_000)
  let velox: TestAppliance
  let saio: Saio
  const ends: Record<string, Endpoint> = {}

  before(async function () {
    const why = saioUnavailableReason() ?? (existsSync(SWIFT_CLI) ? undefined : `${SWIFT_CLI} is not installed`)
    if (why) {
      console.log(`    (skipped: ${why})`)
      this.skip()
    }
    ;[velox, saio] = await Promise.all([startTestAppliance(), startSaio()])
    ends.velox = { url: velox.url, token: (await velox.auth()).token }
    ends.swift = { url: saio.url, token: (await saio.auth()).token }
    for (const x of Object.values(ends)) {
      await seed(x)
      await call(x, 'POST', '/v1/AUTH_test/c', { token: true, headers: { 'X-Container-Meta-Access-Control-Allow-Origin': 'http://a.example', 'X-Container-Meta-Access-Control-Max-Age': '60' } })
      await call(x, 'PUT', '/v1/AUTH_test/web', { token: true, headers: { 'X-Container-Read': '.r:*,.rlistings', 'X-Container-Meta-Web-Listings': 'true', 'X-Container-Meta-Web-Error': 'err.html' } })
      await call(x, 'PUT', '/v1/AUTH_test/web/404err.html', { token: true, body: 'oops', headers: { 'Content-Type': 'text/html' } })
      await call(x, 'PUT', '/v1/AUTH_test/web/d/f.txt', { token: true, body: 'f', headers: { 'Content-Type': 'text/plain' } })
    }
  })
  after(async () => Promise.all([velox?.stop(), saio?.stop()]))

  // (Not compared: the nosniff and sandbox CSP headers Velox adds for browsers to answers
  // for requests without a token, e.g. the anonymous static web and TempURL cases; see
  // http/swift/user-content.ts and web-user-content.test.ts.)
  const MAIN = ['content-type', 'content-disposition', 'www-authenticate', 'access-control-allow-origin', 'access-control-max-age', 'access-control-allow-methods', 'allow', 'x-object-meta-color', 'x-object-meta-public-a']

  async function both(make: (x: Endpoint) => Promise<{ status: number; headers: Headers; text: string }>, opts: { body?: boolean; location?: boolean } = {}) {
    const [v, s] = [await make(ends.velox), await make(ends.swift)]
    // Swift lists methods from a Python set: the order differs from process to process.
    const sorted = (v: string | null) => v?.split(', ').sort().join(', ') ?? null
    const view = (r: { status: number; headers: Headers; text: string }, x: Endpoint) => ({
      status: r.status,
      ...Object.fromEntries(MAIN.map((h) => [h, h.endsWith('allow-methods') || h === 'allow' ? sorted(r.headers.get(h)) : r.headers.get(h)])),
      ...(opts.location ? { location: r.headers.get('location')?.replace(x.url, '') } : {}),
      ...(opts.body ? { body: r.text.replace(/<td class="coldate">[^<]*<\/td>/g, '') } : {}),
    })
    expect(view(v, ends.velox)).to.deep.equal(view(s, ends.swift))
  }

  const tempurl = (method: string, path: string, key: string, digest?: string) => {
    const url = sign(method, path, key, { digest })
    return (x: Endpoint) => call(x, method, url)
  }

  it('TempURL: GET, HEAD, sha512, tampered, wrong key, X-Copy-From', async () => {
    await both(tempurl('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY'), { body: true })
    await both(tempurl('HEAD', '/v1/AUTH_test/c/dir/o.txt', 'KEY'))
    await both(tempurl('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY', 'sha512'))
    await both(tempurl('GET', '/v1/AUTH_test/c/dir/o.txt', 'NOPE'), { body: true })
    const put = sign('PUT', '/v1/AUTH_test/c/p', 'KEY')
    await both((x) => call(x, 'PUT', put, { body: '', headers: { 'X-Copy-From': 'c/dir/o.txt' } }), { body: true })
    const get = `${sign('GET', '/v1/AUTH_test/c/dir/o.txt', 'KEY')}&inline&filename=a%20b.txt`
    await both((x) => call(x, 'GET', get))
  })

  it('CORS: preflight allowed, refused, without Origin; actual request stamped', async () => {
    const pre = (origin: string, method: string) => (x: Endpoint) => call(x, 'OPTIONS', '/v1/AUTH_test/c/dir/o.txt', { headers: { Origin: origin, 'Access-Control-Request-Method': method } })
    await both(pre('http://a.example', 'GET'))
    await both(pre('http://evil.example', 'GET'), { body: true })
    await both(pre('http://a.example', 'PATCH'))
    await both((x) => call(x, 'OPTIONS', '/v1/AUTH_test/c'))
    await both((x) => call(x, 'GET', '/v1/AUTH_test/c/dir/o.txt', { token: true, headers: { Origin: 'http://a.example' } }))
    await both((x) => call(x, 'GET', '/v1/AUTH_test/c/dir/o.txt', { headers: { Origin: 'http://a.example' } }))
  })

  it('static web: redirects, listings, custom error page', async () => {
    await both((x) => call(x, 'GET', '/v1/AUTH_test/web'), { body: true, location: true })
    await both((x) => call(x, 'GET', '/v1/AUTH_test/web/'), { body: true })
    await both((x) => call(x, 'GET', '/v1/AUTH_test/web/d'), { location: true })
    await both((x) => call(x, 'GET', '/v1/AUTH_test/web/d/'), { body: true })
    await both((x) => call(x, 'GET', '/v1/AUTH_test/web/missing'), { body: true })
    await both((x) => call(x, 'HEAD', '/v1/AUTH_test/web/d/'))
  })
})
