/**
 * versioned_writes (Swift 2.30 legacy mode) end to end against a real appliance: the
 * container headers and their checks, stack mode (overwrite keeps the previous version,
 * DELETE restores it), history mode (DELETE leaves a delete marker), the 412 when the
 * versions container is missing, COPY, and the `swift` CLI uploading and deleting.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const run = promisify(execFile)

describe('Swift versioned_writes', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let token: string
  let url: string
  const h = (extra: Record<string, string> = {}) => ({ 'X-Auth-Token': token, ...extra })
  const req = (path: string, method = 'GET', extra: Record<string, string> = {}, body?: string) => fetch(`${url}${path}`, { method, headers: h(extra), body, redirect: 'manual' })
  const text = async (path: string) => (await req(path)).text()
  const listing = async (c: string) => (await (await req(`/${c}?format=json`)).json()) as Array<{ name: string; content_type: string; bytes: number }>

  before(async () => {
    v = await startTestAppliance()
    ;({ token, storageUrl: url } = await v.auth())
  })
  after(() => v?.stop())

  describe('container headers', () => {
    before(async () => {
      expect((await req('/hdr', 'PUT')).status).to.equal(201)
    })

    it('X-Versions-Location is stored and shown; X-History-Location replaces it', async () => {
      expect((await req('/hdr', 'POST', { 'X-Versions-Location': 'hdr-v' })).status).to.equal(204)
      let r = await req('/hdr', 'HEAD')
      expect(r.headers.get('x-versions-location')).to.equal('hdr-v')
      expect(r.headers.get('x-history-location')).to.equal(null)
      expect((await req('/hdr', 'POST', { 'X-History-Location': 'hdr-h' })).status).to.equal(204)
      r = await req('/hdr', 'HEAD')
      expect(r.headers.get('x-history-location')).to.equal('hdr-h')
      expect(r.headers.get('x-versions-location')).to.equal(null)
    })

    it('setting both is 400; a location with a slash is 412', async () => {
      const both = await req('/hdr', 'POST', { 'X-Versions-Location': 'a', 'X-History-Location': 'b' })
      expect(both.status).to.equal(400)
      expect(await both.text()).to.equal('Only one of x-versions-location or x-history-location may be specified')
      expect((await req('/hdr', 'PUT', { 'X-Versions-Location': 'a/b' })).status).to.equal(412)
    })

    it('an empty value of the other header defers to the one that is set', async () => {
      expect((await req('/hdr', 'POST', { 'X-Versions-Location': 'only', 'X-History-Location': '' })).status).to.equal(204)
      expect((await req('/hdr', 'HEAD')).headers.get('x-versions-location')).to.equal('only')
    })

    it('X-Remove-Versions-Location and an empty value both turn versioning off', async () => {
      await req('/hdr', 'POST', { 'X-Versions-Location': 'x' })
      expect((await req('/hdr', 'POST', { 'X-Remove-Versions-Location': '1' })).status).to.equal(204)
      expect((await req('/hdr', 'HEAD')).headers.get('x-versions-location')).to.equal(null)
      await req('/hdr', 'POST', { 'X-History-Location': 'x' })
      expect((await req('/hdr', 'POST', { 'X-History-Location': '' })).status).to.equal(204)
      expect((await req('/hdr', 'HEAD')).headers.get('x-history-location')).to.equal(null)
    })

    it('X-Versions-Mode is not a 2.30 header: it neither changes the mode nor is stored', async () => {
      await req('/hdr', 'POST', { 'X-Versions-Location': 'm', 'X-Versions-Mode': 'history' })
      const r = await req('/hdr', 'HEAD')
      expect(r.headers.get('x-versions-location')).to.equal('m')
      expect(r.headers.get('x-history-location')).to.equal(null)
      expect(r.headers.get('x-versions-mode')).to.equal(null)
    })
  })

  describe('stack mode (X-Versions-Location)', () => {
    before(async () => {
      await req('/stack-v', 'PUT')
      await req('/stack', 'PUT', { 'X-Versions-Location': 'stack-v' })
    })

    it('an overwrite copies the previous version to <3 hex length><name>/<its X-Timestamp>', async () => {
      expect((await req('/stack/doc', 'PUT', { 'Content-Type': 'text/x-one', 'X-Object-Meta-Rev': '1' }, 'one')).status).to.equal(201)
      const ts1 = (await req('/stack/doc', 'HEAD')).headers.get('x-timestamp')
      expect((await req('/stack/doc', 'PUT', {}, 'two')).status).to.equal(201)
      const ts2 = (await req('/stack/doc', 'HEAD')).headers.get('x-timestamp')
      expect((await req('/stack/doc', 'PUT', {}, 'three')).status).to.equal(201)
      const rows = await listing('stack-v')
      expect(rows.map((r) => r.name)).to.deep.equal([`003doc/${ts1}`, `003doc/${ts2}`])
      const first = await req(`/stack-v/003doc/${ts1}`)
      expect(await first.text()).to.equal('one')
      expect(first.headers.get('content-type')).to.equal('text/x-one')
      expect(first.headers.get('x-object-meta-rev')).to.equal('1')
    })

    it('DELETE restores the newest previous version, then the older one, then deletes', async () => {
      expect((await req('/stack/doc', 'DELETE')).status).to.equal(204)
      expect(await text('/stack/doc')).to.equal('two')
      expect((await req('/stack/doc', 'DELETE')).status).to.equal(204)
      const restored = await req('/stack/doc')
      expect(await restored.text()).to.equal('one')
      expect(restored.headers.get('x-object-meta-rev')).to.equal('1')
      expect(await listing('stack-v')).to.deep.equal([])
      expect((await req('/stack/doc', 'DELETE')).status).to.equal(204)
      expect((await req('/stack/doc')).status).to.equal(404)
      expect((await req('/stack/doc', 'DELETE')).status).to.equal(404)
    })

    it('COPY onto a versioned object keeps the overwritten version', async () => {
      await req('/stack/src', 'PUT', {}, 'source')
      await req('/stack/dst', 'PUT', {}, 'old dst')
      expect((await req('/stack/src', 'COPY', { Destination: 'stack/dst' })).status).to.equal(201)
      expect(await text('/stack/dst')).to.equal('source')
      const rows = (await listing('stack-v')).filter((r) => r.name.startsWith('003dst/'))
      expect(rows).to.have.length(1)
      expect(await text(`/stack-v/${rows[0].name}`)).to.equal('old dst')
    })

    it('without the versions container, a new object is 201 but an overwrite is 412', async () => {
      await req('/orphan', 'PUT', { 'X-Versions-Location': 'does-not-exist' })
      expect((await req('/orphan/o', 'PUT', {}, 'a')).status).to.equal(201)
      expect((await req('/orphan/o', 'PUT', {}, 'b')).status).to.equal(412)
      expect(await text('/orphan/o')).to.equal('a')
      expect((await req('/orphan/o', 'DELETE')).status).to.equal(204)
    })
  })

  describe('history mode (X-History-Location)', () => {
    before(async () => {
      await req('/hist-v', 'PUT')
      await req('/hist', 'PUT', { 'X-History-Location': 'hist-v' })
    })

    it('DELETE keeps the current version and writes a delete marker', async () => {
      await req('/hist/o', 'PUT', {}, 'v1')
      await req('/hist/o', 'PUT', {}, 'v2')
      expect((await req('/hist/o', 'DELETE')).status).to.equal(204)
      expect((await req('/hist/o')).status).to.equal(404)
      const rows = await listing('hist-v')
      expect(rows).to.have.length(3)
      expect(rows.map((r) => r.name.slice(0, 5))).to.deep.equal(['001o/', '001o/', '001o/'])
      expect(await text(`/hist-v/${rows[0].name}`)).to.equal('v1')
      expect(await text(`/hist-v/${rows[1].name}`)).to.equal('v2')
      expect(rows[2].content_type).to.equal('application/x-deleted;swift_versions_deleted=1')
      expect(rows[2].bytes).to.equal(0)
    })

    it('a DELETE of a missing object still leaves a marker (and answers 404)', async () => {
      expect((await req('/hist/never', 'DELETE')).status).to.equal(404)
      const rows = (await listing('hist-v')).filter((r) => r.name.startsWith('005never/'))
      expect(rows.map((r) => r.content_type)).to.deep.equal(['application/x-deleted;swift_versions_deleted=1'])
    })

    it('switched to stack mode, a DELETE behind a delete marker restores the version before it', async () => {
      await req('/hist', 'POST', { 'X-Versions-Location': 'hist-v' })
      expect((await req('/hist/o', 'DELETE')).status).to.equal(204)
      expect(await text('/hist/o')).to.equal('v2')
      const rows = (await listing('hist-v')).filter((r) => r.name.startsWith('001o/'))
      expect(rows.map((r) => r.content_type)).to.not.include('application/x-deleted;swift_versions_deleted=1')
      expect(rows).to.have.length(1)
    })
  })

  it('archives of a non-ASCII name made under the old character-count prefix are still restored', async () => {
    // "é.txt" is 5 characters, 6 UTF-8 bytes: Swift's prefix is 006, Velox once wrote 005.
    const name = encodeURIComponent('é.txt')
    await req('/old-v', 'PUT')
    await req('/old', 'PUT', { 'X-Versions-Location': 'old-v' })
    expect((await req(`/old/${name}`, 'PUT', {}, 'current')).status).to.equal(201)
    expect((await req(`/old-v/${encodeURIComponent('005é.txt/1700000000.00000')}`, 'PUT', {}, 'oldest')).status).to.equal(201)
    expect((await req(`/old-v/${encodeURIComponent('006é.txt/1700000001.00000')}`, 'PUT', {}, 'newer')).status).to.equal(201)
    expect((await req(`/old/${name}`, 'DELETE')).status).to.equal(204)
    expect(await text(`/old/${name}`)).to.equal('newer')
    expect((await req(`/old/${name}`, 'DELETE')).status).to.equal(204)
    expect(await text(`/old/${name}`)).to.equal('oldest')
    expect(await listing('old-v')).to.deep.equal([])
    expect((await req(`/old/${name}`, 'DELETE')).status).to.equal(204)
    expect((await req(`/old/${name}`)).status).to.equal(404)
  })

  it('/info lists versioned_writes with its allowed flags', async () => {
    const info = (await (await fetch(`${v.url}/info`)).json()) as Record<string, unknown>
    expect(info.versioned_writes).to.deep.equal({ allowed_flags: ['x-versions-location', 'x-history-location'] })
  })

  describe('swift CLI', () => {
    let work: string
    before(function () {
      if (!existsSync('/usr/bin/swift')) {
        console.log('    (skipped: Debian python3-swiftclient is not installed)')
        this.skip()
      }
      work = mkdtempSync(join(tmpdir(), 'velox-vw-'))
    })
    after(() => work && rmSync(work, { recursive: true, force: true }))
    const swift = (...args: string[]) => run('/usr/bin/swift', ['-A', `${v.url}/auth/v1.0`, '-U', 'test:tester', '-K', 'testing', ...args], { cwd: work })

    it('upload twice keeps a version; delete restores it', async function () {
      this.timeout(180_000)
      await req('/cli-v', 'PUT')
      await req('/cli', 'PUT', { 'X-Versions-Location': 'cli-v' })
      writeFileSync(join(work, 'notes.txt'), 'first\n')
      await swift('upload', 'cli', 'notes.txt')
      writeFileSync(join(work, 'notes.txt'), 'second\n')
      await swift('upload', 'cli', 'notes.txt')
      const names = (await listing('cli-v')).map((r) => r.name)
      expect(names).to.have.length(1)
      expect(names[0]).to.match(/^009notes\.txt\/\d{10}\.\d{5}$/)
      await swift('delete', 'cli', 'notes.txt')
      expect(await text('/cli/notes.txt')).to.equal('first\n')
      expect(await listing('cli-v')).to.deep.equal([])
    })
  })
})
