/**
 * The admin console's calls (`/api/admin/…`, admin sessions only) and the live stream
 * (server-sent events at /api/admin/health/events) as a React hook.
 */
import { useEffect, useState } from 'react'
import { request, requestJson } from '../api/http'
import type { Alert } from '../../../appliance/src/health/alerts'
import type { DiskState } from '../../../appliance/src/health/disk-health'
import type { Severity } from '../../../appliance/src/health/rules'
import type { SmartReport } from '../../../appliance/src/disks/smart'
import type { Holdings, ReplicationView } from '../../../appliance/src/health/storage-view'

export type Values = Record<string, number>
export type { Alert, DiskState, Holdings, ReplicationView, Severity, SmartReport }

export interface Summary {
  at: number
  values: Values
  disks: DiskState[]
  alerts: Alert[]
  firing: number
}

export interface Point {
  t: number
  avg: number
  min: number
  max: number
}

export interface Series {
  metric: string
  stepMs: number
  points: Point[]
}

export type Range = 'hour' | 'day' | 'week'

export const getSummary = () => requestJson<Summary>('/api/admin/health/summary', { cache: 'no-store' })

export async function getHistory(metrics: string[], range: Range): Promise<Series[]> {
  const q = new URLSearchParams({ metric: metrics.join(','), range })
  return (await requestJson<{ series: Series[] }>(`/api/admin/health/history?${q}`, { cache: 'no-store' })).series
}

export const getAlerts = (state = '') => requestJson<{ alerts: Alert[]; firing: number }>(`/api/admin/alerts${state ? `?state=${state}` : ''}`, { cache: 'no-store' })

export const acknowledge = (id: string) => requestJson<Alert>(`/api/admin/alerts/${encodeURIComponent(id)}/acknowledge`, { method: 'POST' })

export const getDisk = (device: string) => requestJson<DiskState>(`/api/admin/health/disks/${encodeURIComponent(device)}`, { cache: 'no-store' })

/** What a disk holds: its ring devices' partitions, objects and bytes, and the replicator's last reports. */
export const getHolds = (device: string) => requestJson<{ devices: Holdings[]; replication?: ReplicationView }>(`/api/admin/health/disks/${encodeURIComponent(device)}/holds`, { cache: 'no-store' })

export const readSmartNow = () => request('/api/admin/health/smart', { method: 'POST' })

export interface LogLine {
  time: string
  level?: string
  type?: string
  msg?: string
  trans_id?: string
  [k: string]: unknown
}

export async function searchLogs(q: Record<string, string>): Promise<{ lines: LogLine[]; truncated: boolean }> {
  const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== ''))
  return requestJson(`/api/admin/logs?${params}`, { cache: 'no-store' })
}

/**
 * The console's live state: the summary loaded once, then kept current by the event stream
 * (values merged in, disks replaced, alerts reloaded on any alert event).
 */
export function useLiveSummary(): { summary: Summary | null; error: string | null; reload: () => void } {
  const [summary, setSummary] = useState<Summary | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let alive = true
    getSummary().then((s) => alive && setSummary(s), (e: Error) => alive && setError(e.message))
    const es = new EventSource('/api/admin/health/events')
    es.addEventListener('values', (ev) => {
      const { values } = JSON.parse((ev as MessageEvent).data) as { values: Values }
      setSummary((s) => (s ? { ...s, values: { ...s.values, ...values } } : s))
    })
    es.addEventListener('disks', (ev) => {
      const disks = JSON.parse((ev as MessageEvent).data) as DiskState[]
      setSummary((s) => (s ? { ...s, disks } : s))
    })
    es.addEventListener('alert', () => {
      getAlerts('active').then(({ alerts, firing }) => alive && setSummary((s) => (s ? { ...s, alerts, firing } : s)), () => undefined)
    })
    return () => {
      alive = false
      es.close()
    }
  }, [tick])
  return { summary, error, reload: () => setTick((t) => t + 1) }
}
