/**
 * Issue 11, item 6: slow and idle clients against the real `velox serve` (child process) with
 * lowered limits so that it is quick: bodies silent for 2 s, heads for 2 s, 20 unauthenticated
 * connections per client address, and an open-file limit of 256 (ulimit -n). Other clients
 * are other loopback addresses (127.0.0.x), so the bound per address can be seen.
 */
import { expect } from 'chai'
import { readdirSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { head, rawRequest } from '../harness/raw-http.js'
import { startServeProcess, type ServeProcess } from '../harness/serve-process.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const FD_LIMIT = 256

describe('slow and idle clients (issue 11, item 6)', function () {
  this.timeout(90_000)
  let v: ServeProcess
  let token: string
  let acct: string
  let port: number

  before(async () => {
    v = await startServeProcess({ ulimitNoFile: FD_LIMIT, config: { connections: { bodyIdleSec: 2, headersTimeoutSec: 2, unauthenticatedPerClient: 20 } } })
    const a = await v.auth()
    token = a.token
    acct = new URL(a.storageUrl).pathname
    port = Number(new URL(v.url).port)
    expect((await fetch(`${a.storageUrl}/c`, { method: 'PUT', headers: { 'X-Auth-Token': token } })).status).to.equal(201)
  })
  after(() => v?.stop())

  const fds = () => readdirSync(`/proc/${v.child.pid}/fd`).length

  it('answers 408 to a body silent for bodyIdleSec, on the Swift API and on sign-in', async () => {
    const started = Date.now()
    const [put, signIn] = await Promise.all([
      rawRequest(v.url, [head('PUT', `${acct}/c/idle`, [['Host', 'x'], ['X-Auth-Token', token], ['Content-Length', '1000']]), 'x'.repeat(10)], { timeoutMs: 10_000 }),
      rawRequest(v.url, [head('POST', '/api/session', [['Host', 'x'], ['Content-Type', 'application/json'], ['Content-Length', '100']]), '{'], { timeoutMs: 10_000 }),
    ])
    expect(put.status).to.equal(408)
    expect(signIn.status).to.equal(408)
    expect(Date.now() - started).to.be.within(1900, 9000)
    expect((await fetch(`${v.url}${acct}/c/idle`, { headers: { 'X-Auth-Token': token } })).status).to.equal(404)
  })

  it('never cuts an upload that keeps moving, however slowly (one byte every 0.5 s for 3× the idle time)', async () => {
    const body = 'slow-but-moving'
    const socket = connect({ host: '127.0.0.1', port })
    await new Promise((r) => socket.once('connect', r))
    const answer = new Promise<string>((resolve) => {
      let got = ''
      socket.on('data', (d: Buffer) => (got += d.toString()))
      socket.on('close', () => resolve(got))
    })
    socket.write(head('PUT', `${acct}/c/slow`, [['Host', 'x'], ['X-Auth-Token', token], ['Content-Length', String(body.length)], ['Connection', 'close']]))
    for (const ch of body) {
      await sleep(500)
      socket.write(ch)
    }
    expect(await answer).to.match(/^HTTP\/1\.1 201 /)
    expect(await (await fetch(`${v.url}${acct}/c/slow`, { headers: { 'X-Auth-Token': token } })).text()).to.equal(body)
  })

  it('closes a connection whose head does not arrive within headersTimeoutSec', async () => {
    const started = Date.now()
    const r = await rawRequest(v.url, ['GET /healthcheck HTTP/1.1\r\nHost: x\r\n'], { timeoutMs: 10_000 })
    expect(r.closed).to.equal(true)
    expect(r.status).to.equal(408)
    expect(Date.now() - started).to.be.within(1500, 9000)
  })

  it('a slowloris of 1,000 connections from one address: 20 held, the rest refused, under the fd limit, others served', async () => {
    const sockets: Socket[] = []
    let refused = 0
    let maxFds = 0
    const fdsBefore = fds()
    try {
      await Promise.all(
        Array.from({ length: 1000 }, async () => {
          const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' })
          sockets.push(s)
          s.on('error', () => undefined)
          s.on('data', (d: Buffer) => {
            if (d.toString().startsWith('HTTP/1.1 503')) refused++
          })
          await new Promise((r) => {
            s.once('connect', r)
            s.once('close', r)
          })
          if (!s.destroyed) s.write('POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n')
        }),
      )
      for (let i = 0; i < 4; i++) {
        await sleep(250)
        maxFds = Math.max(maxFds, fds())
        for (const s of sockets) if (!s.destroyed) s.write('X')
        // Others still get answers during the attack.
        const probe = await rawRequest(v.url, [head('GET', '/healthcheck', [['Host', 'x'], ['Connection', 'close']])], { localAddress: '127.0.0.5' })
        expect(probe.status).to.equal(200)
      }
    } finally {
      for (const s of sockets) s.destroy()
    }
    console.log(`      slowloris: 1000 connections, ${refused} refused with 503, process fds ${fdsBefore} before, at most ${maxFds} during (limit ${FD_LIMIT})`)
    expect(v.exitCode()).to.equal(null)
    expect(refused).to.be.at.least(900)
    expect(maxFds).to.be.below(FD_LIMIT)
  })

  it('counts only unauthenticated connections: 30 signed-in ones from one address do not stop a 31st', async () => {
    const sockets: Socket[] = []
    try {
      const ask = async (s: Socket, withToken: boolean): Promise<string> => {
        const got = new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())))
        s.write(head('GET', withToken ? `${acct}/c` : '/healthcheck', [['Host', 'x'], ...(withToken ? ([['X-Auth-Token', token]] as Array<[string, string]>) : [])]))
        return got
      }
      for (let i = 0; i < 30; i++) {
        const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.3' })
        sockets.push(s)
        await new Promise((r) => s.once('connect', r))
        expect(await ask(s, true)).to.match(/^HTTP\/1\.1 20[04] /)
      }
      const extra = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.3' })
      sockets.push(extra)
      await new Promise((r) => extra.once('connect', r))
      expect(await ask(extra, false)).to.match(/^HTTP\/1\.1 200 /)
    } finally {
      for (const s of sockets) s.destroy()
    }
  })
})
