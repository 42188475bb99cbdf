/**
 * `velox bench slo`: a large object as Swift clients write it. Uploads `--segments=N` segments
 * of `--segment-mib=M` MiB (default 64 × 16 MiB = 1 GiB) with `--parallel=P` (default 8)
 * segment PUTs in flight, PUTs the SLO manifest, then GETs the assembled object whole; reports
 * MB/s for the upload and the download. Runs the same against a Velox appliance (its own
 * process, 3 replicas on 3 directory devices) and the real Swift (a SAIO from
 * test/harness/saio.ts, 3 replicas, directory devices) on this machine, side by side.
 * `--replicas=N` (default 3) for both; `--swift-url=URL` measures an already running Swift (tempauth
 * test:tester) instead of starting one; `--no-swift` measures Velox alone. Owns the measurement only.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { saioUnavailableReason, startSaio } from '../../appliance/test/harness/saio.js'

function option(args: string[], name: string, fallback: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  return v === undefined ? fallback : Number(v)
}

interface Result {
  uploadMBps: number
  downloadMBps: number
  manifestMs: number
}

function veloxThreadpool(): string {
  return process.env.UV_THREADPOOL_SIZE ?? '16'
}

/** Starts a Velox test appliance in a child process (so that the client does not share its event loop). */
async function startVeloxProcess(replicas: number): Promise<{ url: string; stop(): Promise<void> }> {
  const harness = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'appliance', 'test', 'harness', 'test-appliance.js')
  const code = `import { startTestAppliance } from ${JSON.stringify(harness)}
const a = await startTestAppliance({ flags: { embedded: { devices: ${replicas}, replicas: ${replicas}, partPower: 10, minPartHours: 1 } } })
console.log('URL ' + a.url)
process.stdin.on('data', async () => { await a.stop(); process.exit(0) })`
  // As tools/velox runs it: fsyncs and writes of 8 PUTs × 3 replicas must not queue behind 4 threads.
  const env = { ...process.env, UV_THREADPOOL_SIZE: veloxThreadpool() }
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'], env })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /URL (\S+)/.exec(out)
      if (m) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`velox exited with ${code}`)))
  })
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.stdin!.write('stop\n')
      }),
  }
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

async function measure(url: string, segments: number, segmentBytes: number, parallel: number): Promise<Result> {
  const { token, storageUrl } = await auth(url)
  const h = { 'X-Auth-Token': token }
  for (const c of ['bench', 'bench_segments']) await check(await fetch(`${storageUrl}/${c}`, { method: 'PUT', headers: h }), `PUT ${c}`, [201, 202])
  const data = randomBytes(segmentBytes)
  const etag = createHash('md5').update(data).digest('hex')
  const t0 = performance.now()
  let next = 0
  const worker = async () => {
    while (next < segments) {
      const i = next++
      const r = await fetch(`${storageUrl}/bench_segments/big/${String(i).padStart(5, '0')}`, { method: 'PUT', headers: { ...h, Etag: etag }, body: data })
      await check(r, `segment ${i}`, [201])
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  const t1 = performance.now()
  const manifest = Array.from({ length: segments }, (_, i) => ({ path: `bench_segments/big/${String(i).padStart(5, '0')}`, etag, size_bytes: segmentBytes }))
  await check(await fetch(`${storageUrl}/bench/big?multipart-manifest=put`, { method: 'PUT', headers: h, body: JSON.stringify(manifest) }), 'manifest', [201])
  const t2 = performance.now()
  const r = await fetch(`${storageUrl}/bench/big`, { headers: h })
  if (r.status !== 200 || !r.body) throw new Error(`GET: ${r.status}`)
  let bytes = 0
  for await (const chunk of r.body) bytes += (chunk as Uint8Array).length
  const t3 = performance.now()
  const total = segments * segmentBytes
  if (bytes !== total) throw new Error(`GET returned ${bytes} of ${total} bytes`)
  const mb = total / 1e6
  return { uploadMBps: mb / ((t1 - t0) / 1000), downloadMBps: mb / ((t3 - t2) / 1000), manifestMs: t2 - t1 }
}

export async function run(args: string[]): Promise<void> {
  const segments = option(args, 'segments', 64)
  const segmentBytes = option(args, 'segment-mib', 16) * 1024 * 1024
  const parallel = option(args, 'parallel', 8)
  const replicas = option(args, 'replicas', 3)
  const swiftUrl = args.find((a) => a.startsWith('--swift-url='))?.slice(12)
  console.log(`SLO of ${segments} × ${segmentBytes / 1048576} MiB (${((segments * segmentBytes) / 1073741824).toFixed(2)} GiB), ${parallel} segment PUTs in flight`)
  const swiftReplicas = swiftUrl ? 'as configured there' : `${replicas} (SAIO_REPLICAS=${replicas})`
  console.log(`replicas: velox ${replicas} (UV_THREADPOOL_SIZE=${veloxThreadpool()}), swift ${swiftReplicas}`)
  const rows: Array<[string, Result]> = []
  const row = (name: string, r: Result) => {
    rows.push([name, r])
    console.log(`| ${name} | ${r.uploadMBps.toFixed(0)} | ${r.manifestMs.toFixed(0)} | ${r.downloadMBps.toFixed(0)} |`)
  }
  console.log('| system | upload MB/s | manifest PUT ms | download MB/s |')
  console.log('| --- | ---: | ---: | ---: |')
  const velox = await startVeloxProcess(replicas)
  try {
    row('velox', await measure(velox.url, segments, segmentBytes, parallel))
  } finally {
    await velox.stop()
  }
  const why = args.includes('--no-swift') ? '--no-swift' : swiftUrl ? undefined : saioUnavailableReason()
  if (why) console.log(`swift: not measured (${why})`)
  else if (swiftUrl) row(`swift at ${swiftUrl}`, await measure(swiftUrl, segments, segmentBytes, parallel))
  else {
    const saio = await startSaio({ replicas })
    try {
      row('swift 2.30 (SAIO)', await measure(saio.url, segments, segmentBytes, parallel))
    } finally {
      await saio.stop()
    }
  }
  if (rows.length === 2) {
    const ratio = (f: (r: Result) => number) => (f(rows[0][1]) / f(rows[1][1])).toFixed(2)
    console.log(`velox / swift: upload ${ratio((r) => r.uploadMBps)}×, download ${ratio((r) => r.downloadMBps)}× (target ≥ 2×)`)
  }
}
