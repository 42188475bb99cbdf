/**
 * Bulk operations (Swift 2.30's bulk middleware) end to end against a real appliance:
 * extract-archive of real archives made with Debian's tar (plain, gzip, bzip2; GNU and pax
 * long names) at account, container and prefix level, the error reports, bulk-delete in the
 * three response formats with its limits, and the whitespace heartbeat of a long request.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import tar from 'tar-stream'
import { heartbeatBody } from '../../src/http/swift/features/bulk.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const run = promisify(execFile)
const LONG = `${'d'.repeat(120)}/${'f'.repeat(150)}.txt`

describe('Swift bulk', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let token: string
  let url: string
  let work: string
  const archives: Record<string, Buffer> = {}
  const req = (path: string, method = 'GET', extra: Record<string, string> = {}, body?: string | Buffer) =>
    fetch(`${url}${path}`, { method, headers: { 'X-Auth-Token': token, ...extra }, body })
  const names = async (c: string) => (await (await req(`/${c}`)).text()).split('\n').filter(Boolean)

  before(async function () {
    if (!existsSync('/usr/bin/tar') || !existsSync('/usr/bin/bzip2')) {
      console.log('    (skipped: Debian tar and bzip2 are needed to build the archives)')
      this.skip()
    }
    v = await startTestAppliance()
    ;({ token, storageUrl: url } = await v.auth())
    work = mkdtempSync(join(tmpdir(), 'velox-bulk-'))
    const tree = join(work, 'tree')
    const put = (rel: string, data: string) => {
      mkdirSync(join(tree, rel, '..'), { recursive: true })
      writeFileSync(join(tree, rel), data)
    }
    put('photos/a.txt', 'alpha\n')
    put('photos/sub/b.json', '{"b":1}\n')
    put('docs/c.html', '<p>c</p>\n')
    put('top.txt', 'top\n')
    mkdirSync(join(tree, 'emptydir'))
    for (const [name, flag] of [['t.tar', ''], ['t.tar.gz', 'z'], ['t.tar.bz2', 'j']]) {
      await run('tar', [`-c${flag}f`, join(work, name), '-C', tree, 'photos', 'docs', 'top.txt', 'emptydir'])
      archives[name] = readFileSync(join(work, name))
    }
    put(`long/${LONG}`, 'long name\n')
    for (const format of ['gnu', 'pax']) {
      await run('tar', ['-cf', join(work, `${format}.tar`), `--format=${format}`, '-C', join(tree, 'long'), LONG])
      archives[`${format}.tar`] = readFileSync(join(work, `${format}.tar`))
    }
  })
  after(async () => {
    await v?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  describe('extract-archive', () => {
    for (const [param, file, prefix] of [
      ['tar', 't.tar', 'x1'],
      ['tar.gz', 't.tar.gz', 'x2'],
      ['tar.bz2', 't.tar.bz2', 'x3'],
    ]) {
      it(`?extract-archive=${param} into a container creates every regular file under it`, async () => {
        const r = await req(`/${prefix}?extract-archive=${param}`, 'PUT', {}, archives[file])
        expect(r.status).to.equal(200)
        expect(r.headers.get('content-type')).to.equal('text/plain')
        expect((await r.text()).trim()).to.equal('Number Files Created: 4\nResponse Body: \nResponse Status: 201 Created\nErrors:')
        expect(await names(prefix)).to.deep.equal(['docs/c.html', 'photos/a.txt', 'photos/sub/b.json', 'top.txt'])
        const a = await req(`/${prefix}/photos/a.txt`)
        expect(await a.text()).to.equal('alpha\n')
        expect(a.headers.get('content-type')).to.equal('text/plain')
        expect((await req(`/${prefix}/photos/sub/b.json`, 'HEAD')).headers.get('content-type')).to.equal('application/json')
      })
    }

    it('at the account level, top-level folders become containers and base-level files are skipped', async () => {
      const r = await req('?extract-archive=tar.gz', 'PUT', { Accept: 'application/json' }, archives['t.tar.gz'])
      expect(r.headers.get('content-type')).to.equal('application/json')
      expect(await r.json()).to.deep.equal({ 'Response Status': '201 Created', 'Response Body': '', 'Number Files Created': 3, Errors: [] })
      expect(await names('photos')).to.deep.equal(['a.txt', 'sub/b.json'])
      expect(await names('docs')).to.deep.equal(['c.html'])
    })

    it('under a prefix, with user metadata from the request and an XML report', async () => {
      const r = await req('/pre/fix/?extract-archive=.tar.bz2.', 'PUT', { Accept: 'application/xml', 'X-Object-Meta-Via': 'bulk' }, archives['t.tar.bz2'])
      expect(r.headers.get('content-type')).to.equal('application/xml')
      expect(await r.text()).to.equal(
        '<extract>\n<number_files_created>4</number_files_created>\n<response_body></response_body>\n<response_status>201 Created</response_status>\n<errors>\n</errors>\n</extract>\n',
      )
      expect(await names('pre')).to.include('fix/photos/sub/b.json')
      expect((await req('/pre/fix/top.txt', 'HEAD')).headers.get('x-object-meta-via')).to.equal('bulk')
    })

    for (const format of ['gnu', 'pax']) {
      it(`reads ${format} long names`, async () => {
        const r = await req(`/long-${format}?extract-archive=tar`, 'PUT', { Accept: 'application/json' }, archives[`${format}.tar`])
        expect(((await r.json()) as Record<string, unknown>)['Number Files Created']).to.equal(1)
        expect(await (await req(`/long-${format}/${LONG}`)).text()).to.equal('long name\n')
      })
    }

    it('reports a broken archive, an empty one and a bad compression inside a 200', async () => {
      const cases: Array<[string, string | Buffer, string]> = [
        ['tar', 'garbage'.repeat(100), 'Invalid Tar File: invalid header'],
        ['tar', '', 'Invalid Tar File: empty file'],
        ['tar.gz', archives['t.tar'], 'Invalid Tar File: not a gzip file'],
        ['tar.bz2', 'garbage'.repeat(100), 'Invalid Tar File: invalid compressed data'],
        ['tar', archives['t.tar'].subarray(0, 1024 + 100), 'Invalid Tar File: unexpected end of data'],
      ]
      for (const [param, body, message] of cases) {
        const r = await req(`/broken?extract-archive=${param}`, 'PUT', { Accept: 'application/json' }, body)
        expect(r.status).to.equal(200)
        const report = (await r.json()) as Record<string, unknown>
        expect(report['Response Status'], message).to.equal('400 Bad Request')
        expect(report['Response Body']).to.equal(message)
      }
    })

    it('an unsupported format is a plain 400; a tar of only base-level files has no valid files', async () => {
      const r = await req('?extract-archive=zip', 'PUT', {}, 'x')
      expect(r.status).to.equal(400)
      expect(await r.text()).to.equal('Unsupported archive format')
      await run('tar', ['-cf', join(work, 'flat.tar'), '-C', join(work, 'tree'), 'top.txt'])
      const flat = await req('?extract-archive=tar', 'PUT', { Accept: 'application/json' }, readFileSync(join(work, 'flat.tar')))
      expect(await flat.json()).to.include({ 'Response Status': '400 Bad Request', 'Response Body': 'Invalid Tar File: No Valid Files' })
    })

    it('names that are too long fail one by one and the others are created', async () => {
      // A 257-byte directory name cannot exist on disk, so this archive is packed in memory.
      const pack = tar.pack()
      pack.entry({ name: 'ok/fine.txt' }, 'x')
      pack.entry({ name: `${'c'.repeat(257)}/f.txt` }, 'x')
      pack.finalize()
      const chunks: Buffer[] = []
      for await (const c of pack) chunks.push(c as Buffer)
      const r = await req('?extract-archive=tar', 'PUT', { Accept: 'application/json' }, Buffer.concat(chunks))
      const report = (await r.json()) as { 'Number Files Created': number; 'Response Status': string; Errors: string[][] }
      expect(report['Number Files Created']).to.equal(1)
      expect(report['Response Status']).to.equal('400 Bad Request')
      expect(report.Errors).to.deep.equal([
        [`/v1/AUTH_test/${'c'.repeat(257)}`, '400 Bad Request'],
        [`${'c'.repeat(257)}/f.txt`, '400 Bad Request'],
      ])
    })

    it('without a token every sub-request is refused: 401 in the report', async () => {
      const r = await fetch(`${url}?extract-archive=tar`, { method: 'PUT', body: archives['t.tar'] })
      expect(await r.text()).to.equal('Number Files Created: 0\nResponse Body: \nResponse Status: 401 Unauthorized\nErrors:\n')
    })

    it('an Accept it cannot serve is 406 in a text report', async () => {
      const r = await req('/n?extract-archive=tar', 'PUT', { Accept: 'image/png' }, archives['t.tar'])
      expect(r.headers.get('content-type')).to.equal('text/html; charset=UTF-8')
      expect(await r.text()).to.equal('Number Files Created: 0\nResponse Body: \nResponse Status: 406 Not Acceptable\nErrors:\n')
    })
  })

  describe('bulk-delete', () => {
    beforeEach(async () => {
      await req('/del', 'PUT')
      for (const o of ['a', 'b c', 'd/e']) await req(`/del/${encodeURIComponent(o)}`, 'PUT', {}, o)
      await req('/del-empty', 'PUT')
    })

    it('deletes objects first, then containers; counts what was not found; 409 for a non-empty container', async () => {
      const r = await req('?bulk-delete', 'POST', { 'Content-Type': 'text/plain' }, 'del/a\n/del/b%20c\ndel-empty\nkeep/none\ndel\n')
      expect(r.status).to.equal(200)
      expect(await r.text()).to.equal('Number Deleted: 3\nNumber Not Found: 1\nResponse Body: \nResponse Status: 400 Bad Request\nErrors:\ndel, 409 Conflict\n')
      expect(await names('del')).to.deep.equal(['d/e'])
      expect((await req('/del-empty', 'HEAD')).status).to.equal(404)
    })

    it('answers JSON and XML as Accept asks', async () => {
      const j = await req('?bulk-delete', 'DELETE', { Accept: 'application/json' }, 'del/a\ndel/d/e\n')
      expect(j.headers.get('content-type')).to.equal('application/json')
      expect(await j.json()).to.deep.equal({ 'Response Status': '200 OK', 'Response Body': '', 'Number Deleted': 2, 'Number Not Found': 0, Errors: [] })
      const x = await req('?bulk-delete', 'DELETE', { Accept: 'text/xml' }, 'del/b%20c\ndel\n')
      expect(await x.text()).to.equal(
        '<delete>\n<number_deleted>2</number_deleted>\n<number_not_found>0</number_not_found>\n<response_body></response_body>\n<response_status>200 OK</response_status>\n<errors>\n</errors>\n</delete>\n',
      )
    })

    it("keeps Swift's limits: an empty list, a non-text body, too many names, a name too long", async () => {
      const report = async (body: string, extra: Record<string, string> = {}) => (await (await req('?bulk-delete', 'POST', { Accept: 'application/json', ...extra }, body)).json()) as Record<string, unknown>
      expect(await report('')).to.include({ 'Response Status': '400 Bad Request', 'Response Body': 'Invalid bulk delete.' })
      expect(await report('del/a', { 'Content-Type': 'application/json' })).to.include({ 'Response Status': '406 Not Acceptable' })
      expect(await report('x/y\n'.repeat(10001))).to.include({ 'Response Status': '413 Request Entity Too Large', 'Response Body': 'Maximum Bulk Deletes: 10000 per request' })
      expect(await report('a'.repeat(3000))).to.include({ 'Response Status': '400 Bad Request', 'Response Body': 'Invalid File Name' })
      expect(await names('del')).to.have.length(3)
    })

    it('a stack-versioned object is restored by a bulk delete, as by a DELETE', async () => {
      await req('/bv-v', 'PUT')
      await req('/bv', 'PUT', { 'X-Versions-Location': 'bv-v' })
      await req('/bv/o', 'PUT', {}, 'old')
      await req('/bv/o', 'PUT', {}, 'new')
      const r = await req('?bulk-delete', 'POST', { Accept: 'application/json' }, 'bv/o')
      expect(((await r.json()) as Record<string, unknown>)['Number Deleted']).to.equal(1)
      expect(await (await req('/bv/o')).text()).to.equal('old')
    })

    it('swift delete of a container uses bulk-delete', async function () {
      if (!existsSync('/usr/bin/swift')) {
        console.log('    (skipped: Debian python3-swiftclient is not installed)')
        this.skip()
      }
      this.timeout(120_000)
      const { stdout } = await run('/usr/bin/swift', ['-A', `${v.url}/auth/v1.0`, '-U', 'test:tester', '-K', 'testing', 'delete', 'del'])
      expect(stdout.split('\n').filter(Boolean).sort()).to.deep.equal(['a', 'b c', 'd/e', 'del'])
      expect((await req('/del', 'HEAD')).status).to.equal(404)
    })
  })

  it('/info lists bulk_upload and bulk_delete with their limits', async () => {
    const info = (await (await fetch(`${v.url}/info`)).json()) as Record<string, unknown>
    expect(info.bulk_upload).to.deep.equal({ max_containers_per_extraction: 10000, max_failed_extractions: 1000 })
    expect(info.bulk_delete).to.deep.equal({ max_deletes_per_request: 10000, max_failed_deletes: 1000 })
  })

  it('a long run sends whitespace heartbeats, then the report after a blank line', async () => {
    let finish: (o: { status: number; counts: Record<string, number>; errors: Array<[string, number]> }) => void = () => undefined
    const running = new Promise<{ status: number; counts: Record<string, number>; errors: Array<[string, number]> }>((resolve) => (finish = resolve))
    setTimeout(() => finish({ status: 200, counts: { 'Number Deleted': 1, 'Number Not Found': 0 }, errors: [] }), 130)
    const chunks: string[] = []
    for await (const c of heartbeatBody('application/xml', running, 'delete', 40)) chunks.push(c.toString())
    expect(chunks[0]).to.equal('<?xml version="1.0" encoding="UTF-8"?>\n')
    expect(chunks.slice(1, -1).every((c) => c === ' ')).to.equal(true)
    expect(chunks.at(-1)).to.match(/^\r\n\r\n<delete>\n<number_deleted>1<\/number_deleted>/)
  })
})
