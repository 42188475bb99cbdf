/**
 * A share link's download limit cannot be walked around with `?inline=1`, against a real
 * appliance: the page's preview of a kind of file it previews (a PDF, a picture, text) stays a
 * view, but an inline read of any other file (an archive, a binary) hands over the whole file
 * and counts as a download, for a file link and for a file inside a folder link.
 */
import { expect } from 'chai'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

describe('share link inline reads and the download limit', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let owner: WebClient
  let dist: string
  const zip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(4000, 7)])
  const pdf = Buffer.from('%PDF-1.4 pretend\n'.repeat(50))

  async function share(json: Record<string, unknown>): Promise<{ id: string; token: string }> {
    const r = await owner.fetch('/api/shares', { method: 'POST', json })
    expect(r.status, await r.clone().text()).to.equal(201)
    return (await r.json()) as { id: string; token: string }
  }
  async function counts(id: string): Promise<{ views: number; downloads: number; previews?: number }> {
    const list = (await (await owner.fetch('/api/shares')).json()) as { shares: Array<{ id: string; counts: { views: number; downloads: number; previews?: number } }> }
    return list.shares.find((s) => s.id === id)!.counts
  }
  const put = async (object: string, body: Buffer, type: string) =>
    expect((await owner.fetch(`/v1/AUTH_test/box/${object}`, { method: 'PUT', body, headers: { 'Content-Type': type } })).status).to.equal(201)

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'velox-dist-'))
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Velox</title>')
    v = await startTestAppliance({ flags: { web: { distDir: dist, sessionLifeSec: 3600 } } })
    owner = new WebClient(v.url)
    await owner.login()
    expect((await owner.fetch('/v1/AUTH_test/box', { method: 'PUT' })).status).to.equal(201)
    await put('backup.zip', zip, 'application/zip')
    await put('doc.pdf', pdf, 'application/pdf')
    await put('set/a.bin', zip, 'application/octet-stream')
    await put('set/notes.txt', Buffer.from('hello\n'), 'text/plain')
  })
  after(async () => {
    await v?.stop()
    rmSync(dist, { recursive: true, force: true })
  })

  it('counts an inline read of a file the page does not preview as a download, and ends the link at its limit', async () => {
    const s = await share({ kind: 'file', container: 'box', object: 'backup.zip', maxDownloads: 1 })
    const first = await fetch(`${v.url}/s/${s.token}/file?inline=1`)
    expect(first.status).to.equal(200)
    expect(Buffer.from(await first.arrayBuffer()).equals(zip)).to.equal(true)
    expect(await counts(s.id)).to.include({ downloads: 1 })
    const again = await fetch(`${v.url}/s/${s.token}/file?inline=1`)
    expect(again.status).to.equal(404)
    expect(((await again.json()) as { message: string }).message).to.match(/download limit was reached/)
  })

  it('keeps the inline preview of a PDF a view however often it is read', async () => {
    const s = await share({ kind: 'file', container: 'box', object: 'doc.pdf', maxDownloads: 1 })
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${v.url}/s/${s.token}/file?inline=1`)
      expect(r.status).to.equal(200)
      await r.arrayBuffer()
    }
    expect(await counts(s.id)).to.include({ downloads: 0 })
    expect((await fetch(`${v.url}/s/${s.token}/file?download=1`)).status).to.equal(200)
    expect(await counts(s.id)).to.include({ downloads: 1 })
  })

  it('counts previews against a preview limit of their own, which an edit lifts; downloads stay apart', async () => {
    const s = await share({ kind: 'file', container: 'box', object: 'doc.pdf', maxDownloads: 1, maxPreviews: 2 })
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${v.url}/s/${s.token}/file?inline=1`)
      expect(r.status).to.equal(200)
      await r.arrayBuffer()
    }
    const third = await fetch(`${v.url}/s/${s.token}/file?inline=1`)
    expect(third.status).to.equal(404)
    expect(((await third.json()) as { message: string }).message).to.equal("this link's preview limit was reached")
    expect(await counts(s.id)).to.include({ previews: 2, downloads: 0 })
    const dl = await fetch(`${v.url}/s/${s.token}/file?download=1`)
    expect(dl.status).to.equal(200)
    expect(Buffer.from(await dl.arrayBuffer()).equals(pdf)).to.equal(true)
    expect((await owner.fetch(`/api/shares/${s.id}`, { method: 'PATCH', json: { maxPreviews: 0 } })).status).to.equal(400)
    const lifted = await owner.fetch(`/api/shares/${s.id}`, { method: 'PATCH', json: { maxPreviews: null, maxDownloads: 2 } })
    expect(lifted.status, await lifted.clone().text()).to.equal(200)
    const fourth = await fetch(`${v.url}/s/${s.token}/file?inline=1`)
    expect(fourth.status).to.equal(200)
    await fourth.arrayBuffer()
    expect(await counts(s.id)).to.include({ previews: 3, downloads: 1 })
  })

  it('decides per file inside a folder link: text is a view, a binary is a download', async () => {
    const s = await share({ kind: 'folder', container: 'box', prefix: 'set/', maxDownloads: 2 })
    const text = await fetch(`${v.url}/s/${s.token}/file/notes.txt?inline=1`)
    expect(text.status).to.equal(200)
    expect(await text.text()).to.equal('hello\n')
    expect(await counts(s.id)).to.include({ downloads: 0 })
    const bin = await fetch(`${v.url}/s/${s.token}/file/a.bin?inline=1`)
    expect(bin.status).to.equal(200)
    await bin.arrayBuffer()
    expect(await counts(s.id)).to.include({ downloads: 1 })
  })
})
