/**
 * The per-disk health score (0–100) with its reasons spelled out. What matters is change:
 * a reallocated count that grew this week weighs far more than one that has been stable for
 * years, so the score compares the drive's SMART report now with its report from about a week
 * ago (the baseline), and adds what the storage layer saw on that device (I/O and auditor
 * errors) and its latency against its siblings. Pure: no I/O, no clock.
 */
import { PREDICTIVE, type SmartReport } from '../disks/smart.js'

export type DiskStatus = 'ok' | 'warning' | 'failing' | 'unknown'

export interface DiskScore {
  score: number
  status: DiskStatus
  reasons: string[]
  /** Labels of the predictive counters that grew within the window (what the rising alert names). */
  rising: string[]
}

export interface ScoreInput {
  now: SmartReport
  /** The oldest report kept within the look-back window, and when it was read. */
  baseline?: { report: SmartReport; at: number }
  at: number
  /** I/O errors and auditor errors counted on this device within the window. */
  ioErrors?: number
  auditorErrors?: number
  /** This device's mean I/O latency divided by the median of its siblings' (1 = same). */
  latencyRatio?: number
}

const DAY_MS = 86_400_000
const HOT_C = 55

function span(ms: number): string {
  const days = Math.round(ms / DAY_MS)
  if (days >= 1) return `in ${days} day${days === 1 ? '' : 's'}`
  const hours = Math.max(1, Math.round(ms / 3_600_000))
  return `in ${hours} hour${hours === 1 ? '' : 's'}`
}

export function scoreDisk(input: ScoreInput): DiskScore {
  const { now, baseline } = input
  if (now.passed === undefined && now.protocol === 'unknown') return { score: 100, status: 'unknown', reasons: ['no SMART data'], rising: [] }
  let score = 100
  const reasons: string[] = []
  const rising: string[] = []
  const cut = (points: number, reason: string) => {
    score -= points
    reasons.push(reason)
  }
  if (now.passed === false) cut(90, 'SMART overall status FAILED')
  for (const p of PREDICTIVE) {
    const cur = now[p.key] as number | undefined
    if (cur === undefined) continue
    const before = baseline?.report[p.key] as number | undefined
    const delta = before === undefined ? 0 : cur - before
    if (delta > 0) {
      cut(Math.round(p.weight * Math.min(40, 10 + 10 * Math.log10(delta))), `${p.label} +${delta} ${span(input.at - baseline!.at)}`)
      rising.push(`${p.label} +${delta}`)
    } else if (cur > 0) cut(Math.round(p.weight * Math.min(10, 2 + 2 * Math.log10(cur))), `${p.label} ${cur} (stable)`)
  }
  if (now.nvmeCriticalWarning) cut(40, `NVMe critical warning 0x${now.nvmeCriticalWarning.toString(16)}`)
  if (now.nvmeAvailableSpare !== undefined && now.nvmeSpareThreshold !== undefined && now.nvmeAvailableSpare < now.nvmeSpareThreshold) {
    cut(30, `available spare ${now.nvmeAvailableSpare}% below its threshold ${now.nvmeSpareThreshold}%`)
  }
  const used = now.nvmePercentageUsed
  if (used !== undefined && used >= 90) cut(used >= 100 ? 25 : 10, `${used}% of rated endurance used`)
  const lastTest = now.selfTests[0]
  if (lastTest && !lastTest.passed) cut(25, `last self-test: ${lastTest.status}`)
  if (now.temperatureC !== undefined && now.temperatureC >= HOT_C) cut(10, `temperature ${now.temperatureC} °C`)
  if (input.ioErrors) cut(Math.min(30, 5 * input.ioErrors), `${input.ioErrors} I/O error${input.ioErrors === 1 ? '' : 's'} on this device`)
  if (input.auditorErrors) cut(Math.min(30, 5 * input.auditorErrors), `${input.auditorErrors} auditor error${input.auditorErrors === 1 ? '' : 's'} on this device`)
  if (input.latencyRatio !== undefined && input.latencyRatio >= 3) cut(15, `latency ${input.latencyRatio.toFixed(1)}× its siblings'`)
  score = Math.max(0, Math.min(100, score))
  const status: DiskStatus = now.passed === false || score < 50 ? 'failing' : score < 80 ? 'warning' : 'ok'
  return { score, status, reasons, rising }
}
