/**
 * The health service: runs the samplers on their intervals, SMART on a slow one, records
 * everything into the history, evaluates the alert rules and hands events to the console's
 * live stream and to the notifiers. Composition only: the figures, score, rules and storage
 * live in their own modules. Every timer is unref'd and stops with `stop()`.
 */
import type { Log } from '../lib/log.js'
import type { StateDb } from '../store/state-db.js'
import { AlertBook, type AlertEvent } from './alerts.js'
import type { AlertDelivery } from './delivery.js'
import { DiskHealth, type DiskState } from './disk-health.js'
import type { HardwareSource } from './hardware.js'
import { History } from './history.js'
import { deliverTo, type Notifier } from './notify.js'
import { DEFAULT_RULES, Rules, type RuleInput, type RuleSettings } from './rules.js'
import { DEFAULT_INTERVALS_MS, hardwareSamplers, part, processSampler, storageSampler, type Sampler, type SamplerIntervals, type Values } from './samplers.js'
import type { SmartSource } from './smartctl.js'
import type { StorageCounters } from './storage-counters.js'
import { replicationSampler, type Holdings, type ReplicationView, type StorageView } from './storage-view.js'

export interface HealthOptions {
  db: StateDb
  hardware: HardwareSource
  smart: SmartSource
  counters: StorageCounters
  log: Log
  intervalsMs?: Partial<SamplerIntervals>
  smartIntervalMs?: number
  alertIntervalMs?: number
  alertClearMs?: number
  rules?: Partial<RuleSettings>
  notifiers?: Notifier[]
  /** Email, webhook and syslog as set in the console (delivery.ts); gets every alert change. */
  delivery?: AlertDelivery
  /** What the ring wants and the devices there are (for the replicas rule). */
  replicas?: () => { wanted: number; available: number } | undefined
  certificates?: () => { name: string; notAfter: number }[]
  /** The ring device names a disk of this serial number holds (the disks registry), so its score counts their I/O and auditor errors. */
  ringDevicesOf?: (serial: string) => string[]
  /** The ring, devices and replicator as they are now (storage-view.ts), sampled every `replicationMs`. */
  storage?: StorageView
  replicationMs?: number
  clock?: () => number
}

export type LiveEvent = { type: 'sample'; at: number; values: Values } | { type: 'alert'; event: AlertEvent } | { type: 'disks'; disks: DiskState[] }

export class HealthService {
  readonly history: History
  readonly disks: DiskHealth
  readonly alerts: AlertBook
  readonly storage?: StorageView
  readonly delivery?: AlertDelivery
  private readonly rules: Rules
  private readonly samplers: Sampler[]
  private readonly proc: ReturnType<typeof processSampler>
  private readonly latest: Values = {}
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly inflight = new Set<Promise<unknown>>()
  private readonly live = new Set<(e: LiveEvent) => void>()
  private readonly clock: () => number
  private restarted?: { at: number }
  private running = false

  constructor(private readonly o: HealthOptions) {
    this.clock = o.clock ?? Date.now
    const iv = { ...DEFAULT_INTERVALS_MS, ...o.intervalsMs }
    this.history = new History(o.db)
    this.disks = new DiskHealth(o.db, o.smart)
    this.alerts = new AlertBook(o.db, { clearMs: o.alertClearMs })
    this.rules = new Rules({ ...DEFAULT_RULES, ...o.rules })
    this.proc = processSampler(iv.process)
    this.samplers = [...hardwareSamplers(o.hardware, iv), this.proc, storageSampler(o.counters, iv.storage)]
    this.storage = o.storage
    this.delivery = o.delivery
    if (o.delivery) this.alerts.onEvent((e) => o.delivery!.onEvent(e))
    if (o.storage) this.samplers.push(replicationSampler(o.storage, o.replicationMs ?? 60_000, this.clock))
    this.alerts.onEvent((event) => this.publish({ type: 'alert', event }))
    if (o.notifiers?.length) this.alerts.onEvent(deliverTo(o.notifiers, (n, err) => o.log.warn('alert delivery failed', { notifier: n.name, error: (err as Error).message })))
  }

  /** Loads alerts, notes an unclean previous stop, and starts every loop. */
  async start(): Promise<void> {
    await this.alerts.load()
    const run = this.o.db.namespace<{ startedAt: number }>('health-run')
    const marker = await run.get('running')
    if (marker) this.restarted = { at: this.clock() }
    await run.put('running', { startedAt: this.clock() })
    this.running = true
    for (const s of this.samplers) this.loop(s.intervalMs, () => this.runSampler(s))
    this.loop(this.o.smartIntervalMs ?? 3_600_000, () => this.pollSmart(), 2_000)
    this.loop(this.o.alertIntervalMs ?? 30_000, () => this.evaluate())
    // Stopped metrics leave the history hourly (history.ts); the first pass waits for a quiet start.
    this.loop(3_600_000, () => this.history.prune(this.clock()), 600_000)
  }

  private loop(intervalMs: number, fn: () => Promise<unknown>, firstMs = 0): void {
    const tick = async () => {
      if (!this.running) return
      const p = fn().catch((err) => this.o.log.debug('health loop failed', { error: (err as Error).message }))
      this.inflight.add(p)
      await p
      this.inflight.delete(p)
      if (this.running) this.schedule(tick, intervalMs)
    }
    this.schedule(tick, firstMs)
  }

  private schedule(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    t.unref()
    this.timers.add(t)
  }

  /** One reading of one sampler into the latest values and the history. */
  async runSampler(s: Sampler): Promise<Values> {
    const at = this.clock()
    const values = await s.sample(at)
    Object.assign(this.latest, values)
    this.history.recordAll(at, values)
    this.publish({ type: 'sample', at, values })
    return values
  }

  /** Every sampler once (the console's "refresh now", and tests). */
  async sampleAll(): Promise<Values> {
    for (const s of this.samplers) await this.runSampler(s).catch(() => undefined)
    return this.values()
  }

  async pollSmart(): Promise<DiskState[]> {
    const now = this.clock()
    const disks = await this.disks.poll(now, (d, serial) => {
      const names = serial && this.o.ringDevicesOf ? this.o.ringDevicesOf(serial) : []
      const c = [d, ...names].map((n) => this.o.counters.deviceTotals(n)).reduce((a, b) => ({ ioErrors: a.ioErrors + b.ioErrors, auditorErrors: a.auditorErrors + b.auditorErrors }), { ioErrors: 0, auditorErrors: 0 })
      return { ioErrors: c.ioErrors, auditorErrors: c.auditorErrors, latencyMs: this.latest[`io.${part(d)}.latency_ms`] ?? this.latest[`io.${part(d)}n1.latency_ms`] }
    })
    for (const d of disks) {
      const values: Values = { [`disk.${part(d.device)}.score`]: d.score.score }
      if (d.report.temperatureC !== undefined) values[`disk.${part(d.device)}.temp_c`] = d.report.temperatureC
      Object.assign(this.latest, values)
      this.history.recordAll(now, values)
    }
    this.publish({ type: 'disks', disks })
    return disks
  }

  /** The rules over what is known now. */
  async evaluate(): Promise<AlertEvent[]> {
    const now = this.clock()
    this.storage?.refreshFailed()
    const input: RuleInput = {
      now,
      values: this.values(),
      disks: this.disks.disks(),
      devices: this.o.counters.devices().map((device) => ({ device, ...this.o.counters.deviceTotals(device), failed: this.o.counters.isFailed(device) })),
      replicas: this.o.replicas?.(),
      certificates: this.o.certificates?.(),
      restartedUnexpectedly: this.restarted,
    }
    const events = await this.alerts.update(now, this.rules.evaluate(input))
    this.restarted = undefined
    return events
  }

  /**
   * What a disk holds: the ring devices on it (by its serial in the disks registry, or the
   * name itself when it is a ring device), each with its partitions, objects and bytes, and
   * the replicator's last reports. Empty when the storage view is not wired (tests).
   */
  async holds(name: string): Promise<{ devices: Holdings[]; replication?: ReplicationView }> {
    const view = this.storage
    if (!view) return { devices: [] }
    const serial = this.disks.disk(name)?.report.serial
    const names = new Set(serial && this.o.ringDevicesOf ? this.o.ringDevicesOf(serial) : [])
    if (view.isRingDevice(name)) names.add(name)
    return { devices: await Promise.all([...names].sort().map((n) => view.holdings(n))), replication: view.replication() }
  }

  values(): Values {
    return { ...this.latest }
  }

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.live.add(fn)
    return () => this.live.delete(fn)
  }

  private publish(e: LiveEvent): void {
    for (const fn of this.live) fn(e)
  }

  /** Stops every loop, writes open history buckets, and marks the stop as clean. */
  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    await Promise.all(this.inflight)
    this.proc.stop()
    await this.history.flush()
    await this.o.db.namespace('health-run').del('running')
  }
}
