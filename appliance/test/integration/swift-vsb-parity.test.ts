/**
 * Differential tests for versioned_writes, symlink and bulk: one script of requests runs
 * against Velox (a test appliance in process) and a real Swift 2.30 all-in-one
 * (harness/saio.ts); each step records the status, the headers these features own, and the
 * body after normalizing what differs between two clusters (timestamps, the policy name).
 * The two transcripts must be equal. Archives are made with Debian's tar.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { saioUnavailableReason, startSaio, type Saio } from '../harness/saio.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const run = promisify(execFile)

const HEADERS = ['content-type', 'content-location', 'x-versions-location', 'x-history-location', 'x-symlink-target', 'x-symlink-target-account', 'x-symlink-target-etag', 'x-symlink-target-bytes', 'location', 'etag']

type Step = [label: string, method: string, path: string, headers?: Record<string, string>, body?: string | Buffer]

function normalize(text: string): string {
  return text
    .replace(/\d{10}\.\d{5}/g, 'TS')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}/g, 'DATE')
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'URL')
}

async function transcript(storageUrl: string, token: string, steps: Step[]): Promise<string[]> {
  const out: string[] = []
  for (const [label, method, path, headers = {}, body] of steps) {
    const r = await fetch(`${storageUrl}${path}`, { method, headers: { 'X-Auth-Token': token, ...headers }, body, redirect: 'manual' })
    const text = await r.text()
    const kept = HEADERS.filter((h) => r.headers.has(h)).map((h) => `${h}: ${r.headers.get(h)}`)
    out.push(normalize(`${label} → ${r.status} ${kept.join(' | ')}\n${text}`))
  }
  return out
}

describe('versioned_writes, symlink and bulk against the real Swift', function () {
  this.timeout(300_000)
  let saio: Saio | undefined
  let velox: TestAppliance
  let work: string
  const archives: Record<string, Buffer> = {}

  before(async function () {
    const why = saioUnavailableReason()
    if (why) {
      console.log(`    (skipped: ${why})`)
      this.skip()
    }
    work = mkdtempSync(join(tmpdir(), 'velox-vsb-'))
    const tree = join(work, 'tree')
    for (const [rel, data] of [['c1/a.txt', 'hello\n'], ['c1/sub/b.json', '{}\n'], ['c2/c.html', 'x\n'], ['top.txt', 'top\n']]) {
      mkdirSync(join(tree, rel, '..'), { recursive: true })
      writeFileSync(join(tree, rel), data)
    }
    for (const [name, flag] of [['tar', ''], ['tar.gz', 'z'], ['tar.bz2', 'j']]) {
      await run('tar', [`-c${flag}f`, join(work, name), '-C', tree, 'c1', 'c2', 'top.txt'])
      archives[name] = readFileSync(join(work, name))
    }
    ;[saio, velox] = await Promise.all([startSaio({ replicas: 1 }), startTestAppliance()])
  })
  after(async () => {
    await Promise.all([saio?.stop(), velox?.stop()])
    if (work) rmSync(work, { recursive: true, force: true })
  })

  async function compare(steps: Step[]): Promise<void> {
    const a = await saio!.auth()
    const b = await velox.auth()
    const [swift, ours] = await Promise.all([transcript(a.storageUrl, a.token, steps), transcript(b.storageUrl, b.token, steps)])
    for (let i = 0; i < steps.length; i++) expect(ours[i], steps[i][0]).to.equal(swift[i])
  }

  it('/info sections are the same', async () => {
    const pick = (i: Record<string, unknown>) => JSON.stringify([i.versioned_writes, i.symlink, i.bulk_upload, i.bulk_delete])
    const [x, y] = await Promise.all([fetch(`${saio!.url}/info`), fetch(`${velox.url}/info`)].map(async (p) => pick((await (await p).json()) as Record<string, unknown>)))
    expect(y).to.equal(x)
  })

  it('versioning: headers, stack and history modes, the missing versions container', async () => {
    const list = (c: string): Step => [`list ${c}`, 'GET', `/${c}?format=json`]
    await compare([
      ['versions container', 'PUT', '/pv'],
      ['both locations', 'PUT', '/pc', { 'X-Versions-Location': 'pv', 'X-History-Location': 'pv' }],
      ['slash', 'PUT', '/pc', { 'X-Versions-Location': 'p/v' }],
      ['stack', 'PUT', '/pc', { 'X-Versions-Location': 'pv', 'X-Versions-Mode': 'history' }],
      ['head', 'HEAD', '/pc'],
      ['put 1', 'PUT', '/pc/o', { 'Content-Type': 'text/x-1' }, '1'],
      ['put 2', 'PUT', '/pc/o', { 'Content-Type': 'text/x-2' }, '22'],
      ['put 3', 'PUT', '/pc/o', {}, '333'],
      list('pv'),
      ['delete pops', 'DELETE', '/pc/o'],
      ['get', 'GET', '/pc/o'],
      ['history', 'POST', '/pc', { 'X-History-Location': 'pv' }],
      ['head', 'HEAD', '/pc'],
      ['delete pushes', 'DELETE', '/pc/o'],
      ['delete missing', 'DELETE', '/pc/o'],
      list('pv'),
      ['back to stack', 'POST', '/pc', { 'X-Versions-Location': 'pv' }],
      ['delete behind marker', 'DELETE', '/pc/o'],
      ['get restored', 'GET', '/pc/o'],
      list('pv'),
      ['orphan', 'PUT', '/po', { 'X-Versions-Location': 'absent' }],
      ['orphan put', 'PUT', '/po/o', {}, 'a'],
      ['orphan overwrite', 'PUT', '/po/o', {}, 'b'],
      ['remove', 'POST', '/pc', { 'X-Remove-History-Location': 'x' }],
      ['head', 'HEAD', '/pc'],
    ])
  })

  it('symlinks: PUT checks, following, symlink=get, loops, static links, listings, POST', async () => {
    await compare([
      ['container', 'PUT', '/ps'],
      ['target', 'PUT', '/ps/t', { 'Content-Type': 'text/x-t' }, 'target'],
      ['body', 'PUT', '/ps/l', { 'X-Symlink-Target': 'ps/t' }, 'x'],
      ['leading slash', 'PUT', '/ps/l', { 'X-Symlink-Target': '/ps/t' }],
      ['no object', 'PUT', '/ps/l', { 'X-Symlink-Target': 'ps' }],
      ['itself', 'PUT', '/ps/l', { 'X-Symlink-Target': 'ps/l' }],
      ['account slash', 'PUT', '/ps/l', { 'X-Symlink-Target': 'ps/t', 'X-Symlink-Target-Account': 'a/b' }],
      ['link', 'PUT', '/ps/l', { 'X-Symlink-Target': 'ps/t' }],
      ['link 2', 'PUT', '/ps/l2', { 'X-Symlink-Target': 'ps/l', 'X-Symlink-Target-Account': 'AUTH_test' }],
      ['link 3', 'PUT', '/ps/l3', { 'X-Symlink-Target': 'ps/l2' }],
      ['dangling', 'PUT', '/ps/d', { 'X-Symlink-Target': 'ps/none' }],
      ['get', 'GET', '/ps/l'],
      ['range', 'GET', '/ps/l', { Range: 'bytes=1-3' }],
      ['head 2 hops', 'HEAD', '/ps/l2'],
      ['3 hops', 'GET', '/ps/l3'],
      ['dangling get', 'GET', '/ps/d'],
      ['symlink=get', 'GET', '/ps/l2?symlink=get'],
      ['static wrong', 'PUT', '/ps/st', { 'X-Symlink-Target': 'ps/t', 'X-Symlink-Target-Etag': 'deadbeef' }],
      ['static missing', 'PUT', '/ps/st', { 'X-Symlink-Target': 'ps/none', 'X-Symlink-Target-Etag': 'deadbeef' }],
      ['static quoted', 'PUT', '/ps/st', { 'X-Symlink-Target': 'ps/t', 'X-Symlink-Target-Etag': '"42aefbae01d2dfd981f7da7d823d689e"' }],
      ['static symlink=get', 'HEAD', '/ps/st?symlink=get'],
      ['static get', 'GET', '/ps/st'],
      ['static ok', 'PUT', '/ps/st', { 'X-Symlink-Target': 'ps/t', 'X-Symlink-Target-Etag': '42aefbae01d2dfd981f7da7d823d689e' }],
      ['target changes', 'PUT', '/ps/t', {}, 'changed'],
      ['static after change', 'GET', '/ps/st'],
      ['listing json', 'GET', '/ps?format=json'],
      ['listing xml', 'GET', '/ps?format=xml'],
      ['post', 'POST', '/ps/l', { 'X-Object-Meta-K': 'v' }],
      ['post target header', 'POST', '/ps/l', { 'X-Symlink-Target': 'ps/t' }],
    ])
  })

  it('bulk: extract-archive in three compressions and formats, errors, bulk-delete reports', async () => {
    await compare([
      ['tar', 'PUT', '?extract-archive=tar', {}, archives.tar],
      ['tar.gz json', 'PUT', '/bx?extract-archive=tar.gz', { Accept: 'application/json' }, archives['tar.gz']],
      ['tar.bz2 xml', 'PUT', '/by/pre/?extract-archive=tar.bz2', { Accept: 'application/xml', 'X-Object-Meta-Via': 'bulk' }, archives['tar.bz2']],
      ['listing', 'GET', '/by'],
      ['meta', 'HEAD', '/by/pre/c1/a.txt'],
      ['garbage', 'PUT', '?extract-archive=tar', {}, 'garbage'.repeat(100)],
      ['not gzip', 'PUT', '?extract-archive=tar.gz', {}, archives.tar],
      ['not bzip2', 'PUT', '?extract-archive=tar.bz2', {}, 'garbage'.repeat(100)],
      ['empty', 'PUT', '?extract-archive=tar', {}, ''],
      ['unsupported', 'PUT', '?extract-archive=zip', {}, 'x'],
      ['accept', 'PUT', '?extract-archive=tar', { Accept: 'image/png' }, archives.tar],
      ['delete', 'POST', '?bulk-delete', {}, 'c1\nc1/a.txt\n/c2/c.html\nc2\nnope/x\n'],
      ['delete xml', 'DELETE', '?bulk-delete', { Accept: 'application/xml' }, 'c1/sub/b.json\nc1\n'],
      ['delete json empty', 'POST', '?bulk-delete', { Accept: 'application/json' }, ''],
      ['delete content type', 'POST', '?bulk-delete', { 'Content-Type': 'application/json' }, 'x'],
      ['too many', 'POST', '?bulk-delete', {}, 'a/b\n'.repeat(10001)],
      ['too long', 'POST', '?bulk-delete', {}, 'a'.repeat(3000)],
      ['quoted', 'POST', '?bulk-delete', { Accept: 'text/xml' }, 'bx\n%62x/c1/a.txt\nbx/c1/sub/b.json\nbx/c2/c.html\nbx/top.txt\n'],
    ])
  })
})
