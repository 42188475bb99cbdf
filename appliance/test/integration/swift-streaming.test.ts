/**
 * The bulk data path under concurrency: large bodies are hashed on a worker thread and read
 * into pooled 1 MiB buffers that the response writer gives back once the socket has taken
 * them. Many simultaneous PUTs and GETs of distinct multi-MiB objects (and SLOs made of them),
 * with slow readers and clients that hang up midway, must all store and return exactly their
 * own bytes; a corrupted replica is still caught by the MD5 check on a whole read.
 */
import { expect } from 'chai'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readlink, truncate, writeFile, readFile } from 'node:fs/promises'
import http from 'node:http'
import { join } from 'node:path'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const MiB = 1024 * 1024
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex')

/** GET with a reader that pauses `pauseMs` after every `every` bytes; aborts after `abortAfter`. */
function slowGet(url: string, token: string, opts: { pauseMs?: number; every?: number; abortAfter?: number; abortDelayMs?: number } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'X-Auth-Token': token } }, (res) => {
      const parts: Buffer[] = []
      let got = 0
      let sincePause = 0
      let hangingUp = false
      res.on('data', (c: Buffer) => {
        if (hangingUp) return
        parts.push(c)
        got += c.length
        sincePause += c.length
        if (opts.abortAfter !== undefined && got >= opts.abortAfter) {
          // With a delay, the server is held by backpressure meanwhile, then sees the hang-up.
          hangingUp = true
          res.pause()
          setTimeout(() => {
            req.destroy()
            resolve(Buffer.concat(parts))
          }, opts.abortDelayMs ?? 0)
          return
        }
        if (opts.pauseMs && sincePause >= (opts.every ?? MiB)) {
          sincePause = 0
          res.pause()
          setTimeout(() => res.resume(), opts.pauseMs)
        }
      })
      res.on('end', () => resolve(Buffer.concat(parts)))
      res.on('error', reject)
    })
    req.on('error', (err) => (opts.abortAfter !== undefined ? undefined : reject(err)))
  })
}

describe('bulk data path under concurrency (hashing thread, pooled read buffers)', function () {
  this.timeout(120_000)
  let velox: TestAppliance
  let token: string
  let base: string
  const bodies = Array.from({ length: 10 }, (_, i) => randomBytes(3 * MiB + i * 123_457))

  before(async () => {
    velox = await startTestAppliance()
    ;({ token, storageUrl: base } = await velox.auth())
    await fetch(`${base}/s`, { method: 'PUT', headers: { 'X-Auth-Token': token } })
  })
  after(() => velox.stop())

  it('stores ten multi-MiB objects PUT at once, each with its own MD5 as ETag', async () => {
    const puts = await Promise.all(bodies.map((b, i) => fetch(`${base}/s/o${i}`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: b })))
    expect(puts.map((r) => r.status)).to.deep.equal(bodies.map(() => 201))
    expect(puts.map((r) => r.headers.get('etag'))).to.deep.equal(bodies.map(md5))
    // A chunked body (no Content-Length) of several MiB is hashed the same way.
    const chunked = new ReadableStream({
      start(c) {
        for (let at = 0; at < bodies[0].length; at += 100_000) c.enqueue(bodies[0].subarray(at, at + 100_000))
        c.close()
      },
    })
    const r = await fetch(`${base}/s/chunked`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: chunked, duplex: 'half' } as RequestInit)
    expect(r.status).to.equal(201)
    expect(r.headers.get('etag')).to.equal(md5(bodies[0]))
  })

  it('returns every object byte-exact to many readers at once, slow and fast, while others hang up midway', async () => {
    const reads: Array<Promise<[number, Buffer | undefined]>> = []
    for (let round = 0; round < 3; round++) {
      for (const [i] of bodies.entries()) {
        const slow = (i + round) % 3 === 0
        reads.push(slowGet(`${base}/s/o${i}`, token, slow ? { pauseMs: 30, every: 2 * MiB } : {}).then((b) => [i, b]))
        if (i % 4 === round) reads.push(slowGet(`${base}/s/o${i}`, token, { abortAfter: MiB + 5 }).then(() => [i, undefined]))
      }
    }
    for (const [i, got] of await Promise.all(reads)) if (got) expect(md5(got), `o${i}`).to.equal(md5(bodies[i]))
  })

  it('assembles an SLO of the objects byte-exact, twice in parallel', async () => {
    const manifest = bodies.slice(0, 6).map((b, i) => ({ path: `/s/o${i}`, etag: md5(b), size_bytes: b.length }))
    const put = await fetch(`${base}/s/slo?multipart-manifest=put`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: JSON.stringify(manifest) })
    expect(put.status).to.equal(201)
    const whole = md5(Buffer.concat(bodies.slice(0, 6)))
    const [a, b] = await Promise.all([slowGet(`${base}/s/slo`, token, { pauseMs: 20, every: 4 * MiB }), slowGet(`${base}/s/slo`, token)])
    expect(md5(a)).to.equal(whole)
    expect(md5(b)).to.equal(whole)
  })

  it('reads the next SLO segment ahead (beyond the 8 MiB read-ahead too), byte-exact, and no data file stays open after clients hung up mid-SLO', async () => {
    const big = [randomBytes(10 * MiB + 17), randomBytes(9 * MiB), randomBytes(12345)]
    for (const [i, b] of big.entries()) expect((await fetch(`${base}/s/big${i}`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: b })).status).to.equal(201)
    const manifest = big.map((b, i) => ({ path: `/s/big${i}`, etag: md5(b), size_bytes: b.length }))
    expect((await fetch(`${base}/s/bigslo?multipart-manifest=put`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: JSON.stringify(manifest) })).status).to.equal(201)
    // Descriptors of object data files (sockets come and go with the clients' pools).
    const fds = async () => {
      const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')))
      return links.filter((l) => l.endsWith('.data')).length
    }
    const before = await fds()
    const whole = md5(Buffer.concat(big))
    const gets = [slowGet(`${base}/s/bigslo`, token), slowGet(`${base}/s/bigslo`, token, { pauseMs: 20, every: 4 * MiB })]
    // Hang up in the first segment (the second is being read ahead), and in the second.
    const aborts = [MiB, 5 * MiB, 12 * MiB, 15 * MiB].map((n) => slowGet(`${base}/s/bigslo`, token, { abortAfter: n, abortDelayMs: 300 }))
    const [a, b] = await Promise.all(gets)
    await Promise.all(aborts)
    expect(md5(a)).to.equal(whole)
    expect(md5(b)).to.equal(whole)
    let after = await fds()
    for (let i = 0; i < 10 && after > before; i++) {
      await new Promise((r) => setTimeout(r, 100))
      after = await fds()
    }
    expect(after).to.be.at.most(before)
  })

  it('still catches a replica whose bytes changed on disk (same size) on a whole read', async () => {
    const body = randomBytes(5 * MiB)
    expect((await fetch(`${base}/s/victim`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body })).status).to.equal(201)
    // Flip bytes in the last MiB of every replica's data file: each whole read must fail.
    const files = await dataFiles(velox.dataDir)
    const victims = []
    for (const f of files) {
      const b = await readFile(f)
      if (b.length === body.length && b.equals(body)) victims.push(f)
    }
    expect(victims).to.have.length(3)
    for (const f of victims) {
      const b = await readFile(f)
      b[b.length - 10] ^= 0xff
      await writeFile(f, b)
    }
    const got = await slowGet(`${base}/s/victim`, token).catch((err: Error) => err)
    // The body is cut before its last bytes: never a clean response with changed bytes.
    if (Buffer.isBuffer(got)) expect(got.length).to.be.lessThan(body.length)
    await truncate(victims[0], 0).catch(() => undefined)
  })
})

async function dataFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.data')) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
  }
  return out
}
