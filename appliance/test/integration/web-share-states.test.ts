/**
 * How a share link that stopped working answers, against a real appliance with a web app:
 * its page (/s/<token>) is the app's page with 404 (unknown) or 410 (expired, revoked, used
 * up) so that curl and link checkers see it; the public API says why (the page shows it);
 * and the page's inline preview (?inline=1) does not use up the download limit.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('share links that ended', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let owner: WebClient
  let dist: string
  const body = Buffer.from('%PDF-1.4 pretend\n'.repeat(50))

  async function share(json: Record<string, unknown>): Promise<{ id: string; token: string }> {
    const r = await owner.fetch('/api/shares', { method: 'POST', json })
    expect(r.status, await r.clone().text()).to.equal(201)
    return (await r.json()) as { id: string; token: string }
  }
  const page = (token: string) => fetch(`${v.url}/s/${token}`)
  async function reason(token: string): Promise<{ status: number; message: string }> {
    const r = await fetch(`${v.url}/api/public/shares/${token}`)
    return { status: r.status, message: ((await r.json()) as { message: string }).message }
  }
  async function counts(id: string): Promise<{ views: number; downloads: number }> {
    const list = (await (await owner.fetch('/api/shares')).json()) as { shares: Array<{ id: string; counts: { views: number; downloads: number } }> }
    return list.shares.find((s) => s.id === id)!.counts
  }

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'velox-dist-'))
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Velox</title>')
    v = await startTestAppliance({ flags: { web: { distDir: dist, sessionLifeSec: 3600 } } })
    owner = new WebClient(v.url)
    await owner.login()
    expect((await owner.fetch('/v1/AUTH_test/box', { method: 'PUT' })).status).to.equal(201)
    expect((await owner.fetch('/v1/AUTH_test/box/doc.pdf', { method: 'PUT', body, headers: { 'Content-Type': 'application/pdf' } })).status).to.equal(201)
  })
  after(async () => {
    await v?.stop()
    rmSync(dist, { recursive: true, force: true })
  })

  it('serves a live link page with 200 and an unknown one with 404, both the app page', async () => {
    const s = await share({ kind: 'file', container: 'box', object: 'doc.pdf' })
    for (const [token, status] of [[s.token, 200], [randomBytes(32).toString('base64url'), 404], ['short', 404]] as const) {
      const r = await page(token)
      expect(r.status, token).to.equal(status)
      expect(r.headers.get('content-type')).to.match(/^text\/html/)
      expect(await r.text()).to.include('<title>Velox</title>')
    }
    const head = await fetch(`${v.url}/s/${randomBytes(32).toString('base64url')}/`, { method: 'HEAD' })
    expect(head.status).to.equal(404)
  })

  it('answers 410 with the page for a revoked or expired link, and the API says which', async () => {
    const revoked = await share({ kind: 'file', container: 'box', object: 'doc.pdf' })
    expect((await owner.fetch(`/api/shares/${revoked.id}`, { method: 'DELETE' })).status).to.be.oneOf([200, 204])
    const expired = await share({ kind: 'folder', container: 'box', expiresAt: Math.floor(Date.now() / 1000) + 2 })
    await sleep(2500)
    for (const [s, words] of [[revoked, 'this link was revoked'], [expired, 'this link has expired']] as const) {
      const r = await page(s.token)
      expect(r.status).to.equal(410)
      expect(await r.text()).to.include('<title>Velox</title>')
      expect(await reason(s.token)).to.deep.equal({ status: 404, message: words })
    }
    // A page once served with 200 must not be revalidated into a 304 after the link ended.
    const again = await fetch(`${v.url}/s/${revoked.token}`, { headers: { 'If-Modified-Since': new Date(Date.now() + 60_000).toUTCString() } })
    expect(again.status).to.equal(410)
    expect((await reason(randomBytes(32).toString('base64url'))).message).to.equal('no such share link')
  })

  it('does not count inline previews as downloads, and says when the download limit was reached', async () => {
    const s = await share({ kind: 'file', container: 'box', object: 'doc.pdf', maxDownloads: 2 })
    for (let i = 0; i < 4; i++) {
      expect((await reason(s.token)).status).to.equal(200) // the page's load: a view
      const r = await fetch(`${v.url}/s/${s.token}/file?inline=1`)
      expect(r.status).to.equal(200)
      expect(Buffer.from(await r.arrayBuffer()).equals(body)).to.equal(true)
      expect(r.headers.get('content-disposition')).to.match(/^inline;/)
    }
    expect(await counts(s.id)).to.deep.include({ views: 4, downloads: 0 })
    expect((await fetch(`${v.url}/s/${s.token}/file?download=1`)).status).to.equal(200)
    // ?inline=1 with ?download=1 is a download.
    expect((await fetch(`${v.url}/s/${s.token}/file?download=1&inline=1`)).status).to.equal(200)
    expect(await counts(s.id)).to.deep.include({ downloads: 2 })
    const used = await fetch(`${v.url}/s/${s.token}/file`)
    expect(used.status).to.equal(404)
    expect(((await used.json()) as { message: string }).message).to.equal("this link's download limit was reached")
    expect(await reason(s.token)).to.deep.equal({ status: 404, message: "this link's download limit was reached" })
    expect((await page(s.token)).status).to.equal(410)
  })
})
