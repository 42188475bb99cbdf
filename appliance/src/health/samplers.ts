/**
 * The samplers: each turns one kind of reading (CPU, memory, temperatures, fans, network,
 * block I/O, filesystems, the Velox process, the storage layer's counters) into flat, dotted
 * metric names with numbers (`net.eth0.rx_bytes_per_s`), and each runs on its own bounded
 * interval. Counters become per-second rates from the previous reading; a counter that went
 * backwards (reset, wrap) gives no rate that round rather than a huge negative one.
 */
import { readdir } from 'node:fs/promises'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { isWholeDisk, type HardwareSource } from './hardware.js'
import type { StorageCounters } from './storage-counters.js'

export type Values = Record<string, number>

export interface Sampler {
  name: string
  intervalMs: number
  sample(now: number): Promise<Values>
}

/** Default intervals: the cheap /proc reads often, the forking ones (df) rarely. */
export const DEFAULT_INTERVALS_MS = { cpu: 10_000, memory: 10_000, temperatures: 30_000, fans: 30_000, network: 10_000, io: 10_000, filesystems: 60_000, process: 10_000, storage: 10_000 }
export type SamplerIntervals = typeof DEFAULT_INTERVALS_MS

/** A name part safe in a metric name (interface and device names are mostly so already). */
export const part = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_')

/** Per-second rates of monotonically increasing counters. */
export class Rates {
  private readonly prev = new Map<string, { t: number; v: number }>()
  rate(key: string, t: number, v: number): number | undefined {
    const p = this.prev.get(key)
    this.prev.set(key, { t, v })
    if (!p || t <= p.t || v < p.v) return undefined
    return ((v - p.v) * 1000) / (t - p.t)
  }
}

function put(out: Values, key: string, v: number | undefined): void {
  if (v !== undefined && Number.isFinite(v)) out[key] = v
}

export function hardwareSamplers(hw: HardwareSource, iv: SamplerIntervals = DEFAULT_INTERVALS_MS): Sampler[] {
  const netRates = new Rates()
  const ioRates = new Rates()
  const ioPrev = new Map<string, { ops: number; ms: number }>()
  return [
    {
      name: 'cpu',
      intervalMs: iv.cpu,
      async sample() {
        const c = await hw.cpu()
        const out: Values = { 'cpu.load_pct': c.loadPct, 'cpu.load1': c.load1 }
        c.coresPct.forEach((p, i) => put(out, `cpu.core.${i}.load_pct`, p))
        return out
      },
    },
    {
      name: 'memory',
      intervalMs: iv.memory,
      async sample() {
        const m = await hw.memory()
        return { 'mem.total_bytes': m.totalBytes, 'mem.used_bytes': m.usedBytes, 'mem.available_bytes': m.availableBytes, 'mem.swap_used_bytes': m.swapUsedBytes, 'mem.used_pct': (100 * m.usedBytes) / m.totalBytes }
      },
    },
    {
      name: 'temperatures',
      intervalMs: iv.temperatures,
      async sample() {
        const t = await hw.temperatures()
        const out: Values = {}
        put(out, 'temp.cpu_c', t.cpuC)
        put(out, 'temp.chipset_c', t.chipsetC)
        t.coresC.forEach((c, i) => put(out, `temp.core.${i}_c`, c))
        return out
      },
    },
    {
      name: 'fans',
      intervalMs: iv.fans,
      async sample() {
        const out: Values = {}
        for (const f of await hw.fans()) out[`fan.${part(f.name)}.rpm`] = f.rpm
        return out
      },
    },
    {
      name: 'network',
      intervalMs: iv.network,
      async sample(now) {
        const out: Values = {}
        for (const n of await hw.network()) {
          const k = `net.${part(n.name)}`
          out[`${k}.up`] = n.up ? 1 : 0
          put(out, `${k}.speed_mbps`, n.speedMbps)
          for (const [c, v] of [['rx_bytes', n.rxBytes], ['tx_bytes', n.txBytes], ['rx_packets', n.rxPackets], ['tx_packets', n.txPackets], ['rx_errors', n.rxErrors], ['tx_errors', n.txErrors], ['rx_drops', n.rxDropped], ['tx_drops', n.txDropped]] as const) {
            put(out, `${k}.${c}_per_s`, netRates.rate(`${k}.${c}`, now, v))
          }
        }
        return out
      },
    },
    {
      name: 'io',
      intervalMs: iv.io,
      async sample(now) {
        const out: Values = {}
        for (const d of await hw.diskstats()) {
          if (!isWholeDisk(d.name)) continue
          const k = `io.${part(d.name)}`
          put(out, `${k}.read_ops_per_s`, ioRates.rate(`${k}.r`, now, d.reads))
          put(out, `${k}.write_ops_per_s`, ioRates.rate(`${k}.w`, now, d.writes))
          put(out, `${k}.read_bytes_per_s`, mul(ioRates.rate(`${k}.rs`, now, d.sectorsRead), 512))
          put(out, `${k}.write_bytes_per_s`, mul(ioRates.rate(`${k}.ws`, now, d.sectorsWritten), 512))
          const busy = ioRates.rate(`${k}.io`, now, d.msIo)
          put(out, `${k}.util_pct`, busy === undefined ? undefined : Math.min(100, busy / 10))
          // Mean latency of the operations completed since the last reading (iostat's await).
          const ops = d.reads + d.writes
          const ms = d.msReading + d.msWriting
          const p = ioPrev.get(k)
          ioPrev.set(k, { ops, ms })
          if (p && ops >= p.ops && ms >= p.ms) out[`${k}.latency_ms`] = ops > p.ops ? (ms - p.ms) / (ops - p.ops) : 0
        }
        return out
      },
    },
    {
      name: 'filesystems',
      intervalMs: iv.filesystems,
      async sample() {
        const out: Values = {}
        for (const f of await hw.filesystems()) {
          const k = `fs.${part(f.device)}`
          out[`${k}.size_bytes`] = f.sizeBytes
          out[`${k}.used_bytes`] = f.usedBytes
          out[`${k}.used_pct`] = (100 * f.usedBytes) / f.sizeBytes
        }
        return out
      },
    },
  ]
}

const mul = (v: number | undefined, k: number) => (v === undefined ? undefined : v * k)

/** The Velox process itself: RSS, heap, event-loop delay (p99 over the interval), open files. */
export function processSampler(intervalMs: number, procFdDir = '/proc/self/fd'): Sampler & { stop(): void } {
  // A 200 ms timer resolution: a 20 ms one alone cost 0.5 % of a core here; stalls that matter are longer.
  const delay = monitorEventLoopDelay({ resolution: 200 })
  delay.enable()
  return {
    name: 'process',
    intervalMs,
    async sample() {
      const m = process.memoryUsage()
      const out: Values = { 'process.rss_bytes': m.rss, 'process.heap_used_bytes': m.heapUsed, 'process.uptime_s': process.uptime() }
      if (delay.count > 0) out['process.event_loop_delay_ms'] = delay.percentile(99) / 1e6
      delay.reset()
      const fds = await readdir(procFdDir).catch(() => undefined)
      if (fds) out['process.open_fds'] = fds.length
      return out
    },
    stop: () => delay.disable(),
  }
}

/** The storage layer's own counters as rates and totals. */
export function storageSampler(counters: StorageCounters, intervalMs: number): Sampler {
  const rates = new Rates()
  return {
    name: 'storage',
    intervalMs,
    async sample(now) {
      const out: Values = {}
      for (const [key, n] of counters.requests()) put(out, `swift.requests.${key}_per_s`, rates.rate(key, now, n))
      const s = counters.totals()
      out['storage.quarantined_total'] = s.quarantined
      out['storage.auditor_errors_total'] = s.auditorErrors
      out['storage.io_errors_total'] = s.ioErrors
      put(out, 'storage.replication_backlog', s.replicationBacklog)
      return out
    },
  }
}
