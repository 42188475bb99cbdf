/**
 * Share links against a real appliance: create/list/revoke through the JSON API, the
 * public view of file and folder links, downloads with Range and a download limit, expiry,
 * passwords with their unlock cookie and rate limit, folder zips (checked with Debian's
 * unzip), drop uploads that never overwrite, links surviving a restart, and the web app's
 * static files.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Created {
  id: string
  token: string
  url: string
  kind: string
  name: string
  counts: { views: number; downloads: number; uploads: number; previews: number }
}

describe('share links', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let owner: WebClient
  const photo = randomBytes(300_000)
  const files: Record<string, Buffer> = {
    'docs/readme.txt': Buffer.from('read me\n'.repeat(100)),
    'docs/photos/cat.jpg': photo,
    'docs/photos/dog.jpg': randomBytes(1000),
    'docs/ünï code.txt': Buffer.from('utf-8 name'),
    'other/secret.txt': Buffer.from('not shared'),
  }

  async function share(body: Record<string, unknown>, client = owner): Promise<Created> {
    const r = await client.fetch('/api/shares', { method: 'POST', json: body })
    expect(r.status, await r.clone().text()).to.equal(201)
    return (await r.json()) as Created
  }

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'velox-shares-'))
    v = await startTestAppliance({ dataDir, users: [{ account: 'test', user: 'tester', key: 'testing', admin: true }, { account: 'test', user: 'reader', key: 'reading' }] })
    owner = new WebClient(v.url)
    await owner.login()
    expect((await owner.fetch('/v1/AUTH_test/box', { method: 'PUT' })).status).to.equal(201)
    for (const [name, body] of Object.entries(files)) {
      const r = await owner.fetch(`/v1/AUTH_test/box/${encodeURI(name)}`, { method: 'PUT', body, headers: { 'Content-Type': name.endsWith('.jpg') ? 'image/jpeg' : 'text/plain' } })
      expect(r.status).to.equal(201)
    }
  })
  after(() => v?.stop())

  describe('the owner API', () => {
    it('creates a file link: 201 with id, a 256-bit token and its /s/ URL', async () => {
      const s = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt' })
      expect(s.token).to.match(/^[A-Za-z0-9_-]{43}$/)
      expect(s.url).to.equal(`/s/${s.token}`)
      expect(s).to.deep.include({ kind: 'file', name: 'readme.txt' })
      expect(s.counts).to.deep.equal({ views: 0, downloads: 0, uploads: 0, previews: 0 })
    })

    it('needs a session and the CSRF token', async () => {
      expect((await fetch(`${v.url}/api/shares`)).status).to.equal(401)
      const r = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'box', object: 'docs/readme.txt' }, csrf: false })
      expect(r.status).to.equal(403)
    })

    it('refuses targets the caller may not read (403) and ones that do not exist (404), and bad input (400)', async () => {
      const reader = new WebClient(v.url)
      await reader.login('test', 'reader', 'reading')
      expect((await reader.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'box', object: 'docs/readme.txt' } })).status).to.equal(403)
      expect((await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'box', object: 'nope' } })).status).to.equal(404)
      expect((await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'folder', container: 'nope' } })).status).to.equal(404)
      for (const bad of [{ kind: 'file', container: 'box' }, { kind: 'zip', container: 'box' }, { kind: 'folder', container: 'box', expiresAt: 10 }, { kind: 'folder', container: 'box', maxDownloads: 0 }, { kind: 'drop', container: 'box', maxDownloads: 3 }]) {
        expect((await owner.fetch('/api/shares', { method: 'POST', json: bad })).status, JSON.stringify(bad)).to.equal(400)
      }
    })

    it('lets a user with a read ACL share what it may read, until the ACL goes', async () => {
      const { token } = await v.auth()
      await fetch(`${v.url}/v1/AUTH_test/aclbox`, { method: 'PUT', headers: { 'X-Auth-Token': token, 'X-Container-Read': 'test:reader' } })
      await fetch(`${v.url}/v1/AUTH_test/aclbox/f.txt`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: 'acl' })
      const reader = new WebClient(v.url)
      await reader.login('test', 'reader', 'reading')
      const s = await share({ kind: 'file', account: 'AUTH_test', container: 'aclbox', object: 'f.txt' }, reader)
      expect(await (await fetch(`${v.url}/s/${s.token}/file`)).text()).to.equal('acl')
      const mine = (await (await reader.fetch('/api/shares')).json()) as { shares: Array<{ id: string }> }
      expect(mine.shares.map((x) => x.id)).to.deep.equal([s.id])
      // The link never grants more than its owner has: without the ACL it is gone.
      await fetch(`${v.url}/v1/AUTH_test/aclbox`, { method: 'POST', headers: { 'X-Auth-Token': token, 'X-Container-Read': '' } })
      expect((await fetch(`${v.url}/s/${s.token}/file`)).status).to.equal(404)
    })

    it('lists my links with their counts, and a revoked link answers 404 everywhere', async () => {
      const s = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt' })
      expect((await fetch(`${v.url}/api/public/shares/${s.token}`)).status).to.equal(200)
      expect((await fetch(`${v.url}/s/${s.token}/file`)).status).to.equal(200)
      const list = (await (await owner.fetch('/api/shares')).json()) as { shares: Array<Created & { state: string; revoked: boolean }> }
      const mine = list.shares.find((x) => x.id === s.id)!
      expect(mine.counts).to.deep.equal({ views: 1, downloads: 1, uploads: 0, previews: 0 })
      expect(mine.state).to.equal('active')
      expect(mine).not.to.have.property('token')
      expect((await owner.fetch(`/api/shares/${s.id}`, { method: 'DELETE', csrf: false })).status).to.equal(403)
      expect((await owner.fetch(`/api/shares/${s.id}`, { method: 'DELETE' })).status).to.equal(204)
      expect((await fetch(`${v.url}/api/public/shares/${s.token}`)).status).to.equal(404)
      expect((await fetch(`${v.url}/s/${s.token}/file`)).status).to.equal(404)
      const after = (await (await owner.fetch('/api/shares')).json()) as { shares: Array<{ id: string; state: string }> }
      expect(after.shares.find((x) => x.id === s.id)?.state).to.equal('revoked')
      const reader = new WebClient(v.url)
      await reader.login('test', 'reader', 'reading')
      expect((await reader.fetch(`/api/shares/${s.id}`, { method: 'DELETE' })).status).to.equal(404)
    })

    it('answers 404 for unknown tokens', async () => {
      expect((await fetch(`${v.url}/api/public/shares/${randomBytes(32).toString('base64url')}`)).status).to.equal(404)
      expect((await fetch(`${v.url}/s/${randomBytes(32).toString('base64url')}/file`)).status).to.equal(404)
      expect((await fetch(`${v.url}/s/short/zip`)).status).to.equal(404)
    })
  })

  describe('file links', () => {
    it('shows the file and streams it whole, by Range, and as an attachment with ?download=1', async () => {
      const s = await share({ kind: 'file', container: 'box', object: 'docs/photos/cat.jpg' })
      const info = (await (await fetch(`${v.url}/api/public/shares/${s.token}`)).json()) as Record<string, unknown>
      expect(info).to.deep.include({ kind: 'file', name: 'cat.jpg', needsPassword: false, expiresAt: null })
      expect(info.file).to.deep.include({ name: 'cat.jpg', size: photo.length, contentType: 'image/jpeg' })
      const whole = await fetch(`${v.url}/s/${s.token}/file`)
      expect(whole.status).to.equal(200)
      expect(whole.headers.get('content-disposition')).to.match(/^inline; filename="cat.jpg"/)
      expect(whole.headers.get('content-security-policy')).to.match(/^sandbox/)
      expect(whole.headers.get('x-timestamp')).to.equal(null)
      expect(Buffer.from(await whole.arrayBuffer()).equals(photo)).to.equal(true)
      const part = await fetch(`${v.url}/s/${s.token}/file`, { headers: { Range: 'bytes=1000-1999' } })
      expect(part.status).to.equal(206)
      expect(part.headers.get('content-range')).to.equal(`bytes 1000-1999/${photo.length}`)
      expect(Buffer.from(await part.arrayBuffer()).equals(photo.subarray(1000, 2000))).to.equal(true)
      const att = await fetch(`${v.url}/s/${s.token}/file?download=1`)
      expect(att.headers.get('content-disposition')).to.match(/^attachment; filename="cat.jpg"/)
      await att.arrayBuffer()
    })

    it('enforces the download limit: the (n+1)th download answers 404, later ranges of a download are not counted', async () => {
      const s = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt', maxDownloads: 2 })
      expect((await fetch(`${v.url}/s/${s.token}/file`)).status).to.equal(200)
      expect((await fetch(`${v.url}/s/${s.token}/file`, { headers: { Range: 'bytes=10-20' } })).status).to.equal(206)
      expect((await fetch(`${v.url}/s/${s.token}/file`, { headers: { Range: 'bytes=0-9' } })).status).to.equal(206)
      expect((await fetch(`${v.url}/s/${s.token}/file`)).status).to.equal(404)
      expect((await fetch(`${v.url}/api/public/shares/${s.token}`)).status).to.equal(404)
      const list = (await (await owner.fetch('/api/shares')).json()) as { shares: Array<{ id: string; state: string; counts: { downloads: number } }> }
      expect(list.shares.find((x) => x.id === s.id)).to.deep.include({ state: 'exhausted', counts: { views: 0, downloads: 2, uploads: 0, previews: 0 } })
    })

    it('expires at expiresAt', async () => {
      const s = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt', expiresAt: Math.floor(Date.now() / 1000) + 2 })
      expect((await fetch(`${v.url}/s/${s.token}/file`)).status).to.equal(200)
      await sleep(2600)
      expect((await fetch(`${v.url}/s/${s.token}/file`)).status).to.equal(404)
      expect((await fetch(`${v.url}/api/public/shares/${s.token}`)).status).to.equal(404)
    })

    it('dies with its target: a deleted container answers 404', async () => {
      const { token } = await v.auth()
      await fetch(`${v.url}/v1/AUTH_test/gone`, { method: 'PUT', headers: { 'X-Auth-Token': token } })
      const s = await share({ kind: 'folder', container: 'gone' })
      expect((await fetch(`${v.url}/api/public/shares/${s.token}`)).status).to.equal(200)
      expect((await fetch(`${v.url}/v1/AUTH_test/gone`, { method: 'DELETE', headers: { 'X-Auth-Token': token } })).status).to.equal(204)
      expect((await fetch(`${v.url}/api/public/shares/${s.token}`)).status).to.equal(404)
    })

    it('answers the thumbnail feature\'s placeholder for a "JPEG" that is no picture', async () => {
      const s = await share({ kind: 'file', container: 'box', object: 'docs/photos/cat.jpg' })
      let r = await fetch(`${v.url}/s/${s.token}/thumb?size=256`)
      // 404 while the rendition is pending (thumbnails render in the background)
      for (let i = 0; r.status === 404 && i < 100; i++) {
        await r.arrayBuffer()
        await sleep(100)
        r = await fetch(`${v.url}/s/${s.token}/thumb?size=256`)
      }
      expect(r.status).to.equal(200)
      expect(r.headers.get('content-type')).to.equal('image/webp')
      await r.arrayBuffer()
    })
  })

  describe('password-protected links', () => {
    it('shows only kind and name until unlocked; the unlock cookie opens the file', async () => {
      const s = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt', password: 'open sesame' })
      const visitor = new WebClient(v.url)
      const locked = (await (await visitor.fetch(`/api/public/shares/${s.token}`)).json()) as Record<string, unknown>
      expect(locked).to.deep.equal({ kind: 'file', name: 'readme.txt', needsPassword: true, expiresAt: null })
      expect((await visitor.fetch(`/s/${s.token}/file`)).status).to.equal(401)
      expect((await visitor.fetch(`/api/public/shares/${s.token}/unlock`, { method: 'POST', json: { password: 'wrong' } })).status).to.equal(401)
      const ok = await visitor.fetch(`/api/public/shares/${s.token}/unlock`, { method: 'POST', json: { password: 'open sesame' } })
      expect(ok.status).to.equal(204)
      const sc = visitor.setCookies.at(-1)!
      expect(sc).to.match(new RegExp(`^velox_share_${s.id}=\\d+\\.[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=/; Max-Age=3600$`))
      const open = (await (await visitor.fetch(`/api/public/shares/${s.token}`)).json()) as Record<string, unknown>
      expect(open.needsPassword).to.equal(false)
      expect(open.file).to.deep.include({ name: 'readme.txt' })
      expect(await (await visitor.fetch(`/s/${s.token}/file`)).text()).to.equal(files['docs/readme.txt'].toString())
      // The grant of one link opens no other.
      const other = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt', password: 'open sesame' })
      const forged = `velox_share_${other.id}=${visitor.cookies.get(`velox_share_${s.id}`)}`
      expect((await fetch(`${v.url}/s/${other.token}/file`, { headers: { Cookie: forged } })).status).to.equal(401)
    })

    it('rate-limits wrong passwords per link: the 6th try within a minute is refused even when right', async () => {
      const s = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt', password: 'pw' })
      // Different client addresses are not available on loopback, so this also proves the per-client limit is not lower than 5.
      for (let i = 0; i < 5; i++) {
        expect((await fetch(`${v.url}/api/public/shares/${s.token}/unlock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: `no${i}` }) })).status).to.be.oneOf([401, 403])
      }
      const r = await fetch(`${v.url}/api/public/shares/${s.token}/unlock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: 'pw' }) })
      expect(r.status).to.equal(403)
      expect(r.headers.get('retry-after')).to.match(/^\d+$/)
    })
  })

  describe('folder links', () => {
    let s: Created
    before(async () => {
      s = await share({ kind: 'folder', container: 'box', prefix: 'docs' })
    })

    it('lists the folder with prefix/delimiter navigation and paging, never outside the prefix', async () => {
      const root = (await (await fetch(`${v.url}/api/public/shares/${s.token}`)).json()) as { name: string; path: string; entries: Array<Record<string, unknown>> }
      expect(root.name).to.equal('docs')
      expect(root.path).to.equal('')
      expect(root.entries.map((e) => [e.type, e.name, e.path])).to.deep.equal([
        ['folder', 'photos', 'photos/'],
        ['file', 'readme.txt', 'readme.txt'],
        ['file', 'ünï code.txt', 'ünï code.txt'],
      ])
      expect(root.entries[1]).to.deep.include({ size: files['docs/readme.txt'].length, contentType: 'text/plain' })
      const sub = (await (await fetch(`${v.url}/api/public/shares/${s.token}?path=photos`)).json()) as { path: string; entries: Array<{ name: string; path: string }> }
      expect(sub.path).to.equal('photos/')
      expect(sub.entries.map((e) => e.path)).to.deep.equal(['photos/cat.jpg', 'photos/dog.jpg'])
      const page = (await (await fetch(`${v.url}/api/public/shares/${s.token}?path=photos&limit=1`)).json()) as { entries: unknown[]; nextMarker: string }
      expect(page.entries).to.have.length(1)
      expect(page.nextMarker).to.equal('photos/cat.jpg')
      const next = (await (await fetch(`${v.url}/api/public/shares/${s.token}?path=photos&limit=1&marker=${encodeURIComponent(page.nextMarker)}`)).json()) as { entries: Array<{ path: string }> }
      expect(next.entries.map((e) => e.path)).to.deep.equal(['photos/dog.jpg'])
      expect((await fetch(`${v.url}/s/${s.token}/file/${encodeURIComponent('../other/secret.txt')}`)).status).to.equal(404)
    })

    it('streams a file within the folder', async () => {
      const r = await fetch(`${v.url}/s/${s.token}/file/photos/cat.jpg`)
      expect(r.status).to.equal(200)
      expect(Buffer.from(await r.arrayBuffer()).equals(photo)).to.equal(true)
      const u = await fetch(`${v.url}/s/${s.token}/file/${encodeURIComponent('ünï code.txt')}`)
      expect(await u.text()).to.equal('utf-8 name')
    })

    it('downloads the folder as a zip that unzip reads back byte for byte', async () => {
      const r = await fetch(`${v.url}/s/${s.token}/zip`)
      expect(r.status).to.equal(200)
      expect(r.headers.get('content-type')).to.equal('application/zip')
      expect(r.headers.get('content-disposition')).to.match(/^attachment; filename="docs.zip"/)
      const dir = mkdtempSync(join(tmpdir(), 'velox-zip-'))
      try {
        writeFileSync(join(dir, 'a.zip'), Buffer.from(await r.arrayBuffer()))
        const listing = execFileSync('unzip', ['-v', join(dir, 'a.zip')], { encoding: 'utf8' })
        expect(listing).to.match(/Stored.*photos\/cat\.jpg/)
        expect(listing).to.match(/Defl.*readme\.txt/)
        mkdirSync(join(dir, 'out'))
        execFileSync('unzip', ['-q', join(dir, 'a.zip'), '-d', join(dir, 'out')])
        for (const [name, body] of Object.entries(files)) {
          if (!name.startsWith('docs/')) continue
          expect(readFileSync(join(dir, 'out', name.slice('docs/'.length))).equals(body), name).to.equal(true)
        }
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })

  describe('drop links', () => {
    it('takes uploads into the folder without listing it, and never overwrites (a clash gets a suffix)', async () => {
      const s = await share({ kind: 'drop', container: 'box', prefix: 'inbox/' })
      const info = (await (await fetch(`${v.url}/api/public/shares/${s.token}`)).json()) as Record<string, unknown>
      expect(info).to.deep.equal({ kind: 'drop', name: 'inbox', needsPassword: false, expiresAt: null })
      const put = (name: string, body: string) => fetch(`${v.url}/s/${s.token}/upload/${encodeURIComponent(name)}`, { method: 'PUT', body, headers: { 'Content-Type': 'text/plain' } })
      const a = await put('report.txt', 'first')
      expect(a.status).to.equal(201)
      expect(await a.json()).to.deep.include({ name: 'report.txt' })
      const b = await put('report.txt', 'second')
      expect(b.status).to.equal(201)
      expect(await b.json()).to.deep.include({ name: 'report (1).txt' })
      const { token } = await v.auth()
      expect(await (await fetch(`${v.url}/v1/AUTH_test/box/inbox/report.txt`, { headers: { 'X-Auth-Token': token } })).text()).to.equal('first')
      expect(await (await fetch(`${v.url}/v1/AUTH_test/box/inbox/report%20(1).txt`, { headers: { 'X-Auth-Token': token } })).text()).to.equal('second')
      expect((await fetch(`${v.url}/s/${s.token}/file/report.txt`)).status).to.equal(404)
      expect((await fetch(`${v.url}/s/${s.token}/zip`)).status).to.equal(404)
      expect((await put('a/b.txt', 'x')).status).to.equal(400)
      const list = (await (await owner.fetch('/api/shares')).json()) as { shares: Array<{ id: string; counts: { uploads: number } }> }
      expect(list.shares.find((x) => x.id === s.id)?.counts.uploads).to.equal(2)
    })

    it('refuses uploads on file and folder links', async () => {
      const s = await share({ kind: 'folder', container: 'box', prefix: 'docs/' })
      expect((await fetch(`${v.url}/s/${s.token}/upload/x.txt`, { method: 'PUT', body: 'x' })).status).to.equal(404)
    })
  })

  describe('restarts', () => {
    it('keeps links, their counts, revocations and sessions across a restart', async () => {
      const live = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt' })
      const dead = await share({ kind: 'file', container: 'box', object: 'docs/readme.txt' })
      await owner.fetch(`/api/shares/${dead.id}`, { method: 'DELETE' })
      expect((await fetch(`${v.url}/s/${live.token}/file`)).status).to.equal(200)
      const dataDir = v.dataDir
      await v.stop({ keepData: true })
      v = await startTestAppliance({ dataDir, users: [] })
      const again = new WebClient(v.url)
      again.cookies.set('velox_session', owner.cookies.get('velox_session')!)
      again.csrfToken = owner.csrfToken
      expect((await again.fetch('/api/session')).status).to.equal(200)
      expect((await fetch(`${v.url}/s/${live.token}/file`)).status).to.equal(200)
      expect((await fetch(`${v.url}/s/${dead.token}/file`)).status).to.equal(404)
      const list = (await (await again.fetch('/api/shares')).json()) as { shares: Array<{ id: string; counts: { downloads: number } }> }
      expect(list.shares.find((x) => x.id === live.id)?.counts.downloads).to.equal(2)
      owner = again
    })
  })
})

describe('the web app static files', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let dist: string

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'velox-dist-'))
    mkdirSync(join(dist, 'assets'))
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Velox</title>')
    writeFileSync(join(dist, 'assets', 'app-1a2b3c.js'), 'console.log(1)')
    v = await startTestAppliance({ flags: { web: { distDir: dist, sessionLifeSec: 3600 } } })
  })
  after(async () => {
    await v?.stop()
    rmSync(dist, { recursive: true, force: true })
  })

  it('serves index.html with no-cache at / and for app paths (an unknown /s/<token> with 404), hashed assets for a year', async () => {
    for (const path of ['/', '/files/box/docs', `/s/${randomBytes(32).toString('base64url')}`]) {
      const r = await fetch(`${v.url}${path}`)
      expect(r.status, path).to.equal(path.startsWith('/s/') ? 404 : 200)
      expect(r.headers.get('content-type')).to.match(/^text\/html/)
      expect(r.headers.get('cache-control')).to.equal('no-cache')
      expect(await r.text()).to.include('<title>Velox</title>')
    }
    const js = await fetch(`${v.url}/assets/app-1a2b3c.js`)
    expect(js.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable')
    expect(js.headers.get('content-type')).to.match(/javascript/)
  })

  it('answers 404 for missing files and for the other surfaces, never index.html', async () => {
    for (const path of ['/assets/missing.js', '/favicon.ico', '/api/nothing', '/v1', '/info/x', '/s/abc/file', '/%2e%2e/package.json']) {
      const r = await fetch(`${v.url}${path}`)
      // /v1 alone is the Swift surface's 412 (Bad URL), as Swift answers it.
      expect(r.status, path).to.be.oneOf([401, 404, 412])
      expect(await r.text(), path).not.to.include('<title>Velox</title>')
    }
  })

  it('answers 404 cleanly when web/dist is missing', async () => {
    const w = await startTestAppliance({ flags: { web: { distDir: join(dist, 'nope'), sessionLifeSec: 3600 } } })
    try {
      const r = await fetch(`${w.url}/`)
      expect(r.status).to.equal(404)
    } finally {
      await w.stop()
    }
  })
})
