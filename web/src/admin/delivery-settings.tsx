/**
 * Where alerts go beyond this console (on the Alerts page): email over SMTP, a webhook and
 * a syslog target, each switched on or off, saved through /api/admin/health/delivery, and
 * each with a "Send a test" button that says whether the receiver took it. The SMTP password
 * is write-only: left empty, the saved one is kept.
 */
import { useEffect, useState, type FormEvent } from 'react'
import { requestJson } from '../api/http'
import type { DeliveryKind, DeliveryView } from '../../../appliance/src/health/delivery'

const getDelivery = () => requestJson<DeliveryView>('/api/admin/health/delivery', { cache: 'no-store' })
const putDelivery = (body: unknown) => requestJson<DeliveryView>('/api/admin/health/delivery', { method: 'PUT', json: body })
const testDelivery = (kind: DeliveryKind) => requestJson<{ ok: boolean; error?: string }>('/api/admin/health/delivery/test', { method: 'POST', json: { kind } })

interface Form {
  email: boolean
  host: string
  port: string
  secure: boolean
  user: string
  pass: string
  from: string
  to: string
  webhook: boolean
  url: string
  syslog: boolean
  syslogHost: string
  syslogPort: string
  transport: 'udp' | 'tcp' | 'tls'
}

function formOf(v: DeliveryView): Form {
  return {
    email: !!v.email, host: v.email?.host ?? '', port: String(v.email?.port ?? 587), secure: v.email?.secure ?? false, user: v.email?.user ?? '', pass: '', from: v.email?.from ?? '', to: v.email?.to.join(', ') ?? '',
    webhook: !!v.webhook, url: v.webhook?.url ?? '',
    syslog: !!v.syslog, syslogHost: v.syslog?.host ?? '', syslogPort: String(v.syslog?.port ?? 514), transport: v.syslog?.transport ?? 'udp',
  }
}

export function DeliverySettings() {
  const [view, setView] = useState<DeliveryView | null>(null)
  const [f, setF] = useState<Form | null>(null)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    getDelivery().then((v) => (setView(v), setF(formOf(v))), (e: Error) => setMessage({ ok: false, text: e.message }))
  }, [])
  if (!f || !view) return message ? <p className="error">{message.text}</p> : null
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF({ ...f, [k]: v })

  const save = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setMessage(null)
    try {
      const v = await putDelivery({
        email: f.email ? { host: f.host, port: Number(f.port), secure: f.secure, user: f.user || undefined, pass: f.pass || undefined, from: f.from, to: f.to.split(',').map((s) => s.trim()).filter(Boolean) } : null,
        webhook: f.webhook ? { url: f.url } : null,
        syslog: f.syslog ? { host: f.syslogHost, port: Number(f.syslogPort), transport: f.transport } : null,
      })
      setView(v)
      setF(formOf(v))
      setMessage({ ok: true, text: 'Saved.' })
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message })
    } finally {
      setBusy(false)
    }
  }
  const test = async (kind: DeliveryKind) => {
    setBusy(true)
    setMessage(null)
    try {
      const r = await testDelivery(kind)
      setMessage(r.ok ? { ok: true, text: `Test ${kind} sent.` } : { ok: false, text: `Test ${kind} failed: ${r.error}` })
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message })
    } finally {
      setBusy(false)
    }
  }
  const testButton = (kind: DeliveryKind, on: boolean) => (
    <button type="button" className="btn btn-small" disabled={busy || !on || !view[kind]} title={view[kind] ? '' : 'Save first'} onClick={() => void test(kind)}>Send a test {kind === 'email' ? 'email' : kind === 'webhook' ? 'webhook' : 'syslog message'}</button>
  )

  return (
    <form className="hc-delivery" onSubmit={save} data-testid="delivery">
      <h2>Delivery</h2>
      <fieldset>
        <legend><label><input type="checkbox" checked={f.email} onChange={(e) => set('email', e.target.checked)} /> Email</label></legend>
        {f.email && (
          <div className="hc-delivery-fields">
            <label>SMTP host <input value={f.host} onChange={(e) => set('host', e.target.value)} required /></label>
            <label>Port <input type="number" min={1} max={65535} value={f.port} onChange={(e) => set('port', e.target.value)} required /></label>
            <label><input type="checkbox" checked={f.secure} onChange={(e) => set('secure', e.target.checked)} /> TLS from the start (port 465)</label>
            <label>User <input value={f.user} onChange={(e) => set('user', e.target.value)} autoComplete="off" /></label>
            <label>Password <input type="password" value={f.pass} onChange={(e) => set('pass', e.target.value)} autoComplete="new-password" placeholder={view.email?.passSet ? 'saved; leave empty to keep' : ''} /></label>
            <label>From <input type="email" value={f.from} onChange={(e) => set('from', e.target.value)} required /></label>
            <label>To <input value={f.to} onChange={(e) => set('to', e.target.value)} placeholder="ops@example.org, oncall@example.org" required /></label>
          </div>
        )}
        {testButton('email', f.email)}
      </fieldset>
      <fieldset>
        <legend><label><input type="checkbox" checked={f.webhook} onChange={(e) => set('webhook', e.target.checked)} /> Webhook</label></legend>
        {f.webhook && <div className="hc-delivery-fields"><label>URL <input type="url" value={f.url} onChange={(e) => set('url', e.target.value)} placeholder="https://hooks.example.org/velox" required /></label></div>}
        {testButton('webhook', f.webhook)}
      </fieldset>
      <fieldset>
        <legend><label><input type="checkbox" checked={f.syslog} onChange={(e) => set('syslog', e.target.checked)} /> Syslog (the log and audit trail)</label></legend>
        {f.syslog && (
          <div className="hc-delivery-fields">
            <label>Syslog host <input value={f.syslogHost} onChange={(e) => set('syslogHost', e.target.value)} required /></label>
            <label>Syslog port <input type="number" min={1} max={65535} value={f.syslogPort} onChange={(e) => set('syslogPort', e.target.value)} required /></label>
            <label>Transport <select value={f.transport} onChange={(e) => set('transport', e.target.value as Form['transport'])}><option value="udp">UDP</option><option value="tcp">TCP</option><option value="tls">TLS</option></select></label>
          </div>
        )}
        {testButton('syslog', f.syslog)}
      </fieldset>
      <button className="btn btn-primary" type="submit" disabled={busy}>Save delivery</button>
      {message && <p className={message.ok ? 'muted' : 'error'} role="status">{message.text}</p>}
    </form>
  )
}
