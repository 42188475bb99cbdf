/**
 * SMART of every disk on a slow interval (and on demand), kept as hourly snapshots so the
 * score can compare today with a week ago. Snapshots sit in fixed slots of the state database
 * (hour mod 8 days), so their size is bounded. Owns the latest report and score per disk;
 * reads SMART only through a `SmartSource`.
 */
import type { StateDb, StateNamespace } from '../store/state-db.js'
import { scoreDisk, type DiskScore } from './score.js'
import { parseSmart, type SmartReport } from '../disks/smart.js'
import type { SmartSource } from './smartctl.js'

const HOUR_MS = 3_600_000
const SLOTS = 8 * 24
/** How far back the baseline is looked for. */
export const LOOKBACK_MS = 7 * 24 * HOUR_MS

export interface DiskState {
  device: string
  at: number
  report: SmartReport
  score: DiskScore
}

interface Snapshot {
  at: number
  report: SmartReport
}

/** Per-device extras the score weighs (from the storage layer and the I/O sampler). */
export interface DiskContext {
  ioErrors?: number
  auditorErrors?: number
  latencyMs?: number
}

export class DiskHealth {
  private readonly ns: StateNamespace<Snapshot>
  private readonly latest = new Map<string, DiskState>()

  constructor(db: StateDb, private readonly source: SmartSource) {
    this.ns = db.namespace<Snapshot>('health-smart')
  }

  /** Reads every device now; unreadable devices are skipped (the VM has none that answer). */
  async poll(now: number, context: (device: string, serial?: string) => DiskContext = () => ({})): Promise<DiskState[]> {
    const devices = await this.source.devices().catch(() => [] as string[])
    const reports: SmartReport[] = []
    for (const d of devices) {
      const doc = await this.source.read(d).catch(() => undefined)
      if (doc !== undefined) reports.push(parseSmart(d, doc))
    }
    const latency = new Map(reports.map((r) => [r.device, context(r.device, r.serial || undefined).latencyMs]))
    const out: DiskState[] = []
    for (const report of reports) {
      const key = report.device
      const slot = String(Math.floor(now / HOUR_MS) % SLOTS).padStart(4, '0')
      await this.ns.put(`${key}\x00${slot}`, { at: now, report })
      const baseline = await this.baseline(key, now)
      const ctx = context(key, report.serial || undefined)
      const state: DiskState = { device: key, at: now, report, score: scoreDisk({ now: report, baseline, at: now, ioErrors: ctx.ioErrors, auditorErrors: ctx.auditorErrors, latencyRatio: ratio(key, latency) }) }
      this.latest.set(key, state)
      out.push(state)
    }
    return out
  }

  /** The oldest snapshot within the look-back window. */
  private async baseline(device: string, now: number): Promise<Snapshot | undefined> {
    let best: Snapshot | undefined
    for await (const [, s] of this.ns.entries(`${device}\x00`)) {
      if (now - s.at <= LOOKBACK_MS && s.at < now && (!best || s.at < best.at)) best = s
    }
    return best
  }

  disks(): DiskState[] {
    return [...this.latest.values()].sort((a, b) => a.device.localeCompare(b.device))
  }

  disk(device: string): DiskState | undefined {
    return this.latest.get(device)
  }
}

/** This device's latency over the median of the others' (needs two siblings with figures). */
function ratio(device: string, latency: Map<string, number | undefined>): number | undefined {
  const mine = latency.get(device)
  const others = [...latency.entries()].filter(([d, v]) => d !== device && v !== undefined).map(([, v]) => v as number).sort((a, b) => a - b)
  if (mine === undefined || others.length < 2) return undefined
  const median = others[Math.floor(others.length / 2)]
  return median > 0 ? mine / median : undefined
}
