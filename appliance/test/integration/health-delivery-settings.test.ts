/**
 * Alert delivery as set in the console (health/delivery.ts), against receivers the test
 * starts on loopback: a local SMTP server, a webhook receiver and a TCP syslog listener.
 * Settings are validated, saved in the state DB (they survive a new start), the SMTP
 * password is never shown, each "send a test" reaches its receiver and is audited, and a
 * webhook delivery still retrying when the appliance stops is delivered after it starts again.
 */
import { expect } from 'chai'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import { RotatingLogFile } from '../../src/lib/log-file.js'
import type { Alert } from '../../src/health/alerts.js'
import { AuditTrail } from '../../src/health/audit.js'
import { AlertDelivery } from '../../src/health/delivery.js'
import { WebhookNotifier, type PendingWebhook } from '../../src/health/notify.js'
import { StateDb } from '../../src/store/state-db.js'
import { jsonReceiver } from '../harness/health-fixtures.js'

const alert: Alert = { id: 'a1b2', key: 'smart-failed:sdb', rule: 'smart-failed', severity: 'critical', subject: 'disk sdb', link: '/admin/disks/sdb', message: 'disk sdb: SMART overall status FAILED', state: 'firing', firstSeen: Date.UTC(2026, 0, 5), lastSeen: Date.UTC(2026, 0, 5) }
const ADMIN = { who: 'test:tester', from: '127.0.0.1' }
const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}
const listen = (s: { listen(port: number, host: string, cb: () => void): unknown }) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))

describe('health alert delivery settings (integration: local SMTP, webhook and syslog receivers)', function () {
  this.timeout(60_000)
  let dir: string
  let db: StateDb
  let audit: AuditTrail
  let hook: Awaited<ReturnType<typeof jsonReceiver>>
  let hookUrl: string
  let bodies: any[]

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'velox-delivery-'))
    db = await StateDb.open(join(dir, 'state'))
    audit = new AuditTrail(new RotatingLogFile(join(dir, 'audit.log'), { maxBytes: 1 << 20, maxFiles: 2 }))
    hook = await jsonReceiver()
    hookUrl = hook.url
    bodies = hook.bodies
  })
  afterEach(async () => {
    audit.close()
    await db.close()
    await hook.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const auditLines = () => {
    audit.close()
    return readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  }

  it('validates, saves and reloads the settings, never showing the SMTP password', async () => {
    const d = new AlertDelivery(db, {}, audit, () => undefined)
    await d.start()
    expect(d.view()).to.deep.equal({ email: undefined, webhook: undefined, syslog: undefined })
    for (const bad of [{ webhook: { url: 'ftp://x' } }, { email: { host: 'smtp;rm', port: 25, from: 'a@b.c', to: ['x@y.z'] } }, { email: { host: 'smtp.example.org', port: 25, from: 'a@b.c', to: [] } }, { syslog: { host: 'log', port: 70000, transport: 'udp' } }, { syslog: { host: 'log', port: 514, transport: 'carrier-pigeon' } }]) {
      let err: any
      await d.save(ADMIN, bad).catch((e) => (err = e))
      expect(err?.kind, JSON.stringify(bad)).to.equal('bad-request')
    }
    const email = { host: 'smtp.example.org', port: 587, secure: false, user: 'velox', pass: 's3cret-pass', from: 'velox@box.example', to: ['ops@example.org'] }
    const v = await d.save(ADMIN, { email, webhook: { url: hookUrl }, syslog: { host: '127.0.0.1', port: 5514, transport: 'tcp' } })
    expect(v.email).to.deep.include({ host: 'smtp.example.org', passSet: true }).and.not.have.property('pass')
    expect(JSON.stringify(v)).not.to.include('s3cret')
    // Saving the email again without the password keeps it; null turns a channel off.
    expect((await d.save(ADMIN, { email: { ...email, pass: undefined }, syslog: null })).email!.passSet).to.equal(true)
    await d.close()
    const again = new AlertDelivery(db, { webhook: { url: 'http://ignored.example/' } }, audit, () => undefined)
    await again.start()
    expect(again.view()).to.deep.include({ webhook: { url: hookUrl }, syslog: undefined })
    await again.close()
    const lines = auditLines()
    expect(lines.filter((l) => l.action === 'alerts.delivery.save')).to.have.length(2)
    expect(JSON.stringify(lines)).not.to.include('s3cret')
  })

  it('sends a test through each channel to its receiver, and audits each', async () => {
    const mails: string[] = []
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _s, cb) {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => (mails.push(Buffer.concat(chunks).toString('utf8')), cb()))
      },
    })
    const syslogLines: string[] = []
    const syslog = createTcpServer((s) => s.on('data', (c) => syslogLines.push(c.toString())))
    await listen(smtp)
    await listen(syslog)
    const d = new AlertDelivery(db, {}, audit, () => undefined)
    try {
      await d.start()
      await d.save(ADMIN, {
        email: { host: '127.0.0.1', port: (smtp.server.address() as AddressInfo).port, from: 'velox@box.example', to: 'ops@example.org, oncall@example.org' },
        webhook: { url: hookUrl },
        syslog: { host: '127.0.0.1', port: (syslog.address() as AddressInfo).port, transport: 'tcp' },
      })
      expect(await d.test(ADMIN, 'email')).to.deep.equal({ ok: true })
      expect(mails[0]).to.match(/^Subject: \[Velox info\] Velox test alert: delivery works/m)
      expect(await d.test(ADMIN, 'webhook')).to.deep.equal({ ok: true })
      expect(bodies[0]).to.deep.include({ event: 'firing' })
      expect(bodies[0].alert.rule).to.equal('delivery-test')
      expect(await d.test(ADMIN, 'syslog')).to.deep.equal({ ok: true })
      await until(() => syslogLines.join('').includes('syslog forwarding works'))
      hook.answers.push(500)
      expect((await d.test(ADMIN, 'webhook')).error).to.include('HTTP 500')
      const tests = auditLines().filter((l) => l.action === 'alerts.delivery.test')
      expect(tests.map((l) => [l.target, l.ok, l.who])).to.deep.equal([['email', true, 'test:tester'], ['webhook', true, 'test:tester'], ['syslog', true, 'test:tester'], ['webhook', false, 'test:tester']])
    } finally {
      await d.close()
      await new Promise<void>((r) => smtp.close(() => r()))
      await new Promise<void>((r) => syslog.close(() => r()))
    }
  })

  it('a webhook delivery still retrying when the appliance stops is delivered after the next start', async () => {
    hook.answers.push(503)
    const outbox = db.namespace<PendingWebhook>('health-webhook-outbox')
    const before = new WebhookNotifier({ url: hookUrl, retries: 3, backoffMs: 1500 }, outbox)
    const sending = before.send({ type: 'firing', alert }).catch((e: Error) => e)
    await until(() => bodies.length === 1)
    before.close() // the appliance stops while the retry waits
    expect(String(await sending)).to.include('stopped')
    const left: PendingWebhook[] = []
    for await (const [, p] of outbox.entries()) left.push(p)
    expect(left).to.have.length(1)
    expect(left[0].attempt).to.equal(1)
    // The next start: the saved delivery resumes and the receiver takes it.
    const d = new AlertDelivery(db, { webhook: { url: hookUrl, retries: 3 } }, audit, () => undefined)
    await d.start()
    await until(() => bodies.length === 2)
    expect(bodies[1]).to.deep.equal({ event: 'firing', alert })
    // Taken: the outbox empties.
    let pending = 1
    for (const start = Date.now(); Date.now() - start < 5000; ) {
      pending = 0
      for await (const _ of outbox.entries()) pending++
      if (pending === 0) break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(pending).to.equal(0)
    await d.close()
  })
})
