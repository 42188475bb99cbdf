/**
 * Alerts delivered for real: to an SMTP server (npm smtp-server) and to a webhook receiver,
 * both started by the test on loopback; the assertions are on what they received.
 */
import { expect } from 'chai'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import type { Alert, AlertEvent } from '../../src/health/alerts.js'
import { EmailNotifier, WebhookNotifier, deliverTo } from '../../src/health/notify.js'
import { jsonReceiver } from '../harness/health-fixtures.js'

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
    let hook: Awaited<ReturnType<typeof jsonReceiver>>
    let url: string
    beforeEach(async () => {
      hook = await jsonReceiver()
      url = hook.url
    })
    afterEach(() => hook.close())

    it('POSTs the alert as JSON, retrying 5xx with growing backoff until it is taken', async () => {
      hook.answers.push(503, 500)
      await new WebhookNotifier({ url, retries: 3, backoffMs: 100 }).send(firing)
      expect(hook.bodies).to.have.length(3)
      expect(hook.bodies[2]).to.deep.equal({ event: 'firing', alert })
      expect(hook.at[1] - hook.at[0]).to.be.at.least(90)
      expect(hook.at[2] - hook.at[1]).to.be.at.least(190)
    })

    it('gives up on a 4xx at once and after the last retry, reporting the failure', async () => {
      hook.answers.push(400)
      let err: unknown
      await new WebhookNotifier({ url, retries: 3, backoffMs: 10 }).send(firing).catch((e) => (err = e))
      expect(hook.bodies).to.have.length(1)
      expect((err as Error).message).to.include('HTTP 400')
      hook.answers.push(500, 500, 500)
      const failures: string[] = []
      deliverTo([new WebhookNotifier({ url, retries: 2, backoffMs: 10 })], (n, e) => failures.push(`${n.name}: ${(e as Error).message}`))(firing)
      deliverTo([new WebhookNotifier({ url })], () => undefined)({ type: 'acknowledged', alert }) // not delivered
      await new Promise((r) => setTimeout(r, 300))
      expect(failures).to.deep.equal(['webhook: webhook delivery failed: HTTP 500'])
      expect(hook.bodies).to.have.length(4)
    })
  })
})
