/**
 * `velox bench thumbnails`: thumbnail throughput of the whole pipeline — `--images=N`
 * (default 24) 12-megapixel JPEGs uploaded to a Velox appliance (its own process, 3 replicas
 * on directory devices) until both WebP renditions (256 px, 1280 px) are served back —
 * side by side, in one run, with libvips' own `vipsthumbnail` (Debian libvips-tools) and with
 * bare sharp resizing the same files from disk, each at one job per core and the same WebP
 * settings, in alternating rounds (`--rounds=N`, default 3), best round each. Then the latency from an upload's completion to its 256 px thumbnail being
 * served (the rendition's stored X-Thumbnail-Timestamp against the client's clock at the
 * upload's 201, same host), p50/p99, under a burst of `--burst=N` (default 200) uploads.
 * Owns the measurement only.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
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

/**
 * When the rendition was stored (ms since the epoch, from X-Thumbnail-Timestamp), once it is
 * served; undefined while it is not. A failed rendition is an error.
 */
async function servedAt(c: Client, name: string, size: number): Promise<number | undefined> {
  const r = await fetch(`${c.storageUrl}/photos/${name}?thumbnail=${size}`, { method: 'HEAD', headers: { 'X-Auth-Token': c.token } })
  if (r.status === 200 && r.headers.get('x-thumbnail-status') === 'failed') throw new Error(`${name}: rendition failed`)
  return r.status === 200 ? Number(r.headers.get('x-thumbnail-timestamp')) * 1000 : undefined
}

/**
 * Waits until every name's rendition is served and returns when each was stored. Asks for
 * one name at a time, in the order the uploads completed (the queue is first in, first out), every 100 ms, so
 * that the measurement does not load the appliance it measures.
 */
async function storedTimes(c: Client, names: () => string[], size: number, until: () => boolean): Promise<Map<string, number>> {
  const at = new Map<string, number>()
  let i = 0
  while (!until() || i < names().length) {
    const name = names()[i]
    const t = name === undefined ? undefined : await servedAt(c, name, size)
    if (t === undefined) await sleep(100)
    else {
      at.set(name, t)
      i++
    }
  }
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
  // Both sizes: the large one comes after the small one, so it is the last to be stored.
  const large = await storedTimes(c, () => names, 1280, () => true)
  for (const n of names) if ((await servedAt(c, n, 256)) === undefined) throw new Error(`${n}: no small rendition`)
  return Math.max(...large.values()) - t0
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

async function burstLatency(c: Client, photos: Buffer[], count: number): Promise<{ p50: number; p99: number; max: number; uploadSec: number }> {
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
  const seen = await storedTimes(c, () => order, 256, () => uploaded)
  await uploads
  const uploadSec = (Math.max(...done.values()) - t0) / 1000
  const lat = names.map((n) => (seen.get(n) as number) - (done.get(n) as number)).sort((a, b) => a - b)
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)]
  return { p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1], uploadSec }
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
        keep(`bare sharp from disk (${parallel} files at a time)`, await bareSharp(files, dir, parallel))
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
    console.log(`\n| burst of ${burst} uploads (12 MP) | uploads took s | p50 upload → 256 px served, ms | p99, ms | max, ms |`)
    console.log('| --- | ---: | ---: | ---: | ---: |')
    console.log(`| velox | ${latency.uploadSec.toFixed(1)} | ${latency.p50.toFixed(0)} | ${latency.p99.toFixed(0)} | ${latency.max.toFixed(0)} |`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
