/**
 * `velox bench slo`: a large object as Swift clients write it. Uploads `--segments=N` segments
 * of `--segment-mib=M` MiB (default 64 × 16 MiB = 1 GiB) with `--parallel=P` (default 8)
 * segment PUTs in flight, PUTs the SLO manifest, then GETs the assembled object whole; reports
 * MB/s for the upload and the download. Runs the same against a Velox appliance (its own
 * process, 3 replicas on 3 directory devices) and the real Swift (a SAIO from
 * test/harness/saio.ts, 3 replicas, directory devices) on this machine, side by side.
 *
 * Both systems run at once and are measured in turn, `--rounds=R` times (default 3), the
 * order alternating each round; the medians are compared, so a burst of load from elsewhere
 * on this 2-core machine does not decide the ratio. The client is curl, the lightest HTTP
 * client there is, so that the client's own CPU, which shares the cores with the server,
 * caps neither system: one process uploads all segments (libcurl's multi interface, as
 * swift and rclone upload segments from one process); one process GETs the object. Each round writes new objects and
 * deletes them afterwards (not timed).
 * `--replicas=N` (default 3) for both; `--swift-url=URL` measures an already running Swift
 * (tempauth test:tester) instead of starting one; `--no-swift` measures Velox alone.
 * Owns the measurement only.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { saioUnavailableReason, startSaio } from '../../appliance/test/harness/saio.js'
import { startVeloxProcess, veloxNodeFlags, veloxThreadpool } from './velox-process.js'

function option(args: string[], name: string, fallback: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  return v === undefined ? fallback : Number(v)
}

interface Result {
  uploadMBps: number
  downloadMBps: number
  manifestMs: number
}

interface Target {
  name: string
  url: string
  results: Result[]
}

async function auth(url: string): Promise<{ token: string; storageUrl: string }> {
  const r = await fetch(`${url}/auth/v1.0`, { headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing' } })
  if (r.status !== 200) throw new Error(`auth failed: ${r.status}`)
  return { token: r.headers.get('x-auth-token') as string, storageUrl: r.headers.get('x-storage-url') as string }
}

async function check(r: Response, what: string, ok: number[]): Promise<void> {
  if (!ok.includes(r.status)) throw new Error(`${what}: ${r.status} ${await r.text()}`)
  await r.arrayBuffer()
}

/** One curl; resolves with its `-w` output. */
function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--fail-with-body', '-o', '/dev/null', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl ${args.slice(-1)[0]}: exit ${code} ${err.trim()} ${out.trim()}`))))
  })
}

async function measure(url: string, round: number, file: string, etag: string, segments: number, segmentBytes: number, parallel: number): Promise<Result> {
  const { token, storageUrl } = await auth(url)
  const h = { 'X-Auth-Token': token }
  for (const c of ['bench', 'bench_segments']) await check(await fetch(`${storageUrl}/${c}`, { method: 'PUT', headers: h }), `PUT ${c}`, [201, 202])
  const segPath = (i: number) => `bench_segments/r${round}/${String(i).padStart(5, '0')}`
  // One curl process for every segment, `parallel` transfers in flight (libcurl's multi
  // interface, -Z), as real clients (swift, rclone) upload segments from one process.
  const config = join(dirname(file), `segments-${round}.curlrc`)
  const quote = (v: string) => JSON.stringify(v)
  writeFileSync(config, Array.from({ length: segments }, (_, i) => `url = ${quote(`${storageUrl}/${segPath(i)}`)}\nupload-file = ${quote(file)}\noutput = "/dev/null"\n`).join(''))
  const t0 = performance.now()
  const codes = (await curl(['-Z', '--parallel-max', String(parallel), '-w', '%{http_code}\\n', '-H', `X-Auth-Token: ${token}`, '-H', `Etag: ${etag}`, '-K', config])).trim().split('\n')
  const t1 = performance.now()
  const failed = codes.filter((c) => c !== '201')
  if (codes.length !== segments || failed.length > 0) throw new Error(`segment PUTs: ${codes.length} answers, not 201: ${failed.join(' ')}`)
  const manifest = Array.from({ length: segments }, (_, i) => ({ path: segPath(i), etag, size_bytes: segmentBytes }))
  const object = `${storageUrl}/bench/big-r${round}`
  await check(await fetch(`${object}?multipart-manifest=put`, { method: 'PUT', headers: h, body: JSON.stringify(manifest) }), 'manifest', [201])
  const t2 = performance.now()
  const [code, size] = (await curl(['-w', '%{http_code} %{size_download}', '-H', `X-Auth-Token: ${token}`, object])).split(' ')
  const t3 = performance.now()
  const total = segments * segmentBytes
  if (code !== '200' || Number(size) !== total) throw new Error(`GET: ${code}, ${size} of ${total} bytes`)
  // Not timed: the round's objects go, so that rounds do not fill the disk.
  await check(await fetch(`${object}?multipart-manifest=delete`, { method: 'DELETE', headers: h }), 'delete', [200])
  const mb = total / 1e6
  return { uploadMBps: mb / ((t1 - t0) / 1000), downloadMBps: mb / ((t3 - t2) / 1000), manifestMs: t2 - t1 }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
}

export async function run(args: string[]): Promise<void> {
  const segments = option(args, 'segments', 64)
  const segmentBytes = option(args, 'segment-mib', 16) * 1024 * 1024
  const parallel = option(args, 'parallel', 8)
  const replicas = option(args, 'replicas', 3)
  const rounds = option(args, 'rounds', 3)
  const swiftUrl = args.find((a) => a.startsWith('--swift-url='))?.slice(12)
  console.log(`SLO of ${segments} × ${segmentBytes / 1048576} MiB (${((segments * segmentBytes) / 1073741824).toFixed(2)} GiB), ${parallel} segment PUTs in flight (curl), ${rounds} rounds`)
  const swiftReplicas = swiftUrl ? 'as configured there' : `${replicas} (SAIO_REPLICAS=${replicas})`
  console.log(`replicas: velox ${replicas} (UV_THREADPOOL_SIZE=${veloxThreadpool()}, node ${veloxNodeFlags().join(' ') || 'without flags'}), swift ${swiftReplicas}`)
  const dir = mkdtempSync(join(tmpdir(), 'velox-bench-slo-'))
  const file = join(dir, 'segment')
  const data = randomBytes(segmentBytes)
  writeFileSync(file, data)
  const etag = createHash('md5').update(data).digest('hex')
  const stops: Array<() => Promise<void>> = []
  try {
    const velox = await startVeloxProcess({ embedded: { devices: replicas, replicas, partPower: 10, minPartHours: 1 } })
    stops.push(velox.stop)
    const targets: Target[] = [{ name: 'velox', url: velox.url, results: [] }]
    const why = args.includes('--no-swift') ? '--no-swift' : swiftUrl ? undefined : saioUnavailableReason()
    if (why) console.log(`swift: not measured (${why})`)
    else if (swiftUrl) targets.push({ name: `swift at ${swiftUrl}`, url: swiftUrl, results: [] })
    else {
      const saio = await startSaio({ replicas })
      stops.push(saio.stop)
      targets.push({ name: 'swift 2.30 (SAIO)', url: saio.url, results: [] })
    }
    console.log('| round | system | upload MB/s | manifest PUT ms | download MB/s | load avg |')
    console.log('| ---: | --- | ---: | ---: | ---: | --- |')
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? targets : [...targets].reverse()
      for (const t of order) {
        const r = await measure(t.url, round, file, etag, segments, segmentBytes, parallel)
        t.results.push(r)
        console.log(`| ${round} | ${t.name} | ${r.uploadMBps.toFixed(0)} | ${r.manifestMs.toFixed(0)} | ${r.downloadMBps.toFixed(0)} | ${loadAverage()} |`)
      }
    }
    const med = (t: Target, f: (r: Result) => number) => median(t.results.map(f))
    console.log('| median | system | upload MB/s | manifest PUT ms | download MB/s | |')
    for (const t of targets) console.log(`| | ${t.name} | ${med(t, (r) => r.uploadMBps).toFixed(0)} | ${med(t, (r) => r.manifestMs).toFixed(0)} | ${med(t, (r) => r.downloadMBps).toFixed(0)} | |`)
    if (targets.length === 2) {
      const ratio = (f: (r: Result) => number) => (med(targets[0], f) / med(targets[1], f)).toFixed(2)
      console.log(`velox / swift (medians): upload ${ratio((r) => r.uploadMBps)}×, download ${ratio((r) => r.downloadMBps)}× (target ≥ 2×)`)
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
}
