/**
 * Issue 11, item 4: a share link serves only what it shares. A writer of the shared folder
 * plants a symlink, a DLO manifest or an SLO manifest pointing at priv/secret.txt; through
 * the link each is refused (or skipped in the folder's zip), while links and large objects
 * inside the folder (and segments under <container>_segments/<folder>/) keep working, and the
 * owner's own Swift requests still follow everything.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const SECRET = 'the secret body'

describe('share links stay inside what they share (issue 11, item 4)', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let owner: WebClient
  let folder: string

  const put = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const r = await owner.fetch(`/v1/AUTH_test/${path}`, { method: 'PUT', body, headers })
    expect(r.status, `${path}: ${await r.clone().text()}`).to.equal(201)
  }
  const viaLink = (token: string, path: string) => fetch(`${v.url}/s/${token}/file/${path}`)
  /** Status and body; a large object whose next segment is refused mid-stream is cut ('cut'). */
  const outcome = async (r: Response): Promise<{ status: number; body: string }> => {
    try {
      return { status: r.status, body: await r.text() }
    } catch {
      return { status: r.status, body: 'cut' }
    }
  }
  const share = async (json: Record<string, unknown>) => {
    const r = await owner.fetch('/api/shares', { method: 'POST', json })
    expect(r.status).to.equal(201)
    return ((await r.json()) as { token: string }).token
  }

  before(async () => {
    v = await startTestAppliance()
    owner = new WebClient(v.url)
    await owner.login()
    for (const c of ['box', 'box_segments', 'other']) expect((await owner.fetch(`/v1/AUTH_test/${c}`, { method: 'PUT' })).status).to.equal(201)
    await put('box/priv/secret.txt', SECRET)
    await put('other/x.txt', SECRET)
    await put('box/pub/a.txt', 'AAAA')
    await put('box/pub/seg/1', 'seg1-')
    await put('box/pub/seg/2', 'seg2')
    await put('box_segments/pub/big/1', 'big-one-')
    // What a writer of pub/ plants:
    await put('box/pub/inside', '', { 'X-Symlink-Target': 'box/pub/a.txt' })
    await put('box/pub/escape', '', { 'X-Symlink-Target': 'box/priv/secret.txt' })
    await put('box/pub/escape-container', '', { 'X-Symlink-Target': 'other/x.txt' })
    await put('box/pub/dlo-in', '', { 'X-Object-Manifest': 'box/pub/seg/' })
    await put('box/pub/dlo-out', '', { 'X-Object-Manifest': 'box/priv/' })
    await put('box/pub/slo-in?multipart-manifest=put', JSON.stringify([{ path: '/box/pub/seg/1' }, { path: '/box_segments/pub/big/1' }]))
    await put('box/pub/slo-out?multipart-manifest=put', JSON.stringify([{ path: '/box/pub/seg/1' }, { path: '/box/priv/secret.txt' }]))
    await put('box/pub2/ok.txt', 'ok')
    await put('box/pub2/escape', '', { 'X-Symlink-Target': 'box/priv/secret.txt' })
    await put('box/pub2/dlo-out', '', { 'X-Object-Manifest': 'box/priv/' })
    folder = await share({ kind: 'folder', container: 'box', prefix: 'pub/' })
  })
  after(() => v?.stop())

  it('follows links and large objects whose targets and segments are inside the folder', async () => {
    expect(await (await viaLink(folder, 'inside')).text()).to.equal('AAAA')
    expect(await (await viaLink(folder, 'dlo-in')).text()).to.equal('seg1-seg2')
    expect(await (await viaLink(folder, 'slo-in')).text()).to.equal('seg1-big-one-')
  })

  it('refuses a planted symlink, DLO or SLO that reaches outside the folder', async () => {
    const got: Record<string, string> = {}
    for (const name of ['escape', 'escape-container', 'dlo-out', 'slo-out']) {
      const { status, body } = await outcome(await viaLink(folder, name))
      expect(body, name).not.to.contain(SECRET)
      got[name] = status === 200 ? body : String(status)
    }
    // An SLO's segments are checked as they are reached (as in Swift): its first, inside
    // segment is sent, then the connection is cut at the refused one.
    expect(got).to.deep.equal({ escape: '403', 'escape-container': '403', 'dlo-out': '403', 'slo-out': 'cut' })
  })

  // An SLO refused mid-stream cuts a zip short (its entries are streamed): pub2/ has none.
  it('leaves planted links and DLOs out of the folder zip', async () => {
    const r = await fetch(`${v.url}/s/${await share({ kind: 'folder', container: 'box', prefix: 'pub2/' })}/zip`)
    expect(r.status).to.equal(200)
    const dir = mkdtempSync(join(tmpdir(), 'velox-scope-'))
    try {
      writeFileSync(join(dir, 'f.zip'), Buffer.from(await r.arrayBuffer()))
      const listing = execFileSync('unzip', ['-l', join(dir, 'f.zip')]).toString()
      expect(listing).to.contain('ok.txt')
      expect(listing).not.to.contain('escape')
      expect(listing).not.to.contain('dlo-out')
      expect(execFileSync('unzip', ['-p', join(dir, 'f.zip')]).toString()).not.to.contain(SECRET)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a file link to a planted symlink does not follow it out; the owner’s own requests still do', async () => {
    const file = await share({ kind: 'file', container: 'box', object: 'pub/escape' })
    const r = await fetch(`${v.url}/s/${file}/file`)
    expect(r.status).to.not.equal(200)
    expect(await r.text()).not.to.contain(SECRET)
    expect(await (await owner.fetch('/v1/AUTH_test/box/pub/escape')).text()).to.equal(SECRET)
  })
})
