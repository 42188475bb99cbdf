/**
 * Alert delivery beyond the UI: email over SMTP (nodemailer) and a webhook (JSON POST,
 * retried with exponential backoff on network errors, 429 and 5xx). Only firing, escalated
 * and resolved events are sent; acknowledgements stay in the console. A delivery that fails
 * for good is reported to `onError`, never thrown into the sampler loop. With an outbox (a
 * state DB namespace) a webhook delivery is written down before its first attempt and after
 * each one, so retries left when the appliance stops go on after it starts (`resume`).
 */
import nodemailer, { type Transporter } from 'nodemailer'
import { VeloxError } from '../errors.js'
import type { StateNamespace } from '../store/state-db.js'
import type { AlertEvent } from './alerts.js'

export interface Notifier {
  name: string
  send(e: AlertEvent): Promise<void>
}

export const DELIVERED: ReadonlySet<string> = new Set(['firing', 'escalated', 'resolved'])

export interface SmtpSettings {
  host: string
  port: number
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  secure: boolean
  user?: string
  pass?: string
  from: string
  to: string[]
}

function subjectOf(e: AlertEvent): string {
  const a = e.alert
  return `[Velox ${e.type === 'resolved' ? 'resolved' : a.severity}] ${a.message}`
}

export class EmailNotifier implements Notifier {
  readonly name = 'email'
  private readonly transport: Transporter

  constructor(private readonly s: SmtpSettings) {
    if (!s.to.length) throw new VeloxError('bad-request', 'alert email needs at least one recipient')
    this.transport = nodemailer.createTransport({ host: s.host, port: s.port, secure: s.secure, auth: s.user ? { user: s.user, pass: s.pass ?? '' } : undefined, connectionTimeout: 10_000, socketTimeout: 20_000 })
  }

  async send(e: AlertEvent): Promise<void> {
    const a = e.alert
    const text = [
      a.message,
      '',
      `state: ${e.type}`,
      `severity: ${a.severity}`,
      `about: ${a.subject} (${a.link})`,
      `first seen: ${new Date(a.firstSeen).toISOString()}`,
      `last seen: ${new Date(a.lastSeen).toISOString()}`,
    ].join('\n')
    await this.transport.sendMail({ from: this.s.from, to: this.s.to, subject: subjectOf(e), text, headers: { 'X-Velox-Alert': a.id } })
  }
}

export interface WebhookSettings {
  url: string
  /** Attempts after the first. */
  retries?: number
  backoffMs?: number
  timeoutMs?: number
}

/** A webhook delivery not yet taken: its JSON body, attempts made and when the next is due. */
export interface PendingWebhook {
  body: string
  attempt: number
  nextAt: number
}

export class WebhookNotifier implements Notifier {
  readonly name = 'webhook'
  private readonly url: URL
  private readonly stopped = new AbortController()
  private seq = 0

  constructor(
    private readonly s: WebhookSettings,
    private readonly outbox?: StateNamespace<PendingWebhook>,
  ) {
    this.url = new URL(s.url)
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new VeloxError('bad-request', 'webhook URL must be http or https')
  }

  async send(e: AlertEvent): Promise<void> {
    const id = `${Date.now().toString(36).padStart(9, '0')}-${process.pid}-${this.seq++}`
    const body = JSON.stringify({ event: e.type, alert: e.alert })
    await this.outbox?.put(id, { body, attempt: 0, nextAt: Date.now() })
    await this.deliver(id, body, 0)
  }

  /** Goes on with the deliveries a previous run left in the outbox; failures go to `onError`. */
  async resume(onError: (err: unknown) => void): Promise<number> {
    if (!this.outbox) return 0
    const pending: [string, PendingWebhook][] = []
    for await (const entry of this.outbox.entries()) pending.push(entry)
    for (const [id, p] of pending) {
      void (async () => {
        await this.sleep(Math.max(0, p.nextAt - Date.now()))
        await this.deliver(id, p.body, p.attempt)
      })().catch(onError)
    }
    return pending.length
  }

  /** Stops waiting between attempts (what is left stays in the outbox for the next run). */
  close(): void {
    this.stopped.abort()
  }

  private async sleep(ms: number): Promise<void> {
    if (ms <= 0) return
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms)
      this.stopped.signal.addEventListener('abort', () => {
        clearTimeout(t)
        reject(new VeloxError('unavailable', 'webhook delivery stopped; it resumes at the next start'))
      }, { once: true })
    })
  }

  private async deliver(id: string, body: string, from: number): Promise<void> {
    const retries = this.s.retries ?? 5
    const backoff = (attempt: number) => (this.s.backoffMs ?? 1000) * 2 ** (attempt - 1)
    let last = ''
    for (let attempt = from; attempt <= retries; attempt++) {
      if (attempt > from) await this.sleep(backoff(attempt))
      if (this.stopped.signal.aborted) throw new VeloxError('unavailable', 'webhook delivery stopped')
      // Written before the attempt: a stop during it retries this attempt, not a later one.
      await this.outbox?.put(id, { body, attempt, nextAt: Date.now() + backoff(attempt + 1) })
      try {
        const r = await fetch(this.url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'Velox-alerts' }, body, signal: AbortSignal.timeout(this.s.timeoutMs ?? 10_000) })
        await r.arrayBuffer().catch(() => undefined)
        if (r.ok) return void (await this.outbox?.del(id))
        last = `HTTP ${r.status}`
        if (r.status < 500 && r.status !== 429) break // the receiver refuses it: retrying will not help
      } catch (err) {
        last = (err as Error).message
      }
      await this.outbox?.put(id, { body, attempt: attempt + 1, nextAt: Date.now() + backoff(attempt + 1) })
    }
    await this.outbox?.del(id)
    throw new VeloxError('unavailable', `webhook delivery failed: ${last}`)
  }
}

/** Sends each deliverable event to every notifier, in the background. */
export function deliverTo(notifiers: Notifier[], onError: (n: Notifier, err: unknown) => void): (e: AlertEvent) => void {
  return (e) => {
    if (!DELIVERED.has(e.type)) return
    for (const n of notifiers) n.send(e).catch((err) => onError(n, err))
  }
}
