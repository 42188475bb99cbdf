/**
 * Containers the files app makes keep versions, so each name there is a link to its current
 * version in the hidden versions container. What reads the bytes must follow that link:
 * thumbnails render the version (not the zero-byte link), and a share link serves it; a
 * link to one file still cannot reach another file's versions. Each of these failed before
 * the fix (thumbnail 404 "unsupported", share link 403 "outside what the link shares").
 */
import { expect } from 'chai'
import sharp from 'sharp'
import { setTimeout as sleep } from 'node:timers/promises'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const C = '/v1/AUTH_test/pics'

describe('reads through version links: thumbnails and share links (integration)', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let owner: WebClient
  let png: Buffer

  before(async () => {
    v = await startTestAppliance()
    owner = new WebClient(v.url)
    await owner.login()
    png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#2a6' } }).png().toBuffer()
    expect((await owner.fetch(C, { method: 'PUT', headers: { 'X-Versions-Enabled': 'true' } })).status).to.equal(201)
    for (const name of ['a.png', 'b.png', 'sub/c.png']) {
      expect((await owner.fetch(`${C}/${name}`, { method: 'PUT', body: png, headers: { 'Content-Type': 'image/png' } })).status).to.equal(201)
    }
  })
  after(async () => {
    await v?.stop()
  })

  it('renders the thumbnail of a versioned picture', async () => {
    const deadline = Date.now() + 60_000
    for (;;) {
      const r = await owner.fetch(`${C}/a.png?thumbnail=256`)
      const status = r.headers.get('x-thumbnail-status')
      const body = Buffer.from(await r.arrayBuffer())
      if (r.status === 200) {
        expect(status).to.equal('ready')
        expect((await sharp(body).metadata()).width).to.equal(256)
        return
      }
      expect(status, `thumbnail answered ${r.status}`).to.equal('pending')
      if (Date.now() > deadline) throw new Error('thumbnail still pending after 60 s')
      await sleep(100)
    }
  })

  it('serves a versioned file through a file link and a folder link, and no other file\'s versions', async () => {
    const file = (await (await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'pics', object: 'a.png' } })).json()) as { token: string }
    const r = await fetch(`${v.url}/s/${file.token}/file?download=1`)
    expect(r.status).to.equal(200)
    expect(Buffer.from(await r.arrayBuffer()).equals(png)).to.equal(true)

    const folder = (await (await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'folder', container: 'pics', prefix: 'sub/' } })).json()) as { token: string }
    const f = await fetch(`${v.url}/s/${folder.token}/file/c.png`)
    expect(f.status).to.equal(200)
    expect(Buffer.from(await f.arrayBuffer()).equals(png)).to.equal(true)
    // b.png is outside the folder link: neither its name nor its versions are reachable.
    expect((await fetch(`${v.url}/s/${folder.token}/file/..%2Fb.png`)).status).to.be.oneOf([403, 404, 412])
  })
})
