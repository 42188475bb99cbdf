/**
 * The per-address bound on unauthenticated connections over TLS: `connection` hands this module
 * the TCP socket while a request sees the TLS socket above it, so a connection proven by a
 * request and then closed must free its slot once, not twice (it once freed a slot that still
 * belonged to another unauthenticated connection of the same address).
 */
import { expect } from 'chai'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { connect, type TLSSocket } from 'node:tls'
import { silentLog } from '../lib/log.js'
import { generateSelfSigned } from '../setup/certificates.js'
import { ConnectionLimits } from './connection-limits.js'

const PER_CLIENT = 2

describe('connection limits over TLS', function () {
  this.timeout(30_000)
  let server: Server
  let port: number
  let limits: ConnectionLimits
  const open: TLSSocket[] = []

  before(async () => {
    const pair = await generateSelfSigned(['localhost'], ['127.0.0.1'])
    limits = new ConnectionLimits({ bodyIdleSec: 30, headersTimeoutSec: 30, unauthenticatedPerClient: PER_CLIENT, max: 0 }, silentLog)
    server = createServer({ cert: pair.certPem, key: pair.keyPem }, limits.wrap((_req, res) => res.end('ok')))
    limits.prepare(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    for (const s of open) s.destroy()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  /** A TLS connection; resolves with its socket and what arrives on it first (or '' after quietMs). */
  const dial = () =>
    new Promise<TLSSocket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(s))
      s.once('error', reject)
      open.push(s)
    })
  const request = (s: TLSSocket, headers: string) =>
    new Promise<string>((resolve) => {
      let got = ''
      const done = () => resolve(got)
      s.on('data', (d: Buffer) => {
        got += d.toString()
        if (got.includes('\r\n\r\nok')) done()
      })
      s.once('close', done)
      s.once('error', done)
      s.write(`GET / HTTP/1.1\r\nHost: x\r\n${headers}\r\n`)
    })
  const closed = (s: TLSSocket) => new Promise((r) => (s.destroyed ? r(undefined) : s.once('close', r)))
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  it('frees a proven connection\'s slot once, so the bound still holds for the others', async () => {
    const a = await dial()
    expect(await request(a, 'X-Auth-Token: t\r\n')).to.match(/^HTTP\/1.1 200/)
    const b = await dial() // unauthenticated: 1 of 2
    a.destroy()
    await closed(a)
    await sleep(100) // the server sees A's close
    const c = await dial() // 2 of 2
    // Over the bound: refused before TLS starts (a plain 503, which no TLS handshake survives).
    const d = await dial().catch(() => undefined)
    if (d) expect(await request(d, '')).not.to.match(/^HTTP\/1.1 200/)
    expect(limits.refused.perClient).to.equal(1)
    expect(await request(c, '')).to.match(/^HTTP\/1.1 200/)
    expect(await request(b, '')).to.match(/^HTTP\/1.1 200/)
  })
})
