/**
 * `velox bench grid`: the file browser's time to first thumbnails for a folder of
 * `--pictures=N` (default 1000) pictures, in Debian's Chromium (headless, a 1366×860 window):
 * from opening the folder (navigation start) in the grid view until the first tile shows its
 * picture, and until every tile of the first screen does. The pictures (1600×1200 JPEGs) are
 * uploaded to a Velox appliance in its own process and their 256 px renditions are waited for
 * first, so this is the grid reading a folder that is already thumbnailed. Each round is a
 * fresh browser profile (cold cache); `--rounds=N` (default 3), median and best.
 *
 * The reference, in the same round and the same page: the same first screen's rendition URLs
 * as bare <img> tags (fresh URLs, so not from the cache): what the browser and the server take
 * to deliver those pictures with no app in between. The load average is printed before and
 * after. Owns the measurement only.
 */
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { syntheticPhoto } from '../../appliance/src/thumbnails/reference.js'
import { CHROMIUM, CHROMIUM_ARGS, ROOT, signIn } from '../../appliance/test/e2e/support.js'
import { startVeloxProcess } from './velox-process.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function option(args: string[], name: string, fallback: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  return v === undefined ? fallback : Number(v)
}

interface Round {
  firstMs: number
  screenMs: number
  screenTiles: number
  referenceMs: number
}

async function uploadPictures(url: string, n: number): Promise<void> {
  const auth = await fetch(`${url}/auth/v1.0`, { headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing' } })
  const token = auth.headers.get('x-auth-token') as string
  const storage = auth.headers.get('x-storage-url') as string
  const h = { 'X-Auth-Token': token }
  await fetch(`${storage}/pictures`, { method: 'PUT', headers: h })
  // Eight distinct photos, named apart: every object gets its own renditions.
  const photos = await Promise.all(Array.from({ length: 8 }, () => syntheticPhoto(1600, 1200)))
  const names = Array.from({ length: n }, (_, i) => `IMG_${String(i).padStart(5, '0')}.jpg`)
  let next = 0
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < n) {
      const i = next++
      const r = await fetch(`${storage}/pictures/${names[i]}`, { method: 'PUT', headers: { ...h, 'Content-Type': 'image/jpeg' }, body: photos[i % photos.length] })
      await r.arrayBuffer()
      if (r.status !== 201) throw new Error(`PUT ${names[i]}: ${r.status}`)
    }
  }))
  // Every 256 px rendition served before the browser comes (the folder is "already thumbnailed").
  const started = Date.now()
  for (const name of names) {
    for (;;) {
      const r = await fetch(`${storage}/pictures/${name}?thumbnail=256`, { method: 'HEAD', headers: h })
      if (r.status === 200) break
      if (Date.now() - started > 30 * 60_000) throw new Error(`${name}: no rendition after 30 min`)
      await sleep(200)
    }
  }
}

async function round(browser: Browser, url: string): Promise<Round> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } })
  try {
    const page = await context.newPage()
    await signIn(page, url)
    await page.evaluate(`localStorage.setItem('velox.view', 'grid')`)
    // A fresh profile's cache is empty; the sign-in page loaded the app's scripts, as a visitor's first page does.
    await page.goto(`${url}/files/pictures/`)
    // (in-page clock: performance.now() counts from this navigation's start)
    const first = `[...document.querySelectorAll('.tile [data-thumb="ready"] img')].some((i) => i.complete && i.naturalWidth > 0)`
    const onScreen = `[...document.querySelectorAll('.tile')].filter((t) => { const b = t.getBoundingClientRect(); return b.bottom > 0 && b.top < innerHeight })`
    const screen = `(() => { const t = ${onScreen}; return t.length > 0 && t.every((x) => { const i = x.querySelector('[data-thumb="ready"] img'); return i && i.complete && i.naturalWidth > 0 }) })()`
    const firstMs = await page.evaluate<number>(`new Promise((resolve) => { const tick = () => (${first}) ? resolve(performance.now()) : requestAnimationFrame(tick); tick() })`)
    const screenMs = await page.evaluate<number>(`new Promise((resolve) => { const tick = () => (${screen}) ? resolve(performance.now()) : requestAnimationFrame(tick); tick() })`)
    const urls = await page.evaluate<string[]>(`${onScreen}.map((t) => t.querySelector('img').src)`)
    // The reference: the same pictures as bare <img> tags, at fresh URLs (no cache), all at once.
    const referenceMs = await page.evaluate<number>(`new Promise((resolve) => {
      const box = document.createElement('div'); box.style.cssText = 'position:fixed;inset:0;z-index:99;background:#fff'
      document.body.appendChild(box)
      const t0 = performance.now(); let left = ${urls.length}
      for (const u of ${JSON.stringify(urls)}) {
        const i = new Image(); i.onload = i.onerror = () => { if (--left === 0) resolve(performance.now() - t0) }
        i.src = u + '&reference=' + Math.random(); box.appendChild(i)
      }
    })`)
    return { firstMs, screenMs, screenTiles: urls.length, referenceMs }
  } finally {
    await context.close()
  }
}

export async function run(args: string[]): Promise<void> {
  const pictures = option(args, 'pictures', 1000)
  const rounds = option(args, 'rounds', 3)
  if (!existsSync(CHROMIUM)) return void console.log(`grid: not measured (${CHROMIUM} is not installed)`)
  const distDir = join(ROOT, 'web', 'dist')
  if (!existsSync(join(distDir, 'index.html'))) return void console.log('grid: not measured (web/dist is missing: make build)')
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
  console.log(`load average before: ${load()}`)
  const velox = await startVeloxProcess({ web: { distDir, sessionLifeSec: 3600 } })
  let browser: Browser | undefined
  try {
    const t0 = Date.now()
    await uploadPictures(velox.url, pictures)
    console.log(`${pictures} pictures (1600×1200 JPEG) uploaded and thumbnailed in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const results: Round[] = []
    for (let i = 0; i < rounds; i++) results.push(await round(browser, velox.url))
    const med = (f: (r: Round) => number) => [...results.map(f)].sort((a, b) => a - b)[Math.floor(results.length / 2)]
    const best = (f: (r: Round) => number) => Math.min(...results.map(f))
    console.log(`\n| folder of ${pictures} pictures, grid, 1366×860, cold cache, ${rounds} rounds | median, ms | best, ms |`)
    console.log('| --- | ---: | ---: |')
    console.log(`| open → first thumbnail shown | ${med((r) => r.firstMs).toFixed(0)} | ${best((r) => r.firstMs).toFixed(0)} |`)
    console.log(`| open → first screen of thumbnails (${results[0].screenTiles} tiles) | ${med((r) => r.screenMs).toFixed(0)} | ${best((r) => r.screenMs).toFixed(0)} |`)
    console.log(`| reference: the same ${results[0].screenTiles} renditions as bare <img> tags | ${med((r) => r.referenceMs).toFixed(0)} | ${best((r) => r.referenceMs).toFixed(0)} |`)
  } finally {
    await browser?.close()
    await velox.stop()
    console.log(`load average after: ${load()}`)
  }
}
