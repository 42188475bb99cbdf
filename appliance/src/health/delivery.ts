/**
 * Where alerts and the log go beyond the console, as an administrator sets it in the UI:
 * email (SMTP host, port, from, to), a webhook URL, and a syslog target. Settings live in
 * the state DB (velox.json's `health.email|webhook|syslog` are the defaults until the first
 * save), are validated here, take effect at once (notifiers and the syslog forwarder are
 * rebuilt), and every save and "send a test" is written to the audit trail without secrets.
 * The SMTP password is write-only: the view says whether one is set, never what it is.
 * Webhook deliveries use the persisted outbox (notify.ts), so their retries survive a restart.
 */
import { isIP } from 'node:net'
import { VeloxError } from '../errors.js'
import type { StateDb, StateNamespace } from '../store/state-db.js'
import type { AlertEvent } from './alerts.js'
import type { AuditTrail } from './audit.js'
import { DELIVERED, EmailNotifier, WebhookNotifier, type Notifier, type PendingWebhook, type SmtpSettings } from './notify.js'
import { SyslogForwarder, type SyslogSettings } from './syslog.js'

export interface DeliverySettings {
  email?: SmtpSettings
  webhook?: { url: string; retries?: number }
  syslog?: Pick<SyslogSettings, 'host' | 'port' | 'transport' | 'caFile' | 'appName'>
}

/** The settings as the console shows them: the SMTP password replaced by whether it is set. */
export interface DeliveryView {
  email?: Omit<SmtpSettings, 'pass'> & { passSet: boolean }
  webhook?: { url: string; retries?: number }
  syslog?: DeliverySettings['syslog']
}

export type DeliveryKind = 'email' | 'webhook' | 'syslog'
export interface Actor {
  who: string
  from: string
}

const bad = (m: string): never => {
  throw new VeloxError('bad-request', m)
}
const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/
const EMAIL = /^[^\s@<>()",;:]{1,64}@[A-Za-z0-9.-]{1,253}$/
const obj = (v: unknown, what: string): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : bad(`${what} must be an object`))
const host = (v: unknown, what: string) => (typeof v === 'string' && (HOST.test(v) || isIP(v) !== 0) ? v : bad(`${what} must be a host name or an IP address`))
const port = (v: unknown, what: string) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535 ? (v as number) : bad(`${what} must be a port number (1–65535)`))
const email = (v: unknown, what: string) => (typeof v === 'string' && EMAIL.test(v.trim()) ? v.trim() : bad(`${what} must be an email address`))
const text = (v: unknown, what: string, max: number) => (v === undefined || v === '' ? undefined : typeof v === 'string' && v.length <= max && !/[\r\n\0]/.test(v) ? v : bad(`${what} must be text of at most ${max} characters`))

/** Validates one save: each part absent (unchanged), null (off) or complete. `old` keeps an SMTP password not sent again. */
export function validateDelivery(body: unknown, old: DeliverySettings): DeliverySettings {
  const b = obj(body, 'the settings')
  const out: DeliverySettings = { ...old }
  if (b.email === null) delete out.email
  else if (b.email !== undefined) {
    const e = obj(b.email, 'email')
    const to = (Array.isArray(e.to) ? e.to : typeof e.to === 'string' ? e.to.split(',') : bad('email.to must list recipients')).map((x) => email(x, 'each recipient'))
    if (to.length === 0 || to.length > 20) bad('email.to must list 1 to 20 recipients')
    const user = text(e.user, 'email.user', 200)
    const pass = e.pass === undefined ? (user && old.email?.user === user ? old.email.pass : undefined) : text(e.pass, 'email.pass', 200)
    out.email = { host: host(e.host, 'email.host'), port: port(e.port, 'email.port'), secure: e.secure === true, user, pass, from: email(e.from, 'email.from'), to }
  }
  if (b.webhook === null) delete out.webhook
  else if (b.webhook !== undefined) {
    const w = obj(b.webhook, 'webhook')
    let url: URL | undefined
    try {
      url = new URL(String(w.url))
    } catch {
      bad('webhook.url must be a URL')
    }
    if ((url!.protocol !== 'http:' && url!.protocol !== 'https:') || String(w.url).length > 2000) bad('webhook.url must be an http or https URL')
    const retries = w.retries === undefined ? undefined : Number.isInteger(w.retries) && (w.retries as number) >= 0 && (w.retries as number) <= 10 ? (w.retries as number) : bad('webhook.retries must be 0 to 10')
    out.webhook = { url: url!.href, retries }
  }
  if (b.syslog === null) delete out.syslog
  else if (b.syslog !== undefined) {
    const s = obj(b.syslog, 'syslog')
    const transport = s.transport === 'udp' || s.transport === 'tcp' || s.transport === 'tls' ? s.transport : bad('syslog.transport must be udp, tcp or tls')
    out.syslog = { host: host(s.host, 'syslog.host'), port: port(s.port, 'syslog.port'), transport, caFile: old.syslog?.caFile, appName: text(s.appName, 'syslog.appName', 48) }
  }
  return out
}

const TEST_ALERT = (now: number): AlertEvent => ({
  type: 'firing',
  alert: { id: 'test', key: 'delivery-test', rule: 'delivery-test', severity: 'info', subject: 'alert delivery', link: '/admin/alerts', message: 'Velox test alert: delivery works', state: 'firing', firstSeen: now, lastSeen: now },
})

export class AlertDelivery {
  private settings: DeliverySettings = {}
  private notifiers: Notifier[] = []
  private forwarder?: SyslogForwarder
  private readonly store: StateNamespace<DeliverySettings>
  private readonly outbox: StateNamespace<PendingWebhook>

  constructor(
    db: StateDb,
    private readonly defaults: DeliverySettings,
    private readonly audit: AuditTrail,
    private readonly onError: (channel: string, err: unknown) => void,
  ) {
    this.store = db.namespace<DeliverySettings>('health-delivery')
    this.outbox = db.namespace<PendingWebhook>('health-webhook-outbox')
  }

  /** Reads the saved settings (or the config's), builds the channels, and resumes webhook retries left by the last run. */
  async start(): Promise<void> {
    this.apply((await this.store.get('settings')) ?? this.defaults)
    const hook = this.notifiers.find((n): n is WebhookNotifier => n instanceof WebhookNotifier)
    await hook?.resume((err) => this.onError('webhook', err))
  }

  private apply(s: DeliverySettings): void {
    for (const n of this.notifiers) if (n instanceof WebhookNotifier) n.close()
    void this.forwarder?.close(500)
    this.settings = s
    this.notifiers = []
    if (s.email) this.notifiers.push(new EmailNotifier({ ...s.email, to: [...s.email.to] }))
    if (s.webhook) this.notifiers.push(new WebhookNotifier(s.webhook, this.outbox))
    this.forwarder = s.syslog ? new SyslogForwarder({ ...s.syslog }) : undefined
  }

  view(): DeliveryView {
    const { email, webhook, syslog } = this.settings
    return { email: email && { host: email.host, port: email.port, secure: email.secure, user: email.user, from: email.from, to: email.to, passSet: !!email.pass }, webhook, syslog }
  }

  async save(actor: Actor, body: unknown): Promise<DeliveryView> {
    const next = validateDelivery(body, this.settings)
    await this.store.put('settings', next)
    this.apply(next)
    this.audit.record({ ...actor, action: 'alerts.delivery.save', detail: { email: next.email ? `${next.email.host}:${next.email.port} → ${next.email.to.length} recipients` : 'off', webhook: next.webhook ? new URL(next.webhook.url).host : 'off', syslog: next.syslog ? `${next.syslog.transport}://${next.syslog.host}:${next.syslog.port}` : 'off' } })
    return this.view()
  }

  /** Sends a test through one channel now and says whether it went (webhook: one attempt, no retries). */
  async test(actor: Actor, kind: DeliveryKind, now = Date.now()): Promise<{ ok: boolean; error?: string }> {
    let result: { ok: boolean; error?: string }
    try {
      if (kind === 'email') {
        if (!this.settings.email) bad('alert email is not set')
        await new EmailNotifier({ ...this.settings.email!, to: [...this.settings.email!.to] }).send(TEST_ALERT(now))
      } else if (kind === 'webhook') {
        if (!this.settings.webhook) bad('the webhook is not set')
        await new WebhookNotifier({ ...this.settings.webhook!, retries: 0 }).send(TEST_ALERT(now))
      } else if (kind === 'syslog') {
        if (!this.settings.syslog) bad('syslog forwarding is not set')
        const f = new SyslogForwarder({ ...this.settings.syslog! })
        f.send(JSON.stringify({ time: new Date(now).toISOString(), level: 'info', msg: 'Velox test message: syslog forwarding works' }))
        const sent = await f.flushed(5000)
        await f.close(0)
        if (!sent) throw new VeloxError('unavailable', `could not reach ${this.settings.syslog!.transport}://${this.settings.syslog!.host}:${this.settings.syslog!.port}`)
      } else bad('kind must be email, webhook or syslog')
      result = { ok: true }
    } catch (err) {
      if (err instanceof VeloxError && err.kind === 'bad-request') throw err
      result = { ok: false, error: (err as Error).message }
    }
    this.audit.record({ ...actor, action: 'alerts.delivery.test', target: kind, detail: { ok: result.ok } })
    return result
  }

  /** An alert change: deliverable ones go to every channel in the background. */
  onEvent(e: AlertEvent): void {
    if (!DELIVERED.has(e.type)) return
    for (const n of this.notifiers) n.send(e).catch((err) => this.onError(n.name, err))
  }

  /** A JSON log or audit line for the syslog target, if one is set. */
  forward(line: string): void {
    this.forwarder?.send(line)
  }

  async close(): Promise<void> {
    for (const n of this.notifiers) if (n instanceof WebhookNotifier) n.close()
    await this.forwarder?.close()
  }
}
