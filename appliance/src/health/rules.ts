/**
 * The default alert rules: each looks at what the samplers and SMART saw and names the
 * conditions that hold now, with a stable key per thing (one alert per disk, filesystem or
 * link, never one per sample). Durations ("over 60 °C for 5 minutes") are tracked here; the
 * alert lifecycle (firing → acknowledged → resolved, notifications) is alerts.ts's job.
 */
import type { DiskState } from './disk-health.js'

export type Severity = 'critical' | 'warning' | 'info'

export interface Condition {
  /** Stable identity of the thing and rule, e.g. "smart-failed:sdb". */
  key: string
  rule: string
  severity: Severity
  /** What it is about, in words ("disk sdb"), and where the console shows it. */
  subject: string
  link: string
  message: string
  /** Conditions that are events (a restart) stay until acknowledged rather than resolving. */
  sticky?: boolean
}

export interface RuleSettings {
  cpuTempMaxC: number
  diskTempMaxC: number
  tempForMs: number
  fsWarnPct: number
  fsCritPct: number
  certWarnDays: number
  /** Expected negotiated speed per interface (Mb/s); others are held to the best speed seen. */
  expectedSpeedMbps: Record<string, number>
}

export const DEFAULT_RULES: RuleSettings = { cpuTempMaxC: 85, diskTempMaxC: 55, tempForMs: 5 * 60_000, fsWarnPct: 80, fsCritPct: 90, certWarnDays: 30, expectedSpeedMbps: {} }

export interface RuleInput {
  now: number
  values: Record<string, number>
  disks: DiskState[]
  /** Per-device counts from the storage layer since start. */
  devices: { device: string; quarantined: number; ioErrors: number; failed?: boolean }[]
  /** Replicas the ring asks for, and devices there are to hold them. */
  replicas?: { wanted: number; available: number }
  certificates?: { name: string; notAfter: number }[]
  /** Set once on the first evaluation after a start that followed an unclean stop. */
  restartedUnexpectedly?: { at: number }
}

export class Rules {
  private readonly hotSince = new Map<string, number>()
  private readonly bestSpeed = new Map<string, number>()
  private readonly wasUp = new Set<string>()

  constructor(private readonly s: RuleSettings = DEFAULT_RULES) {}

  evaluate(i: RuleInput): Condition[] {
    const out: Condition[] = []
    for (const d of i.disks) this.disk(i, d, out)
    this.cpuTemp(i, out)
    this.filesystems(i, out)
    this.links(i, out)
    for (const d of i.devices) {
      const link = `/admin/disks/${encodeURIComponent(d.device)}`
      if (d.failed) out.push({ key: `device-failed:${d.device}`, rule: 'device-failed', severity: 'critical', subject: `device ${d.device}`, link, message: `device ${d.device} has failed` })
      else if (d.quarantined > 0 || d.ioErrors > 0) out.push({ key: `device-errors:${d.device}`, rule: 'device-errors', severity: 'warning', subject: `device ${d.device}`, link, message: `device ${d.device}: ${d.quarantined} objects quarantined, ${d.ioErrors} I/O errors` })
    }
    if (i.replicas && i.replicas.available < i.replicas.wanted) {
      out.push({ key: 'replicas-below-ring', rule: 'replicas-below-ring', severity: 'critical', subject: 'ring', link: '/admin', message: `the ring wants ${i.replicas.wanted} replicas but only ${i.replicas.available} devices can hold them` })
    }
    for (const c of i.certificates ?? []) {
      const days = Math.floor((c.notAfter - i.now) / 86_400_000)
      if (days < this.s.certWarnDays) out.push({ key: `cert-expiring:${c.name}`, rule: 'cert-expiring', severity: days < 7 ? 'critical' : 'warning', subject: `certificate ${c.name}`, link: '/admin', message: days < 0 ? `certificate ${c.name} has expired` : `certificate ${c.name} expires in ${days} days` })
    }
    if (i.restartedUnexpectedly) {
      const at = new Date(i.restartedUnexpectedly.at).toISOString()
      out.push({ key: `restart:${i.restartedUnexpectedly.at}`, rule: 'unexpected-restart', severity: 'warning', subject: 'Velox', link: '/admin/logs', message: `Velox restarted unexpectedly (started ${at} after an unclean stop)`, sticky: true })
    }
    return out
  }

  private disk(i: RuleInput, d: DiskState, out: Condition[]): void {
    const link = `/admin/disks/${encodeURIComponent(d.device)}`
    const subject = `disk ${d.device}${d.report.serial ? ` (${d.report.serial})` : ''}`
    if (d.report.passed === false) out.push({ key: `smart-failed:${d.device}`, rule: 'smart-failed', severity: 'critical', subject, link, message: `${subject}: SMART overall status FAILED` })
    if (d.score.rising.length) out.push({ key: `smart-rising:${d.device}`, rule: 'smart-rising', severity: 'warning', subject, link, message: `${subject}: ${d.score.rising.join(', ')} in the last week` })
    const t = d.report.temperatureC
    if (this.hot(`disk:${d.device}`, t !== undefined && t > this.s.diskTempMaxC, i.now)) {
      out.push({ key: `disk-temp:${d.device}`, rule: 'temperature', severity: 'warning', subject, link, message: `${subject} at ${t} °C, over ${this.s.diskTempMaxC} °C` })
    }
  }

  private cpuTemp(i: RuleInput, out: Condition[]): void {
    const t = i.values['temp.cpu_c']
    if (this.hot('cpu', t !== undefined && t > this.s.cpuTempMaxC, i.now)) {
      out.push({ key: 'cpu-temp', rule: 'temperature', severity: 'warning', subject: 'CPU', link: '/admin', message: `CPU at ${t} °C, over ${this.s.cpuTempMaxC} °C` })
    }
  }

  /** True once `over` has held for tempForMs without a break. */
  private hot(key: string, over: boolean, now: number): boolean {
    if (!over) {
      this.hotSince.delete(key)
      return false
    }
    const since = this.hotSince.get(key) ?? now
    this.hotSince.set(key, since)
    return now - since >= this.s.tempForMs
  }

  private filesystems(i: RuleInput, out: Condition[]): void {
    for (const [k, v] of Object.entries(i.values)) {
      const m = /^fs\.(.+)\.used_pct$/.exec(k)
      if (!m || v < this.s.fsWarnPct) continue
      const crit = v >= this.s.fsCritPct
      out.push({ key: `fs-full:${m[1]}`, rule: 'fs-full', severity: crit ? 'critical' : 'warning', subject: `filesystem ${m[1]}`, link: '/admin', message: `filesystem ${m[1]} is ${v.toFixed(1)} % full (over ${crit ? this.s.fsCritPct : this.s.fsWarnPct} %)` })
    }
  }

  /** Links that were up once and went down, or run slower than expected (or than their best). */
  private links(i: RuleInput, out: Condition[]): void {
    for (const [k, v] of Object.entries(i.values)) {
      const m = /^net\.(.+)\.up$/.exec(k)
      if (!m || m[1] === 'lo') continue
      const name = m[1]
      const link = `/admin/network/${encodeURIComponent(name)}`
      if (v === 1) this.wasUp.add(name)
      else if (this.wasUp.has(name) || this.s.expectedSpeedMbps[name]) {
        out.push({ key: `link-down:${name}`, rule: 'link-down', severity: 'critical', subject: `interface ${name}`, link, message: `interface ${name} is down` })
        continue
      }
      const speed = i.values[`net.${name}.speed_mbps`]
      if (speed === undefined || v !== 1) continue
      const best = Math.max(this.bestSpeed.get(name) ?? 0, speed)
      this.bestSpeed.set(name, best)
      const expected = this.s.expectedSpeedMbps[name] ?? best
      if (speed < expected) out.push({ key: `link-slow:${name}`, rule: 'link-slow', severity: 'warning', subject: `interface ${name}`, link, message: `interface ${name} negotiated ${speed} Mb/s, expected ${expected} Mb/s` })
    }
  }
}
