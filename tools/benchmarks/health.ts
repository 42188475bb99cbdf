/**
 * `velox bench health`: what watching costs. (1) The samplers at their default intervals (the
 * config's defaults: 10 s for CPU, memory, network, I/O, process and storage counters, 30 s
 * temperatures and fans, 60 s filesystems, SMART hourly plus once at start, alert rules every
 * 30 s) in a child process for `--seconds=S` (default 120), against the same child with the
 * same modules loaded and health not started: CPU as % of one core, and RSS, both measured
 * in each child (targets: < 1 % of a core, < 30 MB), then where it goes: each sampler's CPU
 * per reading on this machine and its share of a core at its default interval, the history
 * writes and the alert rules, and prom-client's default metrics (its event-loop monitor
 * cost the most once). (2) The Swift bench's 4 KiB figures
 * (`--ops` PUTs then every object read GET_PASSES times, `--clients` as in `velox bench swift`;
 * `--rounds` pairs, default 20) against two
 * Velox processes, health on and health off, both warmed up, then measured in pairs back to
 * back, order alternating; the pairs' on/off ratios give a geometric mean and its 95 % interval
 * (target: no loss beyond 3 %; `--no-swift` skips it). Owns the measurement only.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { SystemHardware } from '../../appliance/src/health/hardware.js'
import { History } from '../../appliance/src/health/history.js'
import { DEFAULT_INTERVALS_MS, hardwareSamplers, processSampler, storageSampler, type Values } from '../../appliance/src/health/samplers.js'
import { StorageCounters } from '../../appliance/src/health/storage-counters.js'
import { StateDb } from '../../appliance/src/store/state-db.js'
import { loadAverage, measure, median, type SizeResult } from './swift.js'
import { startVeloxProcess, veloxNodeFlags } from './velox-process.js'

function option(args: string[], name: string, fallback: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  return v === undefined ? fallback : Number(v)
}

interface Cost {
  cpuPctOfCore: number
  rssMb: number
  samples: number
}

/** One child: loads the health modules, starts the service (or not), idles, reports its CPU and RSS. */
function samplerChild(on: boolean, seconds: number): Promise<Cost> {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'appliance', 'src')
  const code = `
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from ${JSON.stringify(join(dist, 'config', 'index.js'))}
import { StateDb } from ${JSON.stringify(join(dist, 'store', 'state-db.js'))}
import { startHealth } from ${JSON.stringify(join(dist, 'health', 'index.js'))}
import { createLog } from ${JSON.stringify(join(dist, 'lib', 'log.js'))}
const dir = mkdtempSync(join(tmpdir(), 'velox-bench-health-'))
const config = loadConfig({ flags: { dataDir: dir }, env: {} })
const db = await StateDb.open(join(dir, 'state'))
let samples = 0
const health = ${on} ? await startHealth({ config: { ...config.health, terminal: { ...config.health.terminal, enabled: false } }, dataDir: dir, devicesDir: config.devicesDir, db, log: createLog('warn', () => {}) }) : undefined
health?.service.subscribe((e) => { if (e.type === 'sample') samples++ })
await new Promise((r) => setTimeout(r, 3000)) // start-up (module loading, first reads) is not the steady cost
const c0 = process.cpuUsage(); const t0 = performance.now()
await new Promise((r) => setTimeout(r, ${seconds * 1000}))
const c = process.cpuUsage(c0); const wall = performance.now() - t0
const rss = process.memoryUsage().rss
await health?.stop(); await db.close(); rmSync(dir, { recursive: true, force: true })
console.log('RESULT ' + JSON.stringify({ cpuPctOfCore: (c.user + c.system) / 1000 / wall * 100, rssMb: rss / 1e6, samples }))
`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...veloxNodeFlags(), '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('close', (status) => {
      const m = /RESULT (.+)/.exec(out)
      if (m) resolve(JSON.parse(m[1]) as Cost)
      else reject(new Error(`sampler child exited ${status}: ${out}`))
    })
  })
}

const row = (cells: string[]) => `| ${cells.join(' | ')} |`
/** Each object is read this many times in a measurement: one GET pass of 500 lasts under half a second. */
const GET_PASSES = 4

/** CPU time (user + system, every thread) a process has used so far, in ms (/proc/<pid>/stat, 10 ms ticks). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  // After "pid (comm) ": state is field 3, so utime (14) and stime (15) sit at 11 and 12 here.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

/** The geometric mean of ratios and its 95 % interval (a t interval on their logarithms). */
export function geometricMean(ratios: number[]): { mean: number; low: number; high: number } {
  const logs = ratios.map(Math.log)
  const n = logs.length
  const m = logs.reduce((a, b) => a + b, 0) / n
  const sd = n > 1 ? Math.sqrt(logs.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1)) : 0
  // Student's t at 97.5 % for n - 1 degrees of freedom (≥ 30: the normal's 1.96).
  const T = [12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045]
  const t = n > 1 ? (T[n - 2] ?? 1.96) : 0
  const half = n > 1 ? (t * sd) / Math.sqrt(n) : 0
  return { mean: Math.exp(m), low: Math.exp(m - half), high: Math.exp(m + half) }
}

/** CPU ms (user + system) that `fn` takes, averaged over `n` runs. */
async function cpuMs(n: number, fn: (i: number) => Promise<unknown> | void): Promise<number> {
  const c0 = process.cpuUsage()
  for (let i = 0; i < n; i++) await fn(i)
  const c = process.cpuUsage(c0)
  return (c.user + c.system) / 1000 / n
}

/** Each part of sampling measured in this process: CPU per reading and its share of a core at the default interval. */
async function breakdown(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'velox-bench-health-parts-'))
  const db = await StateDb.open(join(dir, 'state'))
  const proc = processSampler(DEFAULT_INTERVALS_MS.process)
  const samplers = [...hardwareSamplers(new SystemHardware('/')), proc, storageSampler(new StorageCounters(), DEFAULT_INTERVALS_MS.storage)]
  console.log(row(['part', 'CPU ms per run', 'interval s', '% of a core', 'metrics']))
  console.log(row(['---', '---:', '---:', '---:', '---:']))
  const line = (name: string, ms: number, intervalMs: number, metrics: number | string) => console.log(row([name, ms.toFixed(3), String(intervalMs / 1000), ((100 * ms) / intervalMs).toFixed(4), String(metrics)]))
  let all: Values = {}
  let total = 0
  try {
    for (const s of samplers) {
      let v: Values = {}
      const ms = await cpuMs(n, async (i) => (v = await s.sample(Date.now() + i * s.intervalMs)))
      all = { ...all, ...v }
      total += ms / s.intervalMs
      line(s.name, ms, s.intervalMs, Object.keys(v).length)
    }
    const h = new History(db)
    const step = DEFAULT_INTERVALS_MS.cpu
    const ms = await cpuMs(n, (i) => h.recordAll(1e12 + i * step, all))
    const flush = await cpuMs(1, () => h.flush())
    total += (ms + flush / n) / step
    line('history (all metrics)', ms + flush / n, step, Object.keys(all).length)
    const reg = new Registry()
    collectDefaultMetrics({ register: reg, eventLoopMonitoringPrecision: 200 })
    const scrape = await cpuMs(Math.min(n, 50), () => reg.metrics())
    console.log(row(['prom-client scrape (on demand)', scrape.toFixed(3), '—', '—', '—']))
    console.log(`sum of the parts: ${(100 * total).toFixed(4)} % of a core (the children above also pay timers, GC and the event-loop monitors)`)
  } finally {
    proc.stop()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function run(args: string[]): Promise<void> {
  const seconds = option(args, 'seconds', 120)
  const rounds = option(args, 'rounds', 20)
  const ops = option(args, 'ops', 500)
  const clients = option(args, 'clients', 16)
  console.log(`(1) samplers at default intervals, ${seconds} s per child, both children at once; load avg ${loadAverage()}`)
  const [on, off] = await Promise.all([samplerChild(true, seconds), samplerChild(false, seconds)])
  console.log(row(['child', 'CPU % of one core', 'RSS MB', 'samples']))
  console.log(row(['---', '---:', '---:', '---:']))
  console.log(row(['health on', on.cpuPctOfCore.toFixed(3), on.rssMb.toFixed(1), String(on.samples)]))
  console.log(row(['health off (reference)', off.cpuPctOfCore.toFixed(3), off.rssMb.toFixed(1), '0']))
  console.log(`sampling costs ${(on.cpuPctOfCore - off.cpuPctOfCore).toFixed(3)} % of a core and ${(on.rssMb - off.rssMb).toFixed(1)} MB RSS (targets < 1 %, < 30 MB); load avg ${loadAverage()}`)
  console.log(`\n(1b) where it goes: each part ${option(args, 'runs', 200)} times in this process; load avg ${loadAverage()}`)
  await breakdown(option(args, 'runs', 200))

  if (args.includes('--no-swift')) return
  console.log(`\n(2) Swift 4 KiB, ${ops} PUTs then ${GET_PASSES} × ${ops} GETs, ${clients} clients (curl -Z), a warm-up each, then ${rounds} pairs, health on vs off`)
  const dir = mkdtempSync(join(tmpdir(), 'velox-bench-health-swift-'))
  const file = join(dir, 'object-4096')
  writeFileSync(file, randomBytes(4096))
  const embedded = { devices: 3, replicas: 3, partPower: 10, minPartHours: 1 }
  const withHealth = await startVeloxProcess({ embedded, health: { enabled: true } })
  const without = await startVeloxProcess({ embedded, health: { enabled: false } })
  const targets = [
    { name: 'health on', url: withHealth.url, pid: withHealth.pid, results: [] as SizeResult[], cpuPerRequest: [] as number[] },
    { name: 'health off', url: without.url, pid: without.pid, results: [] as SizeResult[], cpuPerRequest: [] as number[] },
  ]
  // Requests in one measurement: the PUTs, the GET passes, the DELETEs, and the container's own few.
  const requests = ops * (2 + GET_PASSES)
  try {
    // Both warm up first (JIT, caches, the first containers): throughput climbs over the first
    // rounds, which would otherwise favour whichever went second.
    for (const t of targets) await measure(t.url, dir, 0, 4096, file, ops, clients, GET_PASSES)
    console.log(row(['pair', 'velox', 'PUT ops/s', 'GET ops/s', 'server CPU µs per request', 'load avg']))
    console.log(row(['---:', '---', '---:', '---:', '---:', '---']))
    for (let round = 1; round <= rounds; round++) {
      for (const t of round % 2 ? targets : [...targets].reverse()) {
        const cpu0 = processCpuMs(t.pid)
        const r = await measure(t.url, dir, round, 4096, file, ops, clients, GET_PASSES)
        const perRequest = ((processCpuMs(t.pid) - cpu0) * 1000) / requests
        t.results.push(r)
        t.cpuPerRequest.push(perRequest)
        console.log(row([String(round), t.name, r.put.opsPerSec.toFixed(0), r.get.opsPerSec.toFixed(0), perRequest.toFixed(0), loadAverage()]))
      }
    }
    const med = (i: number, f: (r: SizeResult) => number) => median(targets[i].results.map(f))
    for (const [label, f] of [['PUT', (r: SizeResult) => r.put.opsPerSec], ['GET', (r: SizeResult) => r.get.opsPerSec]] as const) {
      // Each pair ran back to back, so its ratio cancels the machine's drift; the geometric mean
      // of the pairs' ratios, with a 95 % interval, says whether a difference is measurable.
      const ratios = targets[0].results.map((r, i) => f(r) / f(targets[1].results[i]))
      const g = geometricMean(ratios)
      const verdict = g.high < 0.97 ? 'NOT met' : g.mean >= 0.97 ? 'met' : 'not shown'
      console.log(`4 KiB ${label}: medians on ${med(0, f).toFixed(0)} ops/s, off ${med(1, f).toFixed(0)} ops/s; on/off per pair: median ${median(ratios).toFixed(3)}×, geometric mean ${g.mean.toFixed(3)}× (95 % interval ${g.low.toFixed(3)}–${g.high.toFixed(3)}×) over ${ratios.length} pairs; target ≥ 0.97×: ${verdict}`)
    }
    // The server's CPU per request is steadier than throughput on a shared machine: what health
    // costs each request (and its samplers meanwhile), whatever the clients' scheduling did.
    const cpuRatios = targets[0].cpuPerRequest.map((c, i) => c / targets[1].cpuPerRequest[i])
    const c = geometricMean(cpuRatios)
    console.log(`server CPU per request: medians on ${median(targets[0].cpuPerRequest).toFixed(0)} µs, off ${median(targets[1].cpuPerRequest).toFixed(0)} µs; on/off per pair: geometric mean ${c.mean.toFixed(3)}× (95 % interval ${c.low.toFixed(3)}–${c.high.toFixed(3)}×); target ≤ 1.03×: ${c.low > 1.03 ? 'NOT met' : c.mean <= 1.03 ? 'met' : 'not shown'}`)
  } finally {
    await withHealth.stop()
    await without.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
