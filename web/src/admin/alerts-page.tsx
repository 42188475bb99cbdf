/** Alerts: active ones first with Acknowledge, then the resolved history, then where alerts are delivered. */
import { useEffect, useState } from 'react'
import { linkProps } from '../ui/router'
import { acknowledge, getAlerts, type Alert } from './api'
import { DeliverySettings } from './delivery-settings'
import { ago } from './format'

export function AlertsPage(props: { onChange: () => void }) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const load = () => getAlerts().then((r) => setAlerts(r.alerts), (e: Error) => setError(e.message))
  useEffect(() => {
    load()
    const t = setInterval(load, 15_000)
    return () => clearInterval(t)
  }, [])
  const ack = async (a: Alert) => {
    try {
      await acknowledge(a.id)
      await load()
      props.onChange()
    } catch (e) {
      setError((e as Error).message)
    }
  }
  if (!alerts) return error ? <p className="error">{error}</p> : <p className="muted">Loading alerts…</p>
  const active = alerts.filter((a) => a.state !== 'resolved')
  const resolved = alerts.filter((a) => a.state === 'resolved')
  const row = (a: Alert) => (
    <li key={a.id} className={`hc-alert hc-sev-${a.severity} hc-state-${a.state}`} data-testid={`alert-${a.key}`}>
      <div className="hc-alert-main">
        <span className={`hc-pill hc-pill-${a.severity}`}>{a.severity}</span>
        <a {...linkProps(a.link)}>{a.message}</a>
      </div>
      <div className="muted small">
        {a.state} · first seen {ago(a.firstSeen)} · last seen {ago(a.lastSeen)}
        {a.acknowledgedBy && ` · acknowledged by ${a.acknowledgedBy}`}
        {a.resolvedAt && ` · resolved ${ago(a.resolvedAt)}`}
      </div>
      {a.state === 'firing' && <button className="btn btn-small" onClick={() => ack(a)}>Acknowledge</button>}
    </li>
  )
  return (
    <div>
      {error && <p className="error">{error}</p>}
      <h2>Active alerts</h2>
      {active.length ? <ul className="hc-alert-list">{active.map(row)}</ul> : <p className="muted">No active alerts.</p>}
      <h2>Resolved</h2>
      {resolved.length ? <ul className="hc-alert-list">{resolved.slice(0, 100).map(row)}</ul> : <p className="muted">Nothing resolved yet.</p>}
      <DeliverySettings />
    </div>
  )
}
