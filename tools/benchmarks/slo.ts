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
import { createHash, randomBytes } from 'node:crypto'
import { saioUnavailableReason, startSaio } from '../../appliance/test/harness/saio.js'
import { startVeloxProcess, veloxThreadpool } from './velox-process.js'

function option(args: string[], name: string, fallback: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  return v === undefined ? fallback : Number(v)
}

interface Result {
  uploadMBps: number
  downloadMBps: number
  manifestMs: number
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
  const velox = await startVeloxProcess({ embedded: { devices: replicas, replicas, partPower: 10, minPartHours: 1 } })
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
