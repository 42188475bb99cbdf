import { expect } from 'chai'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { writeSwiftResponse } from './respond.js'

/** A server whose one handler is `handle`; returns its port and a stopper. */
async function serve(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ port: number; stop(): Promise<void> }> {
  const server = http.createServer(handle)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as AddressInfo).port, stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }) }
}

describe('http/swift/respond (the one writer of Swift answers)', function () {
  this.timeout(10_000)
  it('streams a body whole, with the bytes counted', async () => {
    let counted = -1
    const s = await serve((_req, res) => writeSwiftResponse(res, 'GET', { status: 200, headers: {}, length: 6, body: Readable.from([Buffer.from('abc'), Buffer.from('def')]) }, (n) => (counted = n)))
    const r = await fetch(`http://127.0.0.1:${s.port}/`)
    expect(await r.text()).to.equal('abcdef')
    await s.stop()
    expect(counted).to.equal(6)
  })

  it('destroys the body of a client that went away while the answer was being prepared (nothing waits on it)', async () => {
    let destroyed: Promise<number> | undefined
    const s = await serve((req, res) => {
      res.once('close', () => {
        // The client is gone before the handler answers.
        const body = new Readable({ read() {} })
        const gone = new Promise<void>((r) => body.once('close', () => r()))
        destroyed = new Promise((resolve) => writeSwiftResponse(res, 'GET', { status: 200, headers: {}, length: 10, body }, (n) => void gone.then(() => resolve(n))))
      })
      void req
    })
    const ac = new AbortController()
    const pending = fetch(`http://127.0.0.1:${s.port}/`, { signal: ac.signal }).catch(() => undefined)
    await new Promise((r) => setTimeout(r, 100))
    ac.abort()
    await pending
    for (let i = 0; i < 50 && !destroyed; i++) await new Promise((r) => setTimeout(r, 20))
    expect(await destroyed).to.equal(0)
    await s.stop()
  })

  it('stops reading and destroys the body when the client hangs up midway', async () => {
    let closedBody = false
    const s = await serve((_req, res) => {
      let n = 0
      const body = new Readable({
        read() {
          this.push(Buffer.alloc(65536, n++ % 256))
        },
      })
      body.once('close', () => (closedBody = true))
      writeSwiftResponse(res, 'GET', { status: 200, headers: {}, length: 1 << 30, body }, () => undefined)
    })
    const ac = new AbortController()
    const r = await fetch(`http://127.0.0.1:${s.port}/`, { signal: ac.signal })
    const reader = r.body!.getReader()
    await reader.read()
    ac.abort()
    for (let i = 0; i < 100 && !closedBody; i++) await new Promise((r2) => setTimeout(r2, 20))
    expect(closedBody).to.equal(true)
    await s.stop()
  })
})
