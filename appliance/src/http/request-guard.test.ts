/**
 * The process guard in a child process of its own (the listeners are process-wide and mocha
 * has its own): handlers that throw from a timer, reject a promise nobody awaits, or throw
 * after the answer started. Each such request is answered 500 with its transaction id (or
 * cut), the log line carries that id, and the next request is served.
 */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

const SERVER = `
import { createServer } from 'node:http'
import { guardRequests, installProcessGuard, noteTransId } from ${JSON.stringify(join(here, 'request-guard.js'))}
import { createLog } from ${JSON.stringify(join(here, '..', 'lib', 'log.js'))}
installProcessGuard(createLog('info'))
const server = createServer(guardRequests((req, res) => {
  const id = 'tx-' + req.url.slice(1)
  noteTransId(id)
  if (req.url === '/timer') setImmediate(() => { throw new Error('boom in a timer') })
  else if (req.url === '/reject') Promise.reject(new Error('boom in a promise'))
  else if (req.url === '/started') { res.writeHead(200, { 'Content-Length': '10' }); res.write('12345'); setTimeout(() => { throw new Error('boom mid-body') }, 5) }
  else res.end('ok')
}))
server.listen(0, '127.0.0.1', () => console.error('PORT ' + server.address().port))
`

describe('request guard', function () {
  this.timeout(20_000)

  it('answers 500 with the transaction id, logs it, and keeps serving', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    try {
      const port = await new Promise<string>((resolve, reject) => {
        let err = ''
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString()
          const m = /PORT (\d+)/.exec(err)
          if (m) resolve(m[1])
        })
        child.once('exit', () => reject(new Error(`guard server exited: ${err}`)))
      })
      const base = `http://127.0.0.1:${port}`
      for (const path of ['/timer', '/reject']) {
        const r = await fetch(base + path)
        expect(r.status, path).to.equal(500)
        expect(r.headers.get('x-trans-id')).to.equal(`tx-${path.slice(1)}`)
        expect(await r.text()).to.contain('Internal Error')
      }
      const cut = await fetch(`${base}/started`).then((r) => r.text()).then(() => 'whole', () => 'cut')
      expect(cut).to.equal('cut')
      expect(await (await fetch(`${base}/ok`)).text()).to.equal('ok')
      expect(child.exitCode).to.equal(null)
      const logged = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(logged.map((l) => l.trans_id)).to.deep.equal(['tx-timer', 'tx-reject', 'tx-started'])
      expect(logged.every((l) => l.level === 'error' && l.msg === 'uncaught error in a request')).to.equal(true)
    } finally {
      child.kill()
    }
  })
})
