/**
 * Differential tests for FormPost: the same multipart/form-data POSTs (fixed boundary, built
 * by hand, signed per target since the account path differs) go to Velox (a test appliance in
 * process) and a real Swift 2.30 all-in-one (harness/saio.ts, whose proxy loads formpost right
 * after tempurl); status, Location (its status/message query), content type and body must
 * match after normalizing the host and account. The uploaded objects are then read back.
 */
import { expect } from 'chai'
import { createHmac } from 'node:crypto'
import { saioUnavailableReason, startSaio, type Saio } from '../harness/saio.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const KEY = 'formpost-parity-key'
const BOUNDARY = '----VeloxFormPostParity7MA4YWxkTrZu0gW'

interface Target {
  storageUrl: string
  token: string
  /** /v1/<account>, what the signature is computed over (plus /<container>[/<prefix>]). */
  path: string
}

interface Form {
  redirect?: string
  maxFileSize: number
  maxFileCount: number
  expires: number
  /** 'sha1' (hex), 'sha256' (`sha256:<base64>`) or 'bad'. */
  sign: 'sha1' | 'sha256' | 'bad'
  files: Array<{ name: string; type: string; data: string }>
}

function signature(f: Form, path: string): string {
  const body = [path, f.redirect ?? '', f.maxFileSize, f.maxFileCount, f.expires].join('\n')
  if (f.sign === 'sha256') return `sha256:${createHmac('sha256', KEY).update(body).digest('base64')}`
  const hex = createHmac('sha1', KEY).update(body).digest('hex')
  return f.sign === 'bad' ? hex.replace(/^./, (c) => (c === '0' ? '1' : '0')) : hex
}

function multipart(f: Form, path: string): Buffer {
  const field = (name: string, value: string | number) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  let s = ''
  if (f.redirect !== undefined) s += field('redirect', f.redirect)
  s += field('max_file_size', f.maxFileSize) + field('max_file_count', f.maxFileCount) + field('expires', f.expires) + field('signature', signature(f, path))
  f.files.forEach((file, i) => {
    s += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file${i + 1}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n${file.data}\r\n`
  })
  return Buffer.from(`${s}--${BOUNDARY}--\r\n`)
}

function normalize(text: string): string {
  return text.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'URL').replace(/\/v1\/[^/\s"]+/g, '/v1/ACCOUNT')
}

async function post(t: Target, container: string, f: Form): Promise<string> {
  const r = await fetch(`${t.storageUrl}/${container}`, {
    method: 'POST',
    headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipart(f, `${t.path}/${container}`),
    redirect: 'manual',
  })
  const body = await r.text()
  if (r.status === 303) {
    const loc = new URL(r.headers.get('location') as string)
    return `303 ${loc.origin}${loc.pathname} status=${loc.searchParams.get('status')} message=${loc.searchParams.get('message')}`
  }
  return normalize(`${r.status} ${r.headers.get('content-type')}\n${body}`)
}

async function get(t: Target, path: string): Promise<string> {
  const r = await fetch(`${t.storageUrl}/${path}`, { headers: { 'X-Auth-Token': t.token } })
  return `${r.status} ${r.status === 200 ? r.headers.get('content-type') : ''}\n${r.status === 200 ? await r.text() : ''}`
}

describe('FormPost against the real Swift', function () {
  this.timeout(300_000)
  let saio: Saio | undefined
  let velox: TestAppliance
  let targets: Target[]

  before(async function () {
    const why = saioUnavailableReason()
    if (why) {
      console.log(`    (skipped: ${why})`)
      this.skip()
    }
    ;[saio, velox] = await Promise.all([startSaio({ replicas: 1 }), startTestAppliance()])
    targets = []
    for (const a of [await saio.auth(), await velox.auth()]) {
      const t = { ...a, path: new URL(a.storageUrl).pathname }
      for (const [method, path, headers] of [
        ['POST', '', { 'X-Account-Meta-Temp-URL-Key': KEY }],
        ['PUT', '/fp', {}],
      ] as const) {
        const r = await fetch(`${t.storageUrl}${path}`, { method, headers: { 'X-Auth-Token': t.token, ...headers } })
        expect(r.status, `${method} ${path}`).to.be.within(200, 299)
      }
      targets.push(t)
    }
  })
  after(async () => {
    await Promise.all([saio?.stop(), velox?.stop()])
  })

  /** Runs `fn` on Swift then Velox and expects the same answers; returns Swift's. */
  async function same(label: string, fn: (t: Target) => Promise<string>): Promise<string> {
    const [swift, ours] = [await fn(targets[0]), await fn(targets[1])]
    expect(ours, label).to.equal(swift)
    return swift
  }

  it('Swift loads formpost (so the comparisons below mean something)', async () => {
    const info = (await (await fetch(`${saio!.url}/info`)).json()) as Record<string, unknown>
    expect(info).to.have.property('formpost')
  })

  const later = () => Math.floor(Date.now() / 1000) + 600
  /** What Swift answers, pinned so that both failing alike cannot pass. */
  const expected: Record<string, string> = {
    'valid upload with redirect': '303 http://example.com/done status=201 message=',
    'valid upload without redirect': '201 text/plain\n201 Created',
    'max_file_size exceeded': '400 text/plain\nFormPost: max_file_size exceeded',
    'max_file_count exceeded': '400 text/plain\n400 Bad Request\r\nFormPost: Max File Count Exceeded',
    'expired form': '401 text/html; charset=UTF-8\nFormPost: Form Expired',
    'bad signature': '401 text/html; charset=UTF-8\nFormPost: Invalid Signature',
  }
  const cases: Array<[string, () => Form]> = [
    ['valid upload with redirect', () => ({ redirect: 'http://example.com/done', maxFileSize: 1024, maxFileCount: 2, expires: later(), sign: 'sha1', files: [{ name: 'r1.txt', type: 'text/plain', data: 'hello redirect\n' }, { name: 'r2.json', type: 'application/json', data: '{"a":1}' }] })],
    ['valid upload without redirect', () => ({ maxFileSize: 1024, maxFileCount: 1, expires: later(), sign: 'sha1', files: [{ name: 'plain.bin', type: 'application/x-velox-test', data: 'binary-ish data' }] })],
    ['sha256 signature', () => ({ maxFileSize: 1024, maxFileCount: 1, expires: later(), sign: 'sha256', files: [{ name: 'sha256.html', type: 'text/html', data: '<p>x</p>' }] })],
    ['sha256 with redirect carrying a query', () => ({ redirect: 'http://example.com/done?x=1', maxFileSize: 1024, maxFileCount: 1, expires: later(), sign: 'sha256', files: [{ name: 'q.txt', type: 'text/plain', data: 'q' }] })],
    ['max_file_size exceeded', () => ({ maxFileSize: 10, maxFileCount: 1, expires: later(), sign: 'sha1', files: [{ name: 'big.txt', type: 'text/plain', data: 'x'.repeat(100) }] })],
    ['max_file_size exceeded with redirect', () => ({ redirect: 'http://example.com/done', maxFileSize: 10, maxFileCount: 1, expires: later(), sign: 'sha1', files: [{ name: 'big2.txt', type: 'text/plain', data: 'x'.repeat(100) }] })],
    ['max_file_count exceeded', () => ({ maxFileSize: 1024, maxFileCount: 1, expires: later(), sign: 'sha1', files: [{ name: 'c1.txt', type: 'text/plain', data: 'one' }, { name: 'c2.txt', type: 'text/plain', data: 'two' }] })],
    ['max_file_count exceeded with redirect', () => ({ redirect: 'http://example.com/done', maxFileSize: 1024, maxFileCount: 1, expires: later(), sign: 'sha1', files: [{ name: 'd1.txt', type: 'text/plain', data: 'one' }, { name: 'd2.txt', type: 'text/plain', data: 'two' }] })],
    ['expired form', () => ({ maxFileSize: 1024, maxFileCount: 1, expires: Math.floor(Date.now() / 1000) - 60, sign: 'sha1', files: [{ name: 'expired.txt', type: 'text/plain', data: 'late' }] })],
    ['bad signature', () => ({ maxFileSize: 1024, maxFileCount: 1, expires: later(), sign: 'bad', files: [{ name: 'badsig.txt', type: 'text/plain', data: 'nope' }] })],
    ['bad signature with redirect', () => ({ redirect: 'http://example.com/done', maxFileSize: 1024, maxFileCount: 1, expires: later(), sign: 'bad', files: [{ name: 'badsig2.txt', type: 'text/plain', data: 'nope' }] })],
  ]
  for (const [label, form] of cases) {
    it(label, async () => {
      const f = form()
      const swift = await same(label, (t) => post(t, 'fp', f))
      if (label in expected) expect(swift, `Swift's answer to ${label}`).to.equal(expected[label])
    })
  }

  it('the uploaded objects (and only those) are the same', async () => {
    expect(await same('GET r1.txt', (t) => get(t, 'fp/r1.txt'))).to.equal('200 text/plain\nhello redirect\n')
    for (const name of ['r1.txt', 'r2.json', 'plain.bin', 'sha256.html', 'q.txt', 'big.txt', 'big2.txt', 'c1.txt', 'c2.txt', 'd1.txt', 'd2.txt', 'expired.txt', 'badsig.txt', 'badsig2.txt']) {
      await same(`GET ${name}`, (t) => get(t, `fp/${name}`))
    }
    await same('listing', async (t) => {
      const r = await fetch(`${t.storageUrl}/fp?format=json`, { headers: { 'X-Auth-Token': t.token } })
      return JSON.stringify(((await r.json()) as Array<{ name: string; bytes: number; content_type: string }>).map((o) => [o.name, o.bytes, o.content_type]))
    })
  })
})
