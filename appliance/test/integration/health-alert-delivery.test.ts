/**
 * Alerts delivered for real: to an SMTP server (npm smtp-server) and to a webhook receiver,
 * both started by the test on loopback; the assertions are on what they received.
 */
import { expect } from 'chai'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import type { Alert, AlertEvent } from '../../src/health/alerts.js'
import { EmailNotifier, WebhookNotifier, deliverTo } from '../../src/health/notify.js'

const alert: Alert = { id: 'a1b2', key: 'smart-failed:sdb', rule: 'smart-failed', severity: 'critical', subject: 'disk sdb', link: '/admin/disks/sdb', message: 'disk sdb: SMART overall status FAILED', state: 'firing', firstSeen: Date.UTC(2026, 0, 5), lastSeen: Date.UTC(2026, 0, 5) }
const firing: AlertEvent = { type: 'firing', alert }

describe('health alert delivery (integration: local SMTP server and webhook receiver)', () => {
  it('sends an email the SMTP server receives, with the alert in subject and body', async () => {
    const received: { from: string; to: string[]; data: string }[] = []
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('utf8') })
          cb()
        })
      },
    })
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()))
    try {
      const port = (smtp.server.address() as AddressInfo).port
      const n = new EmailNotifier({ host: '127.0.0.1', port, secure: false, from: 'velox@box.example', to: ['ops@example.org'] })
      await n.send(firing)
      expect(received).to.have.length(1)
      expect(received[0].from).to.equal('velox@box.example')
      expect(received[0].to).to.deep.equal(['ops@example.org'])
      expect(received[0].data).to.match(/^Subject: \[Velox critical\] disk sdb: SMART overall status FAILED/m)
      expect(received[0].data).to.include('about: disk sdb (/admin/disks/sdb)')
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()))
    }
  })

  describe('webhook', () => {
    let server: Server
    let url: string
    let answers: number[]
    let bodies: { at: number; body: any }[]
    beforeEach(async () => {
      answers = []
      bodies = []
      server = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          bodies.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) })
          res.statusCode = answers.shift() ?? 204
          res.end()
        })
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    })
    afterEach(() => new Promise<void>((r) => server.close(() => r())))

    it('POSTs the alert as JSON, retrying 5xx with growing backoff until it is taken', async () => {
      answers = [503, 500]
      await new WebhookNotifier({ url, retries: 3, backoffMs: 100 }).send(firing)
      expect(bodies).to.have.length(3)
      expect(bodies[2].body).to.deep.equal({ event: 'firing', alert })
      expect(bodies[1].at - bodies[0].at).to.be.at.least(90)
      expect(bodies[2].at - bodies[1].at).to.be.at.least(190)
    })

    it('gives up on a 4xx at once and after the last retry, reporting the failure', async () => {
      answers = [400]
      let err: unknown
      await new WebhookNotifier({ url, retries: 3, backoffMs: 10 }).send(firing).catch((e) => (err = e))
      expect(bodies).to.have.length(1)
      expect((err as Error).message).to.include('HTTP 400')
      answers = [500, 500, 500]
      const failures: string[] = []
      deliverTo([new WebhookNotifier({ url, retries: 2, backoffMs: 10 })], (n, e) => failures.push(`${n.name}: ${(e as Error).message}`))(firing)
      deliverTo([new WebhookNotifier({ url })], () => undefined)({ type: 'acknowledged', alert }) // not delivered
      await new Promise((r) => setTimeout(r, 300))
      expect(failures).to.deep.equal(['webhook: webhook delivery failed: HTTP 500'])
      expect(bodies).to.have.length(4)
    })
  })
})
