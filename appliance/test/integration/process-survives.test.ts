/**
 * Issue 11, items 1–3: single requests that used to stop the whole appliance. The real
 * `velox serve` runs in a child process with its request log on (the crash was in the log's
 * finish handler, reading the socket of a client that had gone), and after each request the
 * test checks that the process is still running and still answers.
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { head, rawRequest } from '../harness/raw-http.js'
import { startServeProcess, type ServeProcess } from '../harness/serve-process.js'
import { WebClient } from '../harness/web-client.js'

describe('one request never stops the process (issue 11)', function () {
  this.timeout(60_000)
  let v: ServeProcess
  let swift: { token: string; storageUrl: string }

  before(async () => {
    v = await startServeProcess()
    swift = await v.auth()
    expect((await fetch(`${swift.storageUrl}/c`, { method: 'PUT', headers: { 'X-Auth-Token': swift.token } })).status).to.equal(201)
  })
  after(() => v?.stop())

  async function expectAlive(what: string): Promise<void> {
    await new Promise((r) => setTimeout(r, 200))
    expect(v.exitCode(), `process exited after ${what}`).to.equal(null)
    const r = await fetch(`${v.url}/healthcheck`)
    expect(r.status, `healthcheck after ${what}`).to.equal(200)
    // Fixed at the cause: the process guard (which would also keep it up) had nothing to catch.
    expect(v.lines.filter((l) => String(l.msg ?? '').startsWith('uncaught error')), `uncaught errors after ${what}`).to.deep.equal([])
  }

  const hugeJson = '{'.repeat(70_000)

  it('POST /api/session with a 70,000-byte JSON body answers 413 and the process stays up', async () => {
    const r = await fetch(`${v.url}/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: hugeJson })
    expect(r.status).to.equal(413)
    await expectAlive('an oversized sign-in body')
    const raw = await rawRequest(v.url, [head('POST', '/api/session', [['Host', 'x'], ['Content-Type', 'application/json'], ['Content-Length', String(hugeJson.length)]]), hugeJson])
    expect(raw.status).to.equal(413)
    await expectAlive('an oversized sign-in body on a raw socket')
  })

  it('the same body to a share link unlock answers 413 and the process stays up', async () => {
    const owner = new WebClient(v.url)
    await owner.login()
    const created = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'folder', container: 'c', password: 'pw-1234' } })
    expect(created.status).to.equal(201)
    const { token } = (await created.json()) as { token: string }
    const r = await fetch(`${v.url}/api/public/shares/${token}/unlock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: hugeJson })
    expect(r.status).to.equal(413)
    await expectAlive('an oversized unlock body')
  })

  it('extract-archive of random bytes, zeros then junk, or a truncated tar.gz reports the bad archive and the process stays up', async () => {
    const bodies: Array<[string, Buffer]> = [
      ['tar', randomBytes(5000)],
      ['tar', Buffer.concat([Buffer.alloc(1024), randomBytes(3000)])],
      ['tar.gz', gzipSync(randomBytes(20_000)).subarray(0, 3000)],
      ['tar.bz2', randomBytes(5000)],
    ]
    for (const [format, body] of bodies) {
      const r = await fetch(`${swift.storageUrl}/c?extract-archive=${format}`, { method: 'PUT', headers: { 'X-Auth-Token': swift.token, Accept: 'application/json' }, body })
      // Swift answers extract-archive with 200 and puts the archive's status in the report.
      expect(r.status).to.equal(200)
      const report = (await r.json()) as Record<string, unknown>
      expect(report['Response Status'], format).to.equal('400 Bad Request')
      expect(String(report['Response Body'])).to.match(/^Invalid Tar File: /)
      await expectAlive(`a broken ${format} to extract-archive`)
    }
  })

  it('a client that leaves in the middle of a Swift or web request does not stop the process', async () => {
    const swiftHead = head('PUT', `${new URL(swift.storageUrl).pathname}/c/o`, [['Host', 'x'], ['X-Auth-Token', swift.token], ['Content-Length', '100000']])
    await rawRequest(v.url, [swiftHead, 'partial'], { timeoutMs: 300 })
    await rawRequest(v.url, [head('POST', '/api/session', [['Host', 'x'], ['Content-Type', 'application/json'], ['Content-Length', '100000']]), '{"a'], { timeoutMs: 300 })
    await expectAlive('clients that left mid-body')
  })
})
