/**
 * `velox bench thumbnails`: thumbnail throughput of the whole pipeline — `--images=N`
 * (default 24) 12-megapixel JPEGs uploaded to a Velox appliance (its own process, 3 replicas
 * on directory devices), from the first upload's start until both WebP renditions (256 px,
 * 1280 px) of every one are served back (seen by a client polling every 50 ms) — side by
 * side, in one run, with libvips' own `vipsthumbnail` (Debian libvips-tools) and with bare
 * sharp resizing the same files from disk (both sizes of every file, one pipeline each, as
 * sharp is usually used), each at one file per core at a time and the same sizes and WebP
 * settings, in alternating rounds (`--rounds=N`, default 3), best round each. Then the
 * latency from an upload's completion (the client's clock at its 201) to its 256 px
 * thumbnail, p50/p99, under a burst of `--burst=N` (default 200) uploads from 8 clients,
 * bounded on both sides: to the rendition's stored X-Thumbnail-Timestamp (taken as its write
 * starts, so a lower bound) and to 8 clients polling the uploads in order seeing it served (an
 * upper bound). The load average is printed before and after: the figures are only as quiet
 * as the machine. Owns the measurement only.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { bareSharp, syntheticPhoto } from '../../appliance/src/thumbnails/reference.js'
import { WEBP } from '../../appliance/src/thumbnails/render.js'
import { startVeloxProcess } from './velox-process.js'

const run$ = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function option(args: string[], name: string, fallback: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  return v === undefined ? fallback : Number(v)
}

interface Client {
  storageUrl: string
  token: string
}

async function connect(url: string): Promise<Client> {
  const r = await fetch(`${url}/auth/v1.0`, { headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing' } })
  if (r.status !== 200) throw new Error(`auth failed: ${r.status}`)
  const c = { token: r.headers.get('x-auth-token') as string, storageUrl: r.headers.get('x-storage-url') as string }
  const p = await fetch(`${c.storageUrl}/photos`, { method: 'PUT', headers: { 'X-Auth-Token': c.token } })
  if (p.status !== 201 && p.status !== 202) throw new Error(`PUT container: ${p.status}`)
  return c
}

async function upload(c: Client, name: string, body: Buffer): Promise<void> {
  const r = await fetch(`${c.storageUrl}/photos/${name}`, { method: 'PUT', headers: { 'X-Auth-Token': c.token, 'Content-Type': 'image/jpeg' }, body })
  await r.arrayBuffer()
  if (r.status !== 201) throw new Error(`PUT ${name}: ${r.status}`)
}

/** When a rendition was stored (its X-Thumbnail-Timestamp) and when this client saw it served, ms since the epoch. */
interface Served {
  stored: number
  seen: number
}

/** The rendition once it is served; undefined while it is not. A failed rendition is an error. */
async function servedAt(c: Client, name: string, size: number): Promise<Served | undefined> {
  const r = await fetch(`${c.storageUrl}/photos/${name}?thumbnail=${size}`, { method: 'HEAD', headers: { 'X-Auth-Token': c.token } })
  const seen = Date.now()
  if (r.status === 200 && r.headers.get('x-thumbnail-status') === 'failed') throw new Error(`${name}: rendition failed`)
  return r.status === 200 ? { stored: Number(r.headers.get('x-thumbnail-timestamp')) * 1000, seen } : undefined
}

/**
 * Waits until every name's rendition is served. `pollers` clients, each asking for one name
 * at a time, in the order the uploads completed (the small lane is first in, first out), every
 * `pollMs` while it is not there: few enough requests not to load the appliance it measures,
 * enough clients that one slow answer does not hold up seeing the next renditions.
 */
async function servedTimes(c: Client, names: () => string[], size: number, until: () => boolean, pollMs: number, pollers = 1): Promise<Map<string, Served>> {
  const at = new Map<string, Served>()
  await Promise.all(
    Array.from({ length: pollers }, async (_, k) => {
      let i = k
      while (!until() || i < names().length) {
        const name = names()[i]
        const t = name === undefined ? undefined : await servedAt(c, name, size)
        if (t === undefined) await sleep(pollMs)
        else {
          at.set(name, t)
          i += pollers
        }
      }
    }),
  )
  return at
}

async function veloxThroughput(c: Client, photos: Buffer[], round: number): Promise<number> {
  const names = photos.map((_, i) => `rate${round}/${String(i).padStart(4, '0')}.jpg`)
  const t0 = Date.now()
  let next = 0
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < photos.length) {
      const i = next++
      await upload(c, names[i], photos[i])
    }
  }))
  // Both sizes of every image; the large ones come last (the small ones are then there at once).
  const large = await servedTimes(c, () => names, 1280, () => true, 50)
  const small = await servedTimes(c, () => names, 256, () => true, 50)
  return Math.max(...[...large.values(), ...small.values()].map((s) => s.seen)) - t0
}

/** vipsthumbnail, one process per core, each over its share of the files, once per size. */
async function vipsthumbnail(files: string[], outDir: string, parallel: number): Promise<number> {
  const t0 = performance.now()
  const shares = Array.from({ length: parallel }, (_, k) => files.filter((_, i) => i % parallel === k))
  await Promise.all(
    shares.map(async (share) => {
      if (share.length === 0) return
      for (const size of [256, 1280]) {
        await run$('vipsthumbnail', ['--size', `${size}x${size}>`, '-o', `${outDir}/%s.${size}.webp[Q=${WEBP.quality},effort=${WEBP.effort},strip]`, ...share])
      }
    }),
  )
  return performance.now() - t0
}

interface Quantiles {
  p50: number
  p99: number
  max: number
}

function quantiles(ms: number[]): Quantiles {
  const lat = [...ms].sort((a, b) => a - b)
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)]
  return { p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1] }
}

async function burstLatency(c: Client, photos: Buffer[], count: number): Promise<{ stored: Quantiles; seen: Quantiles; uploadSec: number }> {
  const done = new Map<string, number>()
  const order: string[] = []
  const names = Array.from({ length: count }, (_, i) => `burst/${String(i).padStart(4, '0')}.jpg`)
  let uploaded = false
  const t0 = Date.now()
  const uploads = (async () => {
    let next = 0
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++
        await upload(c, names[i], photos[i % photos.length])
        done.set(names[i], Date.now())
        order.push(names[i])
      }
    }))
    uploaded = true
  })()
  // As many pollers as uploaders: a grid asks for each of its thumbnails on its own.
  const served = await servedTimes(c, () => order, 256, () => uploaded, 100, 8)
  await uploads
  const uploadSec = (Math.max(...done.values()) - t0) / 1000
  const after = (n: string, which: keyof Served) => (served.get(n) as Served)[which] - (done.get(n) as number)
  return { stored: quantiles(names.map((n) => after(n, 'stored'))), seen: quantiles(names.map((n) => after(n, 'seen'))), uploadSec }
}

export async function run(args: string[]): Promise<void> {
  const n = option(args, 'images', 24)
  const burst = option(args, 'burst', 200)
  const parallel = availableParallelism()
  const dir = mkdtempSync(join(tmpdir(), 'velox-bench-thumbs-'))
  try {
    process.stdout.write(`making ${Math.min(n, 24)} distinct 4000×3000 JPEGs… `)
    const distinct = await Promise.all(Array.from({ length: Math.min(n, 24) }, () => syntheticPhoto(4000, 3000)))
    const photos = Array.from({ length: n }, (_, i) => distinct[i % distinct.length])
    const files = photos.map((p, i) => {
      const f = join(dir, `photo-${String(i).padStart(4, '0')}.jpg`)
      writeFileSync(f, p)
      return f
    })
    const mb = photos.reduce((s, p) => s + p.length, 0) / n / 1e6
    console.log(`${mb.toFixed(1)} MB each; ${parallel} cores; WebP q${WEBP.quality} effort ${WEBP.effort}; both sizes per image`)
    const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
    console.log(`load average before: ${load()}`)
    // The three run in alternating rounds and each keeps its best round, so that a machine
    // busy with other work for a while does not favour whichever ran at a quiet moment.
    const rounds = option(args, 'rounds', 3)
    const hasVips = existsSync('/usr/bin/vipsthumbnail')
    if (!hasVips) console.log('vipsthumbnail: not measured (Debian libvips-tools is not installed)')
    const vipsName = hasVips ? `vipsthumbnail ${(await run$('vipsthumbnail', ['--vips-version'])).stdout.trim().split(/\s+/).pop()} (${parallel} processes)` : ''
    const best = new Map<string, number>()
    const keep = (name: string, ms: number) => best.set(name, Math.min(ms, best.get(name) ?? Infinity))
    const velox = await startVeloxProcess()
    let latency
    try {
      const c = await connect(velox.url)
      for (let r = 0; r < rounds; r++) {
        if (hasVips) keep(vipsName, await vipsthumbnail(files, dir, parallel))
        keep(`bare sharp from disk (${parallel} files at a time, libvips default threads)`, await bareSharp(files, dir, parallel))
        keep('velox pipeline (upload → renditions stored → served)', await veloxThroughput(c, photos, r))
      }
      latency = await burstLatency(c, photos, burst)
    } finally {
      await velox.stop()
    }
    const rows = [...best.entries()]
    const vips = hasVips ? best.get(vipsName) : undefined

    const rate = (ms: number) => n / (ms / 1000)
    console.log(`\n| ${n} images of 12 MP, best of ${rounds} rounds | seconds | images/s | vs vipsthumbnail | vs bare sharp |`)
    console.log('| --- | ---: | ---: | ---: | ---: |')
    const sharpMs = rows.find(([k]) => k.startsWith('bare sharp'))?.[1] as number
    for (const [name, ms] of rows) {
      const vsVips = vips === undefined ? 'n/a' : `${((rate(ms) / rate(vips)) * 100).toFixed(0)} %`
      console.log(`| ${name} | ${(ms / 1000).toFixed(1)} | ${rate(ms).toFixed(2)} | ${vsVips} | ${((rate(ms) / rate(sharpMs)) * 100).toFixed(0)} % |`)
    }
    console.log(`\n| burst of ${burst} uploads (12 MP), upload's 201 → 256 px | uploads took s | p50, ms | p99, ms | max, ms |`)
    console.log('| --- | ---: | ---: | ---: | ---: |')
    const row = (name: string, q: Quantiles) => console.log(`| ${name} | ${latency.uploadSec.toFixed(1)} | ${q.p50.toFixed(0)} | ${q.p99.toFixed(0)} | ${q.max.toFixed(0)} |`)
    row('velox: rendition stored (its timestamp; lower bound)', latency.stored)
    row('velox: seen served by 8 clients polling in upload order (upper bound)', latency.seen)
    console.log(`\nload average after: ${load()}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
