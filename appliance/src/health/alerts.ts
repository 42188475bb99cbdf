/**
 * The alert book: turns the rules' conditions into alerts with a lifecycle — firing, then
 * acknowledged by an administrator, then resolved once the condition has been absent for a
 * hold time (so a flapping condition does not fire again every minute). One alert per
 * condition key while it lasts; events (firing, escalated, resolved, acknowledged) go to the
 * listeners (UI stream, email, webhook). Alerts persist in the state database.
 */
import { randomBytes } from 'node:crypto'
import { VeloxError } from '../errors.js'
import type { StateDb, StateNamespace } from '../store/state-db.js'
import type { Condition, Severity } from './rules.js'

export type AlertState = 'firing' | 'acknowledged' | 'resolved'

export interface Alert extends Condition {
  id: string
  state: AlertState
  firstSeen: number
  lastSeen: number
  resolvedAt?: number
  acknowledgedAt?: number
  acknowledgedBy?: string
}

export type AlertEventType = 'firing' | 'escalated' | 'resolved' | 'acknowledged'
export interface AlertEvent {
  type: AlertEventType
  alert: Alert
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }

export interface AlertBookOptions {
  /** How long a condition must be gone before its alert resolves. */
  clearMs?: number
  /** Resolved alerts kept for the list (oldest dropped first). */
  keepResolved?: number
}

export class AlertBook {
  private readonly ns: StateNamespace<Alert>
  private readonly all = new Map<string, Alert>()
  private readonly absentSince = new Map<string, number>()
  private readonly listeners: ((e: AlertEvent) => void)[] = []
  private readonly clearMs: number
  private readonly keepResolved: number

  constructor(db: StateDb, opts: AlertBookOptions = {}) {
    this.ns = db.namespace<Alert>('health-alerts')
    this.clearMs = opts.clearMs ?? 5 * 60_000
    this.keepResolved = opts.keepResolved ?? 500
  }

  async load(): Promise<void> {
    for await (const [id, a] of this.ns.entries()) this.all.set(id, a)
  }

  onEvent(fn: (e: AlertEvent) => void): void {
    this.listeners.push(fn)
  }

  private emit(type: AlertEventType, alert: Alert, out: AlertEvent[]): void {
    const e = { type, alert: { ...alert } }
    out.push(e)
    for (const l of this.listeners) l(e)
  }

  private open(): Map<string, Alert> {
    return new Map([...this.all.values()].filter((a) => a.state !== 'resolved').map((a) => [a.key, a]))
  }

  /** Applies the conditions that hold at `now`; returns the events this caused. */
  async update(now: number, conditions: Condition[]): Promise<AlertEvent[]> {
    const events: AlertEvent[] = []
    const open = this.open()
    const changed = new Set<Alert>()
    const seen = new Set<string>()
    for (const c of conditions) {
      if (seen.has(c.key)) continue
      seen.add(c.key)
      this.absentSince.delete(c.key)
      const a = open.get(c.key)
      if (a) {
        const escalated = RANK[c.severity] > RANK[a.severity]
        Object.assign(a, { severity: escalated ? c.severity : a.severity, message: c.message, lastSeen: now })
        changed.add(a)
        if (escalated) this.emit('escalated', a, events)
        continue
      }
      const alert: Alert = { ...c, id: randomBytes(8).toString('hex'), state: 'firing', firstSeen: now, lastSeen: now }
      this.all.set(alert.id, alert)
      changed.add(alert)
      this.emit('firing', alert, events)
    }
    for (const a of open.values()) {
      if (seen.has(a.key) || a.sticky) continue
      const since = this.absentSince.get(a.key) ?? now
      this.absentSince.set(a.key, since)
      if (now - since < this.clearMs) continue
      this.absentSince.delete(a.key)
      Object.assign(a, { state: 'resolved', resolvedAt: now })
      changed.add(a)
      this.emit('resolved', a, events)
    }
    for (const a of changed) await this.ns.put(a.id, a)
    await this.prune()
    return events
  }

  /** An administrator has seen it. Sticky (event) alerts are done once acknowledged. */
  async acknowledge(id: string, by: string, now: number): Promise<Alert> {
    const a = this.all.get(id)
    if (!a) throw new VeloxError('not-found', 'no such alert')
    if (a.state === 'resolved') throw new VeloxError('conflict', 'the alert is resolved already')
    Object.assign(a, { state: a.sticky ? 'resolved' : 'acknowledged', acknowledgedAt: now, acknowledgedBy: by }, a.sticky ? { resolvedAt: now } : {})
    await this.ns.put(a.id, a)
    this.emit('acknowledged', a, [])
    return { ...a }
  }

  list(filter: { state?: AlertState | 'active' } = {}): Alert[] {
    const want = filter.state
    return [...this.all.values()]
      .filter((a) => !want || (want === 'active' ? a.state !== 'resolved' : a.state === want))
      .sort((a, b) => RANK[b.severity] - RANK[a.severity] || b.lastSeen - a.lastSeen)
      .map((a) => ({ ...a }))
  }

  /** Alerts that need someone: firing (not yet acknowledged). */
  firingCount(): number {
    return [...this.all.values()].filter((a) => a.state === 'firing').length
  }

  private async prune(): Promise<void> {
    const resolved = [...this.all.values()].filter((a) => a.state === 'resolved').sort((a, b) => (a.resolvedAt ?? 0) - (b.resolvedAt ?? 0))
    for (const a of resolved.slice(0, Math.max(0, resolved.length - this.keepResolved))) {
      this.all.delete(a.id)
      await this.ns.del(a.id)
    }
  }
}
