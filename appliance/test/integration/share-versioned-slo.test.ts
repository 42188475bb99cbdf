/**
 * A share link of a large object (SLO) in containers that keep versions, against a real
 * appliance: with X-Versions-Enabled on the container and on its `_segments` container, each
 * segment name is a link to its version in "\0versions\0<container>_segments", so the link's
 * places must include that versions container or the download stops after the first byte
 * (the cause of Chromium's cancelled 200 MB share download in e2e/web.test.ts with versions on).
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const SEGMENT = 256 * 1024
const SEGMENTS = 3

describe('share link of a large object in versioned containers', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let owner: WebClient
  let dist: string
  const body = randomBytes(SEGMENT * SEGMENTS - 1000)
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

  before(async () => {
    dist = mkdtempSync(join(tmpdir(), 'velox-dist-'))
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Velox</title>')
    v = await startTestAppliance({ flags: { web: { distDir: dist, sessionLifeSec: 3600 } } })
    owner = new WebClient(v.url)
    await owner.login()
    for (const c of ['vbox', 'vbox_segments']) {
      expect((await owner.fetch(`/v1/AUTH_test/${c}`, { method: 'PUT', headers: { 'X-Versions-Enabled': 'true' } })).status).to.equal(201)
    }
    const manifest = []
    for (let n = 0; n < SEGMENTS; n++) {
      const part = body.subarray(n * SEGMENT, (n + 1) * SEGMENT)
      const path = `/vbox_segments/big.bin/${String(n).padStart(6, '0')}`
      expect((await owner.fetch(`/v1/AUTH_test${path}`, { method: 'PUT', body: part })).status).to.equal(201)
      manifest.push({ path, etag: createHash('md5').update(part).digest('hex'), size_bytes: part.length })
    }
    const put = await owner.fetch('/v1/AUTH_test/vbox/big.bin?multipart-manifest=put', { method: 'PUT', body: JSON.stringify(manifest), headers: { 'Content-Type': 'application/octet-stream' } })
    expect(put.status, await put.clone().text()).to.equal(201)
  })
  after(async () => {
    await v?.stop()
    rmSync(dist, { recursive: true, force: true })
  })

  it('downloads every byte through a file link and a folder link', async () => {
    for (const json of [{ kind: 'file', container: 'vbox', object: 'big.bin' }, { kind: 'folder', container: 'vbox' }]) {
      const r = await owner.fetch('/api/shares', { method: 'POST', json })
      expect(r.status, await r.clone().text()).to.equal(201)
      const { token } = (await r.json()) as { token: string }
      const path = json.kind === 'file' ? 'file' : 'file/big.bin'
      const got = await fetch(`${v.url}/s/${token}/${path}?download=1`)
      expect(got.status, await got.clone().text()).to.equal(200)
      expect(Number(got.headers.get('content-length'))).to.equal(body.length)
      const bytes = Buffer.from(await got.arrayBuffer())
      expect(bytes.length, json.kind).to.equal(body.length)
      expect(sha(bytes)).to.equal(sha(body))
    }
  })
})
