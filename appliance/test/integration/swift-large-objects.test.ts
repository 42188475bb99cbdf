/**
 * Large objects over HTTP against a real appliance: SLO manifests (validation errors, GET and
 * HEAD of the assembled object, ranges across segment boundaries, conditionals, nested
 * manifests, multipart-manifest=get/delete, heartbeat), DLO manifests, segment authorization
 * as the caller, and the real clients writing segmented objects: `swift upload -S` with and
 * without --use-slo, and rclone with a small --swift-chunk-size.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startTestAppliance, type TestAppliance, type TestUser } from '../harness/test-appliance.js'

const run = promisify(execFile)
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex')
function skipWithReason(ctx: Mocha.Context, reason: string): void {
  console.log(`      skipped: ${reason}`)
  ctx.skip()
}
const READER: TestUser = { account: 'test', user: 'reader', key: 'readkey' }

describe('large objects (SLO, DLO)', function () {
  this.timeout(60_000)
  let velox: TestAppliance
  let token: string
  let base: string
  const seg: Buffer[] = [randomBytes(1000), randomBytes(1500), randomBytes(700)]
  const whole = Buffer.concat(seg)

  const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}, tok = token) =>
    fetch(`${base}${path}`, { ...init, headers: { 'X-Auth-Token': tok, ...(init.headers ?? {}) } })
  const manifest = (segments: unknown[]) => req('/c/slo?multipart-manifest=put', { method: 'PUT', body: JSON.stringify(segments) })

  before(async () => {
    velox = await startTestAppliance({ users: [{ account: 'test', user: 'tester', key: 'testing', admin: true }, READER] })
    ;({ token, storageUrl: base } = await velox.auth())
    for (const c of ['c', 'segs', 'private']) expect((await req(`/${c}`, { method: 'PUT' })).status).to.be.oneOf([201, 202])
    for (const [i, b] of seg.entries()) expect((await req(`/segs/s${i}`, { method: 'PUT', body: b })).status).to.equal(201)
    expect((await req('/private/p', { method: 'PUT', body: 'secret' })).status).to.equal(201)
  })
  after(() => velox.stop())

  const segList = () => seg.map((b, i) => ({ path: `/segs/s${i}`, etag: md5(b), size_bytes: b.length }))

  it('stores a manifest and serves the assembled object with Swift’s ETag and length', async () => {
    const put = await manifest(segList())
    expect(put.status).to.equal(201)
    const sloEtag = md5(seg.map(md5).join(''))
    expect(put.headers.get('etag')).to.equal(`"${sloEtag}"`)
    const head = await req('/c/slo', { method: 'HEAD' })
    expect(head.status).to.equal(200)
    expect(head.headers.get('etag')).to.equal(`"${sloEtag}"`)
    expect(head.headers.get('content-length')).to.equal(String(whole.length))
    expect(head.headers.get('x-static-large-object')).to.equal('True')
    expect([...head.headers.keys()].some((k) => k.includes('sysmeta'))).to.equal(false)
    const get = await req('/c/slo')
    expect(Buffer.from(await get.arrayBuffer()).equals(whole)).to.equal(true)
    expect(get.headers.get('x-manifest-etag')).to.match(/^[0-9a-f]{32}$/)
    const list = (await (await req('/c?format=json')).json()) as Array<Record<string, unknown>>
    expect(list[0]).to.include({ name: 'slo', bytes: whole.length, slo_etag: `"${sloEtag}"` })
    const xml = await (await req('/c?format=xml')).text()
    expect(xml).to.contain(`<hash>${list[0].hash}</hash>`)
    expect(xml).not.to.contain('slo_etag')
  })

  it('answers single and multiple ranges across segment boundaries', async () => {
    const r1 = await req('/c/slo', { headers: { Range: 'bytes=990-2510' } })
    expect(r1.status).to.equal(206)
    expect(r1.headers.get('content-range')).to.equal(`bytes 990-2510/${whole.length}`)
    expect(Buffer.from(await r1.arrayBuffer()).equals(whole.subarray(990, 2511))).to.equal(true)
    const suffix = await req('/c/slo', { headers: { Range: 'bytes=-800' } })
    expect(Buffer.from(await suffix.arrayBuffer()).equals(whole.subarray(whole.length - 800))).to.equal(true)
    const multi = await req('/c/slo', { headers: { Range: 'bytes=0-9,995-1004' } })
    expect(multi.status).to.equal(206)
    const text = Buffer.from(await multi.arrayBuffer()).toString('latin1')
    expect(text).to.include(whole.subarray(995, 1005).toString('latin1'))
    expect(multi.headers.get('content-type')).to.match(/^multipart\/byteranges;boundary=/)
    expect((await req('/c/slo', { headers: { Range: 'bytes=5000-' } })).status).to.equal(416)
  })

  it('evaluates conditionals against the SLO ETag', async () => {
    const etag = (await req('/c/slo', { method: 'HEAD' })).headers.get('etag') as string
    expect((await req('/c/slo', { headers: { 'If-None-Match': etag } })).status).to.equal(304)
    expect((await req('/c/slo', { headers: { 'If-Match': '"nope"' } })).status).to.equal(412)
    expect((await req('/c/slo', { headers: { 'If-Match': etag } })).status).to.equal(200)
  })

  it('returns the stored manifest with multipart-manifest=get, and the put form with format=raw', async () => {
    const r = await req('/c/slo?multipart-manifest=get')
    expect(r.headers.get('content-type')).to.equal('application/json; charset=utf-8')
    const body = (await r.json()) as Array<Record<string, unknown>>
    expect(body.map((s) => s.name)).to.deep.equal(['/segs/s0', '/segs/s1', '/segs/s2'])
    expect(body[0]).to.include.keys('bytes', 'hash', 'content_type', 'last_modified')
    const raw = await req('/c/slo?multipart-manifest=get&format=raw')
    const text = await raw.text()
    expect(JSON.parse(text)).to.deep.equal(segList())
    expect(raw.headers.get('etag')).to.equal(md5(text))
  })

  it('reports validation failures in Swift’s formats', async () => {
    const bad = await req('/c/bad?multipart-manifest=put', { method: 'PUT', body: JSON.stringify([{ path: 'segs/none' }, { path: 'segs/s0', size_bytes: 3 }, { path: 'segs/s1', etag: 'x' }]) })
    expect(bad.status).to.equal(400)
    expect(await bad.text()).to.equal('Errors:\nsegs/none, 404 Not Found\nsegs/s0, Size Mismatch\nsegs/s1, Etag Mismatch\n')
    const parse = await req('/c/bad?multipart-manifest=put', { method: 'PUT', body: JSON.stringify([{ path: 'segs' }, { path: 'segs/s0', range: '9-3' }, { path: 'c/bad' }, { data: 'aGk=' }, 5]) })
    expect(parse.status).to.equal(400)
    expect(await parse.text()).to.equal(
      'Index 0: path does not refer to an object. Path must be of the form /container/object.\nIndex 1: invalid range\nIndex 2: manifest must not include itself as a segment\nIndex 4: not a JSON object\n',
    )
    expect((await req('/c/bad?multipart-manifest=put', { method: 'PUT', body: 'nope' })).status).to.equal(400)
    const many = JSON.stringify(Array.from({ length: 1001 }, () => ({ path: 'segs/s0' })))
    expect((await req('/c/bad?multipart-manifest=put', { method: 'PUT', body: many })).status).to.equal(413)
    const json = await req('/c/bad?multipart-manifest=put', { method: 'PUT', headers: { Accept: 'application/json' }, body: JSON.stringify([{ path: 'segs/none' }]) })
    expect(await json.json()).to.deep.equal({ Errors: [['segs/none', '404 Not Found']] })
    expect((await req('/c/x', { method: 'PUT', headers: { 'X-Static-Large-Object': 'True' }, body: '' })).status).to.equal(400)
    const mismatch = await req('/c/bad?multipart-manifest=put', { method: 'PUT', headers: { Etag: 'deadbeef' }, body: JSON.stringify(segList()) })
    expect(mismatch.status).to.equal(422)
  })

  it('honours segment ranges, inline data and nested manifests', async () => {
    const inner = await req('/c/inner?multipart-manifest=put', { method: 'PUT', body: JSON.stringify([{ path: 'segs/s1', range: '100-199' }, { data: Buffer.from('XY').toString('base64') }]) })
    expect(inner.status).to.equal(201)
    const outer = await req('/c/outer?multipart-manifest=put', { method: 'PUT', body: JSON.stringify([{ path: 'segs/s0', range: '-10' }, { path: 'c/inner' }, { path: 'segs/s2' }]) })
    expect(outer.status).to.equal(201)
    const expected = Buffer.concat([seg[0].subarray(990), seg[1].subarray(100, 200), Buffer.from('XY'), seg[2]])
    const got = await req('/c/outer')
    expect(got.headers.get('content-length')).to.equal(String(expected.length))
    expect(Buffer.from(await got.arrayBuffer()).equals(expected)).to.equal(true)
    const part = await req('/c/outer', { headers: { Range: 'bytes=5-115' } })
    expect(Buffer.from(await part.arrayBuffer()).equals(expected.subarray(5, 116))).to.equal(true)
    const listed = (await (await req('/c/outer?multipart-manifest=get')).json()) as Array<Record<string, unknown>>
    expect(listed[1]).to.include({ name: '/c/inner', sub_slo: true, bytes: 102 })
  })

  it('reads segments with the caller’s own rights, and 409s when the first segment changed', async () => {
    const rtoken = (await velox.auth(READER)).token
    expect((await req('/c', { method: 'POST', headers: { 'X-Container-Read': 'test:reader' } })).status).to.equal(204)
    expect((await req('/c/priv?multipart-manifest=put', { method: 'PUT', body: JSON.stringify([{ path: 'private/p' }]) })).status).to.equal(201)
    expect((await req('/c/priv', {}, rtoken)).status).to.equal(409)
    expect((await req('/private', { method: 'POST', headers: { 'X-Container-Read': 'test:reader' } })).status).to.equal(204)
    expect(await (await req('/c/priv', {}, rtoken)).text()).to.equal('secret')
    expect((await req('/private/p', { method: 'PUT', body: 'changed' })).status).to.equal(201)
    expect((await req('/c/priv')).status).to.equal(409)
  })

  it('sends a heartbeat (202, whitespace, then the result) with heartbeat=on', async () => {
    const r = await req('/c/hb?multipart-manifest=put&heartbeat=on', { method: 'PUT', body: JSON.stringify(segList()) })
    expect(r.status).to.equal(202)
    const text = await r.text()
    expect(text).to.match(/^ \r\n\r\nEtag: "[0-9a-f]{32}"\nLast Modified: .+ GMT\nResponse Body: \nResponse Status: 201 Created\nErrors:\n$/)
    const bad = await req('/c/hb2?multipart-manifest=put&heartbeat=on', { method: 'PUT', body: JSON.stringify([{ path: 'segs/none' }]) })
    expect(await bad.text()).to.include('Response Status: 400 Bad Request\nErrors:\nsegs/none, 404 Not Found\n')
  })

  it('deletes a manifest with its segments (multipart-manifest=delete)', async () => {
    for (const [i, b] of seg.entries()) await req(`/segs/d${i}`, { method: 'PUT', body: b })
    await req('/c/del?multipart-manifest=put', { method: 'PUT', body: JSON.stringify(seg.map((_, i) => ({ path: `segs/d${i}` }))) })
    const r = await req('/c/del?multipart-manifest=delete', { method: 'DELETE', headers: { Accept: 'application/json' } })
    expect(r.status).to.equal(200)
    expect(await r.json()).to.deep.equal({ 'Response Status': '200 OK', 'Response Body': '', 'Number Deleted': 4, 'Number Not Found': 0, Errors: [] })
    for (const p of ['/c/del', '/segs/d0', '/segs/d2']) expect((await req(p, { method: 'HEAD' })).status).to.equal(404)
    const plain = await req('/segs/s0?multipart-manifest=delete', { method: 'DELETE' })
    expect(await plain.text()).to.equal('Number Deleted: 0\nNumber Not Found: 0\nResponse Body: \nResponse Status: 400 Bad Request\nErrors:\n/segs/s0, Not an SLO manifest\n')
  })

  it('assembles a DLO from its prefix listing', async () => {
    for (const [i, b] of seg.entries()) await req(`/segs/dlo/${String(i).padStart(3, '0')}`, { method: 'PUT', body: b })
    expect((await req('/c/dlo', { method: 'PUT', headers: { 'X-Object-Manifest': 'segs/dlo/' }, body: '' })).status).to.equal(201)
    const head = await req('/c/dlo', { method: 'HEAD' })
    expect(head.headers.get('x-object-manifest')).to.equal('segs/dlo/')
    expect(head.headers.get('etag')).to.equal(`"${md5(seg.map(md5).join(''))}"`)
    expect(head.headers.get('content-length')).to.equal(String(whole.length))
    expect(Buffer.from(await (await req('/c/dlo')).arrayBuffer()).equals(whole)).to.equal(true)
    const r = await req('/c/dlo', { headers: { Range: 'bytes=999-2500' } })
    expect(r.status).to.equal(206)
    expect(Buffer.from(await r.arrayBuffer()).equals(whole.subarray(999, 2501))).to.equal(true)
    const raw = await req('/c/dlo?multipart-manifest=get')
    expect(raw.headers.get('content-length')).to.equal('0')
    expect((await req('/c/dlo2', { method: 'PUT', headers: { 'X-Object-Manifest': 'nocontainer' }, body: '' })).status).to.equal(400)
  })

  describe('with real clients', function () {
    let work: string
    const big = randomBytes(3 * 1024 * 1024 + 12345)
    before(function () {
      work = mkdtempSync(join(tmpdir(), 'velox-lo-'))
      writeFileSync(join(work, 'big.bin'), big)
    })
    after(() => rmSync(work, { recursive: true, force: true }))

    const swift = (...args: string[]) => run('/usr/bin/swift', ['-A', `${velox.url}/auth/v1.0`, '-U', 'test:tester', '-K', 'testing', ...args], { cwd: work })

    for (const slo of [true, false]) {
      it(`swift upload -S 1048576 ${slo ? '--use-slo' : '(DLO)'} round-trips byte-identical`, async function () {
        if (!existsSync('/usr/bin/swift')) return skipWithReason(this, '/usr/bin/swift (python3-swiftclient) is not installed')
        const name = slo ? 'slo-cli' : 'dlo-cli'
        await run('/usr/bin/swift', ['-A', `${velox.url}/auth/v1.0`, '-U', 'test:tester', '-K', 'testing', 'upload', '-S', '1048576', ...(slo ? ['--use-slo'] : []), '--object-name', name, 'cli', 'big.bin'], { cwd: work })
        const { stdout } = await swift('stat', 'cli', name)
        expect(stdout).to.match(new RegExp(`Content Length: ${big.length}`))
        if (slo) expect(stdout).to.match(/X-Static-Large-Object: True/)
        else expect(stdout).to.match(new RegExp(`Manifest: cli_segments/${name}/`))
        await swift('download', 'cli', name, '-o', join(work, `${name}.out`))
        expect(md5(readFileSync(join(work, `${name}.out`)))).to.equal(md5(big))
        const segs = await swift('list', 'cli_segments', '--prefix', `${name}/`)
        expect(segs.stdout.trim().split('\n')).to.have.length(4)
      })
    }

    it('rclone with --swift-chunk-size 1M writes segments; check and cat agree', async function () {
      if (!existsSync('/usr/bin/rclone')) return skipWithReason(this, '/usr/bin/rclone is not installed')
      const remote = `:swift,auth='${velox.url}/auth/v1.0',user='test:tester',key='testing':`
      const rc = (...args: string[]) => run('/usr/bin/rclone', ['--config', '/dev/null', '--swift-chunk-size', '1M', ...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' })
      await rc('copy', join(work, 'big.bin'), `${remote}rc`)
      const segs = (await (await req('/rc_segments?format=json')).json()) as unknown[]
      expect(segs.length).to.be.greaterThan(1)
      const head = await req('/rc/big.bin', { method: 'HEAD' })
      expect(head.headers.get('content-length')).to.equal(String(big.length))
      expect(head.headers.get('x-object-manifest') ?? head.headers.get('x-static-large-object')).to.be.a('string')
      await rc('check', work, `${remote}rc`, '--include', 'big.bin')
      const { stdout } = await rc('cat', `${remote}rc/big.bin`)
      expect(md5(stdout as unknown as Buffer)).to.equal(md5(big))
    })
  })
})
