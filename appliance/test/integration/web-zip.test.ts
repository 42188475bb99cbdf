/**
 * The file browser's "Download as zip" (GET /api/zip) against a real appliance: the selected
 * files and folders stream as one zip with paths relative to the folder shown (checked with
 * Info-ZIP's unzip), folder markers left out, a large object whole; a signed-out request is
 * 401, another user without access 403, a name climbing out of the folder 400.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

describe('download as zip from the file browser', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let owner: WebClient
  let work: string
  const big = Buffer.alloc(3 * 1024 * 1024 + 5, 'x')

  async function zip(client: WebClient, query: string): Promise<{ status: number; names: string[]; file: string; disposition: string | null }> {
    const r = await client.fetch(`/api/zip?${query}`)
    const body = Buffer.from(await r.arrayBuffer())
    const file = join(work, `z${Math.random().toString(36).slice(2)}.zip`)
    writeFileSync(file, body)
    const names = r.status === 200 ? execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n').sort() : []
    return { status: r.status, names, file, disposition: r.headers.get('content-disposition') }
  }
  const put = async (object: string, body: string | Buffer, type = 'text/plain') =>
    expect((await owner.fetch(`/v1/AUTH_test/box/${object}`, { method: 'PUT', body, headers: { 'Content-Type': type } })).status).to.equal(201)

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'velox-zip-'))
    v = await startTestAppliance({ users: [TESTER, { account: 'other', user: 'stranger', key: 'strange', admin: false }] })
    owner = new WebClient(v.url)
    await owner.login()
    expect((await owner.fetch('/v1/AUTH_test/box', { method: 'PUT' })).status).to.equal(201)
    await put('docs/', '', 'application/directory')
    await put('docs/a.txt', 'alpha\n')
    await put('docs/sub/b.txt', 'beta\n')
    await put('top.txt', 'top\n')
    await put('top.txt.bak', 'not asked for\n')
    // A static large object, as the app uploads big files: segments in box_segments, then the manifest.
    expect((await owner.fetch('/v1/AUTH_test/box_segments', { method: 'PUT' })).status).to.equal(201)
    const seg1 = big.subarray(0, 2 * 1024 * 1024)
    const seg2 = big.subarray(2 * 1024 * 1024)
    for (const [n, b] of [['1', seg1], ['2', seg2]] as const) expect((await owner.fetch(`/v1/AUTH_test/box_segments/docs/big.bin/${n}`, { method: 'PUT', body: b })).status).to.equal(201)
    const manifest = [{ path: '/box_segments/docs/big.bin/1', size_bytes: seg1.length }, { path: '/box_segments/docs/big.bin/2', size_bytes: seg2.length }]
    expect((await owner.fetch('/v1/AUTH_test/box/docs/big.bin?multipart-manifest=put', { method: 'PUT', body: JSON.stringify(manifest) })).status).to.equal(201)
  })
  after(async () => {
    await v?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('zips a folder and a file of the top level, paths relative to it', async () => {
    const z = await zip(owner, 'container=box&name=docs/&name=top.txt')
    expect(z.status).to.equal(200)
    expect(z.names).to.deep.equal(['docs/a.txt', 'docs/big.bin', 'docs/sub/b.txt', 'top.txt'])
    expect(execFileSync('unzip', ['-p', z.file, 'docs/sub/b.txt'], { encoding: 'utf8' })).to.equal('beta\n')
    expect(execFileSync('unzip', ['-p', z.file, 'docs/big.bin'], { maxBuffer: 16 * 1024 * 1024 }).equals(big)).to.equal(true)
    expect(execFileSync('unzip', ['-tq', z.file], { encoding: 'utf8' })).to.match(/No errors/)
    expect(z.disposition).to.match(/^attachment; filename="box\.zip"/)
  })

  it('zips inside a folder with paths relative to that folder', async () => {
    const z = await zip(owner, 'container=box&prefix=docs/&name=sub/&name=a.txt')
    expect(z.status).to.equal(200)
    expect(z.names).to.deep.equal(['a.txt', 'sub/b.txt'])
    expect(z.disposition).to.match(/^attachment; filename="docs\.zip"/)
  })

  it('refuses a signed-out visitor, another user, and names outside the folder', async () => {
    expect((await zip(new WebClient(v.url), 'container=box&name=top.txt')).status).to.equal(401)
    const stranger = new WebClient(v.url)
    await stranger.login('other', 'stranger', 'strange')
    expect((await zip(stranger, 'container=box&name=top.txt')).status).to.equal(403)
    for (const q of ['container=box&prefix=docs/&name=../top.txt', 'container=box&name=/top.txt', 'container=box', 'container=box&prefix=docs&name=a.txt']) {
      expect((await zip(owner, q)).status, q).to.equal(400)
    }
  })
})
