/**
 * /metrics in Prometheus text format (prom-client): every sampler figure as a gauge named
 * `velox_<family>_<figure>` with the device, interface, core or fan as a label, the storage
 * layer's request counters, alert and disk-score gauges, and prom-client's process metrics.
 * Gauges are set from the health service's latest values at each scrape, so a scrape costs
 * no hardware read.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { HealthService } from './service.js'
import type { StorageCounters } from './storage-counters.js'

/** Families whose second name part is a label, and that label's name. */
const LABELLED: Record<string, string> = { net: 'interface', io: 'device', fs: 'device', disk: 'device', fan: 'fan' }

export function promName(key: string): { name: string; labels: Record<string, string> } | undefined {
  const parts = key.split('.')
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_')
  if (parts.length === 4 && (parts[0] === 'cpu' || parts[0] === 'temp') && parts[1] === 'core') {
    return { name: `velox_${parts[0]}_core_${clean(parts[3])}`, labels: { core: parts[2] } }
  }
  if (parts[0] === 'temp' && parts[1] === 'core' && parts.length === 3) {
    const m = /^(\d+)_(\w+)$/.exec(parts[2])
    if (m) return { name: `velox_temp_core_${m[2]}`, labels: { core: m[1] } }
  }
  if (parts[0] === 'swift') return undefined // exported as counters, not rates
  const label = LABELLED[parts[0]]
  if (label && parts.length === 3) return { name: `velox_${parts[0]}_${clean(parts[2])}`, labels: { [label]: parts[1] } }
  return { name: `velox_${parts.map(clean).join('_')}`, labels: {} }
}

export class HealthMetrics {
  readonly registry = new Registry()
  private readonly gauges = new Map<string, Gauge>()

  constructor(private readonly health: HealthService, counters: StorageCounters) {
    // prom-client's event-loop monitor wakes every 10 ms by default: 0.85 % of a core on its
    // own here, most of what health cost. At 200 ms (as the process sampler's) it is ~0.1 %.
    collectDefaultMetrics({ register: this.registry, prefix: 'velox_node_', eventLoopMonitoringPrecision: 200 })
    const reg = [this.registry]
    new Counter({
      name: 'velox_swift_requests_total',
      help: 'Requests answered, by verb and status class',
      labelNames: ['verb', 'status'],
      registers: reg,
      collect() {
        this.reset()
        for (const [key, n] of counters.requests()) {
          const [verb, status] = key.split('.')
          this.inc({ verb, status }, n)
        }
      },
    })
    new Gauge({
      name: 'velox_alerts',
      help: 'Alerts not resolved, by state and severity',
      labelNames: ['state', 'severity'],
      registers: reg,
      collect() {
        this.reset()
        for (const a of health.alerts.list({ state: 'active' })) this.inc({ state: a.state, severity: a.severity })
      },
    })
  }

  private gauge(name: string, labelNames: string[]): Gauge {
    let g = this.gauges.get(name)
    if (!g) {
      g = new Gauge({ name, help: `Velox health sampler figure ${name.slice(6)}`, labelNames, registers: [this.registry] })
      this.gauges.set(name, g)
    }
    return g
  }

  /** The text of one scrape. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    for (const g of this.gauges.values()) g.reset()
    for (const [key, v] of Object.entries(this.health.values())) {
      const p = promName(key)
      if (p) this.gauge(p.name, Object.keys(p.labels)).set(p.labels, v)
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
