/**
 * `velox bench swift`: small and medium objects as many Swift clients write and read them.
 * For each size (`--sizes=4096,1048576`, default 4 KiB and 1 MiB) `--clients=N` (default 16)
 * clients PUT `--ops=K` objects (default 500 of 4 KiB, 100 of 1 MiB), then GET them all back;
 * reports ops/s and MB/s for PUT and GET. Runs the same against a Velox appliance (its own
 * process, 3 replicas on 3 directory devices) and the real Swift (a SAIO from
 * test/harness/saio.ts, 3 replicas, directory devices) on this machine, side by side.
 *
 * Both systems run at once and are measured in turn, `--rounds=R` times (default 3), the
 * order alternating each round; the medians are compared, so a burst of load from elsewhere
 * on this 2-core machine does not decide the ratio. The client is one curl process per phase
 * with N transfers in flight (libcurl's multi interface, -Z, reusing its connections), the
 * lightest HTTP client there is, so that the client's CPU, which shares the cores with the
 * servers, caps neither system. Each round writes into a fresh container and deletes the
 * objects afterwards (not timed).
 * `--first-replica` adds a Velox that reads the first replica that answers (objects, and
 * container and account databases) and keeps no async_pending journal (what issue 11's
 * newest-replica reads and journal cost).
 * `--replicas=N` (default 3) for both; `--swift-url=URL` measures an already running Swift
 * (tempauth test:tester) instead of starting one; `--no-swift` measures Velox alone.
 * Owns the measurement only.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { saioUnavailableReason, startSaio } from '../../appliance/test/harness/saio.js'
import { startVeloxProcess, veloxNodeFlags, veloxThreadpool } from './velox-process.js'

function option(args: string[], name: string, fallback: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  return v === undefined ? fallback : Number(v)
}

/** One phase's rate: operations per second and payload MB per second. */
export interface Rate {
  opsPerSec: number
  mbPerSec: number
}

export interface SizeResult {
  put: Rate
  get: Rate
}

interface Target {
  name: string
  url: string
  /** Per size, one result per round. */
  results: Map<number, SizeResult[]>
}

async function auth(url: string): Promise<{ token: string; storageUrl: string }> {
  const r = await fetch(`${url}/auth/v1.0`, { headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing' } })
  if (r.status !== 200) throw new Error(`auth failed: ${r.status}`)
  return { token: r.headers.get('x-auth-token') as string, storageUrl: r.headers.get('x-storage-url') as string }
}

/** One curl with N transfers in flight over the URLs of a config file; resolves with one status per transfer. */
function curlMany(config: string, clients: number, extra: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const args = ['-sS', '-Z', '--parallel-max', String(clients), '-w', '%{http_code}\\n', ...extra, '-K', config]
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`curl: exit ${code} ${err.trim()}`))))
  })
}

function expectAll(codes: string[], count: number, ok: string[], what: string): void {
  const bad = codes.filter((c) => !ok.includes(c))
  if (codes.length !== count || bad.length > 0) throw new Error(`${what}: ${codes.length} answers of ${count}, unexpected: ${bad.slice(0, 10).join(' ')}`)
}

/** `getPasses`: GET every object this many times (a GET pass is short; more passes steady it). */
export async function measure(url: string, dir: string, round: number, size: number, file: string, ops: number, clients: number, getPasses = 1): Promise<SizeResult> {
  const { token, storageUrl } = await auth(url)
  const container = `${storageUrl}/bench-${size}-r${round}`
  const made = await fetch(container, { method: 'PUT', headers: { 'X-Auth-Token': token } })
  if (made.status !== 201 && made.status !== 202) throw new Error(`PUT container: ${made.status}`)
  const quote = (v: string) => JSON.stringify(v)
  const urls = Array.from({ length: ops }, (_, i) => `${container}/o${String(i).padStart(6, '0')}`)
  const putConfig = join(dir, `put-${size}-${round}.curlrc`)
  writeFileSync(putConfig, urls.map((u) => `url = ${quote(u)}\nupload-file = ${quote(file)}\noutput = "/dev/null"\n`).join(''))
  const getConfig = join(dir, `get-${size}-${round}.curlrc`)
  writeFileSync(getConfig, urls.map((u) => `url = ${quote(u)}\noutput = "/dev/null"\n`).join(''))
  const readConfig = join(dir, `read-${size}-${round}.curlrc`)
  writeFileSync(readConfig, Array.from({ length: getPasses }, () => readFileSync(getConfig, 'utf8')).join(''))
  const header = ['-H', `X-Auth-Token: ${token}`]
  const t0 = performance.now()
  expectAll(await curlMany(putConfig, clients, header), ops, ['201'], 'PUT')
  const t1 = performance.now()
  expectAll(await curlMany(readConfig, clients, header), ops * getPasses, ['200'], 'GET')
  const t2 = performance.now()
  // Not timed: the round's objects go, so that rounds do not fill the disk.
  expectAll(await curlMany(getConfig, clients, [...header, '-X', 'DELETE']), ops, ['204'], 'DELETE')
  await fetch(container, { method: 'DELETE', headers: { 'X-Auth-Token': token } })
  const rate = (ms: number): Rate => ({ opsPerSec: ops / (ms / 1000), mbPerSec: (ops * size) / 1e6 / (ms / 1000) })
  return { put: rate(t1 - t0), get: { opsPerSec: (ops * getPasses) / ((t2 - t1) / 1000), mbPerSec: (ops * getPasses * size) / 1e6 / ((t2 - t1) / 1000) } }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
}

function sizeName(size: number): string {
  return size >= 1048576 ? `${size / 1048576} MiB` : `${size / 1024} KiB`
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`
}

function rateCells(r: Rate): string[] {
  return [r.opsPerSec.toFixed(0), r.mbPerSec.toFixed(1)]
}

export async function run(args: string[]): Promise<void> {
  const sizes = (args.find((a) => a.startsWith('--sizes='))?.slice(8) ?? '4096,1048576').split(',').map(Number)
  const clients = option(args, 'clients', 16)
  const replicas = option(args, 'replicas', 3)
  const rounds = option(args, 'rounds', 3)
  const opsFor = (size: number) => option(args, 'ops', size >= 1048576 ? 100 : 500)
  const swiftUrl = args.find((a) => a.startsWith('--swift-url='))?.slice(12)
  console.log(`objects of ${sizes.map((s) => `${sizeName(s)} (${opsFor(s)} PUTs, then GETs)`).join(', ')}, ${clients} clients (curl -Z), ${rounds} rounds`)
  const swiftReplicas = swiftUrl ? 'as configured there' : `${replicas} (SAIO_REPLICAS=${replicas})`
  console.log(`replicas: velox ${replicas} (UV_THREADPOOL_SIZE=${veloxThreadpool()}, node ${veloxNodeFlags().join(' ') || 'without flags'}), swift ${swiftReplicas}`)
  const dir = mkdtempSync(join(tmpdir(), 'velox-bench-swift-'))
  const files = new Map(sizes.map((s) => [s, join(dir, `object-${s}`)]))
  for (const [s, f] of files) writeFileSync(f, randomBytes(s))
  const stops: Array<() => Promise<void>> = []
  try {
    const velox = await startVeloxProcess({ embedded: { devices: replicas, replicas, partPower: 10, minPartHours: 1 } })
    stops.push(velox.stop)
    const targets: Target[] = [{ name: 'velox', url: velox.url, results: new Map() }]
    // The cost of reading the newest replica and of the async_pending journal (issue 11): the
    // same appliance reading the first replica that answers, without the journal.
    if (args.includes('--first-replica')) {
      const first = await startVeloxProcess({ embedded: { devices: replicas, replicas, partPower: 10, minPartHours: 1 }, reads: { newestReplica: false }, listings: { journal: false } })
      stops.push(first.stop)
      targets.push({ name: 'velox, first replica, no journal', url: first.url, results: new Map() })
    }
    const why = args.includes('--no-swift') ? '--no-swift' : swiftUrl ? undefined : saioUnavailableReason()
    if (why) console.log(`swift: not measured (${why})`)
    else if (swiftUrl) targets.push({ name: `swift at ${swiftUrl}`, url: swiftUrl, results: new Map() })
    else {
      const saio = await startSaio({ replicas })
      stops.push(saio.stop)
      targets.push({ name: 'swift 2.30 (SAIO)', url: saio.url, results: new Map() })
    }
    console.log(row(['round', 'size', 'system', 'PUT ops/s', 'PUT MB/s', 'GET ops/s', 'GET MB/s', 'load avg']))
    console.log(row(['---:', '---:', '---', '---:', '---:', '---:', '---:', '---']))
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? targets : [...targets].reverse()
      for (const size of sizes) {
        for (const t of order) {
          const r = await measure(t.url, dir, round, size, files.get(size) as string, opsFor(size), clients)
          t.results.set(size, [...(t.results.get(size) ?? []), r])
          console.log(row([String(round), sizeName(size), t.name, ...rateCells(r.put), ...rateCells(r.get), loadAverage()]))
        }
      }
    }
    const med = (t: Target, size: number, f: (r: SizeResult) => Rate): Rate => {
      const rs = (t.results.get(size) ?? []).map(f)
      return { opsPerSec: median(rs.map((r) => r.opsPerSec)), mbPerSec: median(rs.map((r) => r.mbPerSec)) }
    }
    console.log(row(['median', 'size', 'system', 'PUT ops/s', 'PUT MB/s', 'GET ops/s', 'GET MB/s', '']))
    for (const size of sizes) {
      for (const t of targets) console.log(row(['', sizeName(size), t.name, ...rateCells(med(t, size, (r) => r.put)), ...rateCells(med(t, size, (r) => r.get)), '']))
    }
    if (targets.length === 2) {
      for (const size of sizes) {
        const ratio = (f: (r: SizeResult) => Rate) => (med(targets[0], size, f).opsPerSec / med(targets[1], size, f).opsPerSec).toFixed(2)
        console.log(`${sizeName(size)} ${targets[0].name} / ${targets[1].name} (medians): PUT ${ratio((r) => r.put)}×, GET ${ratio((r) => r.get)}×`)
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}
