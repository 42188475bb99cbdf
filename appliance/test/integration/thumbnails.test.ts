/**
 * Thumbnails through the Swift API of a real appliance: an upload gets its renditions in the
 * background; a changed object gets new ones keyed by its new ETag and the old ones go; a
 * deleted object takes its renditions along; `?thumbnail=` reads exactly as the object does
 * (anonymous with and without a read ACL, another account's user, TempURL, a share link);
 * broken and hostile images answer a placeholder and leave the server up; videos and PDFs
 * where ffmpeg and pdftoppm are installed; /info advertises the feature.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'appliance', 'test', 'fixtures', 'images')
const fixture = (name: string) => readFileSync(join(FIXTURES, name))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Width and height of a WebP (lossy VP8, lossless VP8L or extended VP8X). */
function webpSize(b: Buffer): { width: number; height: number } {
  expect(b.subarray(0, 4).toString('ascii')).to.equal('RIFF')
  expect(b.subarray(8, 12).toString('ascii')).to.equal('WEBP')
  const chunk = b.subarray(12, 16).toString('ascii')
  if (chunk === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff }
  if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 }
  const bits = b.readUInt32LE(21)
  return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 }
}

describe('thumbnails through the Swift API', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let token: string
  let base: string
  const auth = () => ({ 'X-Auth-Token': token })

  async function put(path: string, body: Buffer, contentType: string, headers: Record<string, string> = {}): Promise<string> {
    const r = await fetch(`${base}/${path}`, { method: 'PUT', body, headers: { ...auth(), 'Content-Type': contentType, ...headers } })
    expect(r.status, await r.clone().text()).to.equal(201)
    return r.headers.get('etag') as string
  }

  /** Asks for a rendition until it is no longer "pending" (404), as the web grid does. */
  async function waitFor(url: string, headers: Record<string, string> = auth(), until: (r: Response) => boolean = () => true): Promise<Response> {
    const deadline = Date.now() + 60_000
    for (;;) {
      const r = await fetch(url, { headers })
      if (r.status !== 404 && until(r)) return r
      await r.arrayBuffer()
      if (Date.now() > deadline) throw new Error(`${url}: still ${r.status} ${r.headers.get('x-thumbnail-status')}`)
      await sleep(100)
    }
  }

  before(async () => {
    v = await startTestAppliance({ users: [{ account: 'test', user: 'tester', key: 'testing', admin: true }, { account: 'other', user: 'stranger', key: 'strange', admin: true }] })
    const a = await v.auth()
    token = a.token
    base = a.storageUrl
    for (const c of ['pics', 'private']) expect((await fetch(`${base}/${c}`, { method: 'PUT', headers: auth() })).status).to.equal(201)
    expect((await fetch(`${base}/pics`, { method: 'POST', headers: { ...auth(), 'X-Container-Read': '.r:*' } })).status).to.equal(204)
  })
  after(() => v?.stop())

  it('advertises the sizes and formats in /info', async () => {
    const info = (await (await fetch(`${v.url}/info`)).json()) as { thumbnails?: { sizes: number[]; format: string; types: string[] } }
    expect(info.thumbnails?.sizes).to.deep.equal([256, 1280])
    expect(info.thumbnails?.format).to.equal('image/webp')
    expect(info.thumbnails?.types).to.include.members(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/tiff'])
  })

  it('renders both sizes after an upload, with ETag, Cache-Control and the colour', async () => {
    const etag = await put('pics/2024/a.jpg', fixture('photo-a.jpg'), 'image/jpeg')
    const small = await waitFor(`${base}/pics/2024/a.jpg?thumbnail=256`)
    expect(small.status).to.equal(200)
    expect(small.headers.get('content-type')).to.equal('image/webp')
    expect(small.headers.get('x-thumbnail-source-etag')).to.equal(etag)
    expect(small.headers.get('cache-control')).to.equal('private, no-cache')
    expect(small.headers.get('x-thumbnail-color')).to.match(/^#[0-9a-f]{6}$/)
    expect(webpSize(Buffer.from(await small.arrayBuffer()))).to.deep.equal({ width: 256, height: 192 })
    // Revalidation by ETag; a URL naming the version is cached for good.
    const again = await fetch(`${base}/pics/2024/a.jpg?thumbnail=256`, { headers: { ...auth(), 'If-None-Match': small.headers.get('etag') as string } })
    expect(again.status).to.equal(304)
    const pinned = await fetch(`${base}/pics/2024/a.jpg?thumbnail=256&v=${etag}`, { headers: auth() })
    expect(pinned.headers.get('cache-control')).to.equal('private, max-age=31536000, immutable')
    await pinned.arrayBuffer()
    const large = await waitFor(`${base}/pics/2024/a.jpg?thumbnail=1280`)
    expect(large.status).to.equal(200)
    expect(webpSize(Buffer.from(await large.arrayBuffer()))).to.deep.equal({ width: 1280, height: 960 })
    const color = (await (await fetch(`${base}/pics/2024/a.jpg?thumbnail=color`, { headers: auth() })).json()) as Record<string, unknown>
    expect(color).to.deep.include({ status: 'ready', etag, width: 256, height: 192 })
    expect(color.color).to.equal(small.headers.get('x-thumbnail-color'))
    // The object itself is untouched by the feature.
    const obj = await fetch(`${base}/pics/2024/a.jpg`, { headers: auth() })
    expect(obj.headers.get('content-type')).to.equal('image/jpeg')
    expect(Buffer.from(await obj.arrayBuffer()).equals(fixture('photo-a.jpg'))).to.equal(true)
  })

  it('replaces the renditions of a changed object (keyed by its new ETag) and removes them with it', async () => {
    const first = await put('pics/change.jpg', fixture('photo-a.jpg'), 'image/jpeg')
    const old = await waitFor(`${base}/pics/change.jpg?thumbnail=256`)
    const oldColor = old.headers.get('x-thumbnail-color')
    await old.arrayBuffer()
    await waitFor(`${base}/pics/change.jpg?thumbnail=1280`)
    const second = await put('pics/change.jpg', fixture('photo-b.jpg'), 'image/jpeg')
    expect(second).to.not.equal(first)
    const fresh = await waitFor(`${base}/pics/change.jpg?thumbnail=256`, auth(), (r) => r.headers.get('x-thumbnail-source-etag') === second)
    expect(fresh.headers.get('x-thumbnail-color')).to.not.equal(oldColor)
    await fresh.arrayBuffer()
    await waitFor(`${base}/pics/change.jpg?thumbnail=1280`, auth(), (r) => r.headers.get('x-thumbnail-source-etag') === second)
    await v.app.thumbnails?.drained()
    const ref = { account: 'AUTH_test', container: 'pics', object: 'change.jpg' }
    // One rendition per size, made from the new version: the old ones are gone.
    expect(await v.app.thumbnails?.describe(ref)).to.deep.equal({ 256: { sourceEtag: second }, 1280: { sourceEtag: second } })
    expect((await fetch(`${base}/pics/change.jpg`, { method: 'DELETE', headers: auth() })).status).to.equal(204)
    await v.app.thumbnails?.drained()
    expect(await v.app.thumbnails?.describe(ref)).to.deep.equal({})
    expect((await fetch(`${base}/pics/change.jpg?thumbnail=256`, { headers: auth() })).status).to.equal(404)
  })

  it('reads a thumbnail exactly as the object: ACLs, other accounts, TempURL', async () => {
    await put('pics/open.jpg', fixture('photo-a.jpg'), 'image/jpeg')
    await put('private/closed.jpg', fixture('photo-b.jpg'), 'image/jpeg')
    await waitFor(`${base}/pics/open.jpg?thumbnail=256`)
    await waitFor(`${base}/private/closed.jpg?thumbnail=256`)
    const stranger = await v.auth({ account: 'other', user: 'stranger', key: 'strange' })
    const cases: Array<[string, Record<string, string>]> = [
      ['pics/open.jpg', {}],
      ['private/closed.jpg', {}],
      ['pics/open.jpg', { 'X-Auth-Token': stranger.token }],
      ['private/closed.jpg', { 'X-Auth-Token': stranger.token }],
    ]
    const statuses: string[] = []
    for (const [path, headers] of cases) {
      const o = await fetch(`${base}/${path}`, { headers })
      const t = await fetch(`${base}/${path}?thumbnail=256`, { headers })
      await Promise.all([o.arrayBuffer(), t.arrayBuffer()])
      expect(t.status, `${path} ${JSON.stringify(headers)}`).to.equal(o.status)
      if (t.status === 200) expect(t.headers.get('content-type')).to.equal('image/webp')
      statuses.push(`${path}:${t.status}`)
    }
    expect(statuses).to.deep.equal(['pics/open.jpg:200', 'private/closed.jpg:401', 'pics/open.jpg:200', 'private/closed.jpg:403'])

    expect((await fetch(base, { method: 'POST', headers: { ...auth(), 'X-Account-Meta-Temp-URL-Key': 'sekrit' } })).status).to.equal(204)
    const path = new URL(`${base}/private/closed.jpg`).pathname
    const expires = Math.floor(Date.now() / 1000) + 600
    const sig = createHmac('sha256', 'sekrit').update(`GET\n${expires}\n${path}`).digest('hex')
    const signed = await fetch(`${v.url}${path}?temp_url_sig=${sig}&temp_url_expires=${expires}&thumbnail=256`)
    expect(signed.status).to.equal(200)
    expect(signed.headers.get('content-type')).to.equal('image/webp')
    await signed.arrayBuffer()
    const forged = await fetch(`${v.url}${path}?temp_url_sig=${'0'.repeat(64)}&temp_url_expires=${expires}&thumbnail=256`)
    expect(forged.status).to.equal(401)
    await forged.arrayBuffer()
  })

  it('serves a share link\'s thumbnail through the same feature', async () => {
    await put('pics/shared.jpg', fixture('photo-b.jpg'), 'image/jpeg')
    const owner = new WebClient(v.url)
    await owner.login()
    const created = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'pics', object: 'shared.jpg' } })
    expect(created.status).to.equal(201)
    const { token: shareToken } = (await created.json()) as { token: string }
    const r = await waitFor(`${v.url}/s/${shareToken}/thumb?size=256`, {})
    expect(r.status).to.equal(200)
    expect(r.headers.get('content-type')).to.equal('image/webp')
    expect(webpSize(Buffer.from(await r.arrayBuffer()))).to.deep.equal({ width: 256, height: 192 })
  })

  it('answers a placeholder for a truncated JPEG and a decompression bomb, and stays up', async () => {
    for (const [name, file, type] of [['broken.jpg', 'truncated.jpg', 'image/jpeg'], ['bomb.png', 'bomb-30000x30000.png', 'image/png']]) {
      const etag = await put(`pics/${name}`, fixture(file), type)
      const r = await waitFor(`${base}/pics/${name}?thumbnail=256`)
      expect(r.status).to.equal(200)
      expect(r.headers.get('x-thumbnail-status')).to.equal('failed')
      expect(webpSize(Buffer.from(await r.arrayBuffer()))).to.deep.equal({ width: 256, height: 256 })
      const large = await fetch(`${base}/pics/${name}?thumbnail=1280`, { headers: auth() })
      expect(large.headers.get('x-thumbnail-status')).to.equal('failed')
      await large.arrayBuffer()
      const color = (await (await fetch(`${base}/pics/${name}?thumbnail=color`, { headers: auth() })).json()) as Record<string, unknown>
      expect(color).to.deep.equal({ etag, status: 'failed' })
    }
    expect((await fetch(`${v.url}/healthcheck`)).status).to.equal(200)
  })

  it('says no for other types and for unknown sizes', async () => {
    await put('pics/notes.txt', Buffer.from('hello'), 'text/plain')
    const none = await fetch(`${base}/pics/notes.txt?thumbnail=256`, { headers: auth() })
    expect(none.status).to.equal(404)
    expect(none.headers.get('x-thumbnail-status')).to.equal('unsupported')
    const bad = await fetch(`${base}/pics/2024/a.jpg?thumbnail=999`, { headers: auth() })
    expect(bad.status).to.equal(400)
    expect((await fetch(`${base}/pics/missing.jpg?thumbnail=256`, { headers: auth() })).status).to.equal(404)
  })

  it('renders the first frame of a video (ffmpeg) and the first page of a PDF (pdftoppm)', async function () {
    const missing = ['ffmpeg', 'pdftoppm'].filter((t) => !existsSync(`/usr/bin/${t}`))
    if (missing.length) {
      console.log(`      skipped: ${missing.join(' and ')} not installed (Debian ffmpeg, poppler-utils)`)
      this.skip()
    }
    const dir = mkdtempSync(join(tmpdir(), 'velox-video-'))
    try {
      const mp4 = join(dir, 'clip.mp4')
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=10:duration=1', '-pix_fmt', 'yuv420p', mp4])
      await put('pics/clip.mp4', readFileSync(mp4), 'video/mp4')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    await put('pics/page.pdf', fixture('page.pdf'), 'application/pdf')
    const video = await waitFor(`${base}/pics/clip.mp4?thumbnail=256`)
    expect(video.headers.get('x-thumbnail-status')).to.equal('ready')
    expect(webpSize(Buffer.from(await video.arrayBuffer()))).to.deep.equal({ width: 256, height: 144 })
    const pdf = await waitFor(`${base}/pics/page.pdf?thumbnail=1280`)
    expect(pdf.headers.get('x-thumbnail-status')).to.equal('ready')
    expect(webpSize(Buffer.from(await pdf.arrayBuffer()))).to.deep.equal({ width: 960, height: 1280 })
  })
})
