import { expect } from 'chai'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ClientActivity } from './client-activity.js'

describe('ClientActivity', () => {
  it('is busy while a request is in flight and for the grace after its start', () => {
    let now = 0
    const a = new ClientActivity(500, () => now)
    expect(a.busy()).to.equal(false)
    const end = a.begin()
    now = 10_000
    expect(a.busy()).to.equal(true)
    end()
    end() // once only
    expect(a.requestsInFlight).to.equal(0)
    expect(a.busy()).to.equal(false)
    a.begin()()
    now += 499
    expect(a.busy()).to.equal(true)
    now += 2
    expect(a.busy()).to.equal(false)
  })

  describe('track (a real HTTP server)', () => {
    let server: Server
    let url = ''
    const a = new ClientActivity(0)
    let release: () => void = () => undefined
    before(async () => {
      server = createServer(
        a.track((req, res) => {
          if (req.url === '/slow') release = () => res.end('done')
          else if (req.url === '/events') res.writeHead(200, { 'Content-Type': 'text/event-stream' }).write('data: 1\n\n')
          else res.end('ok')
        }),
      )
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    after(async () => {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    })

    it('counts a request until its answer is finished', async () => {
      const slow = fetch(`${url}/slow`)
      while (a.requestsInFlight === 0) await new Promise((r) => setTimeout(r, 5))
      expect(a.busy()).to.equal(true)
      release()
      expect(await (await slow).text()).to.equal('done')
      expect(a.requestsInFlight).to.equal(0)
    })

    it('counts a request whose client went away', async () => {
      const abort = new AbortController()
      const slow = fetch(`${url}/slow`, { signal: abort.signal }).catch(() => 'aborted')
      while (a.requestsInFlight === 0) await new Promise((r) => setTimeout(r, 5))
      abort.abort()
      expect(await slow).to.equal('aborted')
      while (a.requestsInFlight > 0) await new Promise((r) => setTimeout(r, 5))
      release()
    })

    it('leaves out a live event stream an admin keeps open', async () => {
      const abort = new AbortController()
      const r = await fetch(`${url}/events`, { headers: { Accept: 'text/event-stream' }, signal: abort.signal })
      expect(r.status).to.equal(200)
      expect(a.requestsInFlight).to.equal(0)
      expect(a.busy()).to.equal(false)
      abort.abort()
    })
  })
})
