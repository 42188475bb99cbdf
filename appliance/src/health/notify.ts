/**
 * Alert delivery beyond the UI: email over SMTP (nodemailer) and a webhook (JSON POST,
 * retried with exponential backoff on network errors, 429 and 5xx). Only firing, escalated
 * and resolved events are sent; acknowledgements stay in the console. A delivery that fails
 * for good is reported to `onError`, never thrown into the sampler loop.
 */
import nodemailer, { type Transporter } from 'nodemailer'
import { VeloxError } from '../errors.js'
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class WebhookNotifier implements Notifier {
  readonly name = 'webhook'
  private readonly url: URL

  constructor(private readonly s: WebhookSettings) {
    this.url = new URL(s.url)
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new VeloxError('bad-request', 'webhook URL must be http or https')
  }

  async send(e: AlertEvent): Promise<void> {
    const body = JSON.stringify({ event: e.type, alert: e.alert })
    const retries = this.s.retries ?? 5
    let last = ''
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep((this.s.backoffMs ?? 1000) * 2 ** (attempt - 1))
      try {
        const r = await fetch(this.url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'Velox-alerts' }, body, signal: AbortSignal.timeout(this.s.timeoutMs ?? 10_000) })
        await r.arrayBuffer().catch(() => undefined)
        if (r.ok) return
        last = `HTTP ${r.status}`
        if (r.status < 500 && r.status !== 429) break // the receiver refuses it: retrying will not help
      } catch (err) {
        last = (err as Error).message
      }
    }
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
