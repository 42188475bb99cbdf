/**
 * The previewer in Debian's headless Chromium with real files made at test time and uploaded
 * through the app's picker: a video (H.264 in MP4, ffmpeg) played by the browser's own player
 * with a seek that must go out as a Range request answered 206, audio (Opus in Ogg) likewise,
 * a PDF (written by hand) in the browser's PDF viewer, seen painted (its blue box in a
 * screenshot of the frame), a PDF stored under another type (checked, shown from a blob), an
 * HTML page that calls itself .pdf (never rendered), TypeScript code whose HTML stays text,
 * and a long log shown as its first 512 KB by a Range request; then a PDF through a share link. Screenshots:
 * test-artifacts/screenshots/20-…27-*.png. Skips, saying why, without /usr/bin/chromium or
 * /usr/bin/ffmpeg.
 *
 * This file compiles under the server's tsconfig (no DOM types): whatever runs in the page
 * is written as a string.
 */
import { expect } from 'chai'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { createLog } from '../../src/lib/log.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { CHROMIUM, CHROMIUM_ARGS, FFMPEG, SHOTS, ensureWebApp, ffmpeg, makePdf, signIn, waitForPdfPainted } from './support.js'

const CONTAINER = 'media'
const VIDEO = 'clip.mp4'
const AUDIO = 'tone.ogg'
const PDF = 'report.pdf'
const CODE = 'example.ts'
const LOG = 'server.log'
const FAKE_PDF = 'invoice.pdf'
const UNTYPED_PDF = 'scan.pdf'
const CODE_TEXT = `// A component that must show as text, not as markup.
export const banner = '<script>window.__injected = true</script><b id="bold">bold</b> &amp; <img src=x onerror="window.__injected = true">'
export function greet(name: string): string {
  return \`<h1>Hello, \${name}</h1>\`
}
`
const TEXT_CAP = 512 * 1024

interface Seen {
  url: string
  name: string
  status: number
  range: string | undefined
  contentRange: string | undefined
  acceptRanges: string | undefined
}

describe('previews in Chromium: video, audio, PDF, text (e2e)', function () {
  this.timeout(120_000)
  let appliance: TestAppliance
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let work: string
  let token: string
  let storageUrl: string
  const serverLog: string[] = []
  /** Every answer the page got for an object of the test container. */
  const seen: Seen[] = []

  const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`) })
  const swift = (path: string, init: RequestInit = {}) => fetch(`${appliance.url}${storageUrl}${path}`, { ...init, headers: { 'X-Auth-Token': token, ...(init.headers as Record<string, string>) } })
  const answersFor = (name: string) => seen.filter((s) => s.name === name)

  async function openPreview(name: string): Promise<void> {
    await page.locator(`tr[data-name="${name}"] a.entry-name`).click()
    await page.getByRole('dialog', { name: `Preview of ${name}` }).waitFor()
  }

  async function closePreview(): Promise<void> {
    await page.keyboard.press('Escape')
    await page.locator('.preview').waitFor({ state: 'detached' })
  }

  before(async function () {
    for (const [bin, pkg] of [[CHROMIUM, 'chromium'], [FFMPEG, 'ffmpeg']]) {
      if (!existsSync(bin)) {
        console.log(`      skipped: ${bin} is not installed (apt-get install ${pkg})`)
        this.skip()
      }
    }
    ensureWebApp()
    work = mkdtempSync(join(tmpdir(), 'velox-preview-e2e-'))
    // 40 s of noisy 640x360 at 2 Mbit/s (~10 MB, ~2 s to encode): big enough that the player
    // (preload=metadata) has not read it all before a seek, so the seek asks for a later range.
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=duration=40:size=640x360:rate=25', '-vf', 'noise=alls=40:allf=t+u', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2M', '-maxrate', '2M', '-bufsize', '4M', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(work, VIDEO)])
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=12', '-c:a', 'libopus', '-b:a', '64k', join(work, AUDIO)])
    writeFileSync(join(work, PDF), makePdf('Quarterly report', 2))
    writeFileSync(join(work, CODE), CODE_TEXT)
    const line = 'GET /v1/AUTH_test/photos/img_001.jpg 200 0.004s <ok> & done\n'
    writeFileSync(join(work, LOG), line.repeat(Math.ceil(600_000 / line.length)))

    appliance = await startTestAppliance({ log: createLog('warn', (l) => void serverLog.push(l)) })
    ;({ token, storageUrl } = await appliance.auth())
    storageUrl = new URL(storageUrl).pathname
    expect((await swift(`/${CONTAINER}`, { method: 'PUT' })).status).to.be.oneOf([201, 202])
    // Someone stored an HTML page under a PDF's name (a drop link takes any type).
    const html = '<!doctype html><title>x</title><script>parent.__injected = true; window.__injected = true</script><h1 id="evil">not a PDF</h1>'
    expect((await swift(`/${CONTAINER}/${FAKE_PDF}`, { method: 'PUT', body: html, headers: { 'Content-Type': 'text/html' } })).status).to.equal(201)
    // …and a real PDF came in without a type.
    expect((await swift(`/${CONTAINER}/${UNTYPED_PDF}`, { method: 'PUT', body: makePdf('Scanned letter', 1), headers: { 'Content-Type': 'application/octet-stream' } })).status).to.equal(201)

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
    context.setDefaultTimeout(20_000)
    page = await context.newPage()
    page.on('dialog', (d) => void d.dismiss()) // an alert() would be injected script: the tests check __injected instead
    page.on('response', (r) => {
      const url = new URL(r.url())
      const prefix = `${storageUrl}/${CONTAINER}/`
      if (r.request().method() !== 'GET' || !url.pathname.startsWith(prefix) || url.search) return
      const h = r.headers()
      seen.push({ url: r.url(), name: decodeURIComponent(url.pathname.slice(prefix.length)), status: r.status(), range: r.request().headers().range, contentRange: h['content-range'], acceptRanges: h['accept-ranges'] })
    })
    await signIn(page, appliance.url)
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    if (serverLog.length) console.log(`      appliance log:\n${serverLog.splice(0).join('')}`)
    const name = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
    await page?.screenshot({ path: join(SHOTS, `failed-preview-${name}.png`) }).catch(() => undefined)
    // (a preview left open would hide the list from the next test)
    if (page && (await page.locator('.preview').count())) await page.keyboard.press('Escape').catch(() => undefined)
  })

  after(async () => {
    await browser?.close()
    await appliance?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('uploads a video, audio, a PDF, code and a log through the picker', async () => {
    await page.goto(`${appliance.url}/files/${CONTAINER}/`)
    await page.locator(`tr[data-name="${FAKE_PDF}"]`).waitFor()
    const files = [VIDEO, AUDIO, PDF, CODE, LOG]
    await page.getByTestId('file-input').setInputFiles(files.map((f) => join(work, f)))
    await page.locator('.upload-row[data-status="done"]').nth(files.length - 1).waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Close uploads' }).click()
    for (const f of files) await page.locator(`tr[data-name="${f}"]`).waitFor()
    const types: Record<string, string | null> = {}
    for (const f of files) {
      const head = await swift(`/${CONTAINER}/${f}`, { method: 'HEAD' })
      expect(head.headers.get('content-length')).to.equal(String(statSync(join(work, f)).size))
      types[f] = head.headers.get('content-type')
    }
    // The types the browser gave the files are the ones stored (and served back).
    expect(types[VIDEO]).to.equal('video/mp4')
    expect(types[AUDIO]).to.match(/^audio\/ogg/)
    expect(types[PDF]).to.equal('application/pdf')
  })

  it('plays the video in the browser’s player; a seek is a Range request answered 206', async () => {
    const support = await page.evaluate<string>(`document.createElement('video').canPlayType('video/mp4; codecs="avc1.42E01E"')`)
    expect(support).to.equal('probably')
    await openPreview(VIDEO)
    const video = `document.querySelector('.preview video[data-preview="video"]')`
    await page.waitForFunction(`(() => { const v = ${video}; return !!v && v.readyState >= 1 && v.duration > 39 })()`)
    expect(await page.evaluate(`new URL(${video}.currentSrc).pathname`)).to.equal(`${storageUrl}/${CONTAINER}/${VIDEO}`)
    const before = answersFor(VIDEO).length
    // Seek to 90 %, as dragging the scrubber does, and play a moment from there (muted: autoplay rules).
    await page.evaluate(`new Promise((resolve, reject) => {
      const v = ${video}
      const t = setTimeout(() => reject(new Error('no seeked event')), 15000)
      v.addEventListener('seeked', () => { clearTimeout(t); resolve() }, { once: true })
      v.currentTime = v.duration * 0.9
    })`)
    await page.waitForFunction(`${video}.readyState >= 2`)
    await page.evaluate(`(async () => { const v = ${video}; v.muted = true; await v.play() })()`)
    await page.waitForFunction(`${video}.currentTime > ${video}.duration * 0.9 + 0.3`, undefined, { timeout: 15_000 })
    await page.evaluate(`${video}.pause()`)
    const state = await page.evaluate<{ w: number; h: number; error: unknown }>(`({ w: ${video}.videoWidth, h: ${video}.videoHeight, error: ${video}.error })`)
    expect(state).to.deep.equal({ w: 640, h: 360, error: null })
    await shot(page, '20-preview-video')

    const answers = answersFor(VIDEO)
    const size = statSync(join(work, VIDEO)).size
    expect(answers.length).to.be.greaterThan(before, 'the seek fetched more of the video')
    for (const a of answers) {
      expect(a.range, `every media request asks for a range (${a.url})`).to.match(/^bytes=\d+-\d*$/)
      expect(a.status).to.equal(206)
      expect(a.acceptRanges).to.equal('bytes')
      expect(a.contentRange).to.match(new RegExp(`^bytes \\d+-\\d+/${size}$`))
    }
    const later = answers.slice(before).filter((a) => Number(/^bytes=(\d+)-/.exec(a.range ?? '')?.[1]) > 0)
    expect(later.length, `a request from a later offset after the seek: ${JSON.stringify(answers.map((a) => a.range))}`).to.be.greaterThan(0)
    expect(Number(/^bytes (\d+)-/.exec(later[0].contentRange ?? '')?.[1])).to.equal(Number(/^bytes=(\d+)-/.exec(later[0].range ?? '')?.[1]))
    await closePreview()
  })

  it('plays audio in the browser’s player, by Range requests', async () => {
    expect(await page.evaluate<string>(`document.createElement('audio').canPlayType('audio/ogg; codecs="opus"')`)).to.equal('probably')
    await openPreview(AUDIO)
    const audio = `document.querySelector('.preview audio[data-preview="audio"]')`
    await page.waitForFunction(`(() => { const a = ${audio}; return !!a && a.readyState >= 1 && a.duration > 11.5 && a.duration < 12.5 })()`)
    await page.evaluate(`new Promise((resolve, reject) => {
      const a = ${audio}
      const t = setTimeout(() => reject(new Error('no seeked event')), 15000)
      a.addEventListener('seeked', () => { clearTimeout(t); resolve() }, { once: true })
      a.currentTime = 9
    })`)
    await page.waitForFunction(`${audio}.readyState >= 2`)
    await page.evaluate(`(async () => { const a = ${audio}; a.muted = true; await a.play() })()`)
    await page.waitForFunction(`${audio}.currentTime > 9.2`, undefined, { timeout: 15_000 })
    await page.evaluate(`${audio}.pause()`)
    await shot(page, '21-preview-audio')
    const answers = answersFor(AUDIO)
    expect(answers.length).to.be.greaterThan(0)
    for (const a of answers) {
      expect(a.range).to.match(/^bytes=\d+-\d*$/)
      expect(a.status).to.equal(206)
      expect(a.contentRange).to.match(new RegExp(`/${statSync(join(work, AUDIO)).size}$`))
    }
    await closePreview()
  })

  it('shows the PDF in the browser’s PDF viewer, framed from its own URL', async () => {
    expect(await page.evaluate('navigator.pdfViewerEnabled')).to.equal(true)
    await openPreview(PDF)
    const frame = page.locator('.preview iframe[data-preview="pdf"]')
    await frame.waitFor()
    expect(await frame.getAttribute('src')).to.equal(`${storageUrl}/${CONTAINER}/${PDF}`)
    await waitForPdfPainted(() => frame.screenshot())
    // Chromium's viewer is an extension page inside the frame.
    expect(page.frames().some((f) => f.url().startsWith('chrome-extension://'))).to.equal(true)
    expect(answersFor(PDF).every((a) => a.status === 200 || a.status === 206)).to.equal(true)
    await shot(page, '22-preview-pdf')
    await closePreview()
  })

  it('shows a PDF stored under another type from a blob typed application/pdf', async () => {
    await openPreview(UNTYPED_PDF)
    const frame = page.locator('.preview iframe[data-preview="pdf"]')
    await frame.waitFor()
    const src = await frame.getAttribute('src')
    expect(src).to.match(/^blob:/)
    const blob = await page.evaluate<{ type: string; head: string }>(`fetch(${JSON.stringify(src)}).then(async (r) => { const b = await r.blob(); return { type: b.type, head: await b.slice(0, 5).text() } })`)
    expect(blob).to.deep.equal({ type: 'application/pdf', head: '%PDF-' })
    await waitForPdfPainted(() => frame.screenshot())
    await closePreview()
  })

  it('where the browser has no PDF viewer, shows the first page as a picture with Open and Download', async function () {
    const info = (await (await fetch(`${appliance.url}/info`)).json()) as Record<string, unknown>
    if (!Object.keys(info).some((k) => k.startsWith('thumbnail'))) {
      console.log('      skipped: this appliance does not advertise thumbnails in /info')
      this.skip()
    }
    // A phone's browser: navigator.pdfViewerEnabled is false there.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    try {
      await phone.addInitScript(`Object.defineProperty(Navigator.prototype, 'pdfViewerEnabled', { get: () => false })`)
      await phone.addCookies(await context.cookies())
      const p = await phone.newPage()
      await p.goto(`${appliance.url}/files/${CONTAINER}/`)
      await p.locator(`[data-name="${PDF}"] a.entry-name`).click()
      const preview = p.getByRole('dialog', { name: `Preview of ${PDF}` })
      await preview.getByText('This browser shows no PDFs inline.').waitFor()
      expect(await preview.locator('iframe').count()).to.equal(0)
      await p.waitForFunction(`(() => { const i = document.querySelector('.preview img[data-preview="pdf-still"]'); return !!i && i.complete && i.naturalWidth > 0 })()`, undefined, { timeout: 30_000 })
      const still = await p.evaluate<{ w: number; h: number }>(`(() => { const i = document.querySelector('.preview img[data-preview="pdf-still"]'); return { w: i.naturalWidth, h: i.naturalHeight } })()`)
      expect(still.h).to.be.greaterThan(still.w) // a portrait page
      expect(await preview.getByRole('link', { name: 'Open in a new tab' }).getAttribute('href')).to.equal(`${storageUrl}/${CONTAINER}/${PDF}`)
      expect(await preview.getByRole('link', { name: /^Download \(/ }).count()).to.equal(1)
      await shot(p, '23-preview-pdf-no-viewer')
    } finally {
      await phone.close()
    }
  })

  it('never renders an HTML page stored under a PDF’s name', async () => {
    await openPreview(FAKE_PDF)
    await page.locator('.preview').getByText('This file is not a PDF.').waitFor()
    expect(await page.locator('.preview iframe').count()).to.equal(0)
    expect(await page.evaluate('window.__injected === undefined')).to.equal(true)
    await shot(page, '24-preview-not-a-pdf')
    await closePreview()
  })

  it('shows code as text: the markup in it is escaped, never parsed', async () => {
    await openPreview(CODE)
    const pre = page.locator('.preview [data-preview="text"] pre')
    await pre.waitFor()
    expect(await pre.textContent()).to.equal(CODE_TEXT)
    expect(await page.locator('.preview [data-preview="text"] script, .preview [data-preview="text"] b, .preview [data-preview="text"] img, #bold').count()).to.equal(0)
    expect(await page.evaluate('window.__injected === undefined')).to.equal(true)
    await shot(page, '25-preview-code')
    await closePreview()
  })

  it('shows the first 512 KB of a long text file, read by a Range request', async () => {
    await openPreview(LOG)
    const pre = page.locator('.preview [data-preview="text"] pre')
    await pre.waitFor()
    await page.locator('.preview').getByText('Showing the first 524 KB').waitFor()
    const text = (await pre.textContent()) ?? ''
    expect(text.length).to.equal(TEXT_CAP)
    expect(text.startsWith('GET /v1/AUTH_test/photos/img_001.jpg 200 0.004s <ok> & done\n')).to.equal(true)
    const answers = answersFor(LOG)
    expect(answers.map((a) => [a.range, a.status])).to.deep.equal([[`bytes=0-${TEXT_CAP - 1}`, 206]])
    await shot(page, '26-preview-long-text')
    await closePreview()
  })

  it('a share link to the PDF shows it to a stranger in the same viewer', async () => {
    await page.getByLabel(`Select ${PDF}`).click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share' }).click()
    const dialog = page.getByRole('dialog', { name: `Share “${PDF}”` })
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const link = await dialog.getByLabel('Link').inputValue()
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('button', { name: 'Clear' }).click()
    const stranger = await browser.newContext({ viewport: { width: 1280, height: 860 } })
    try {
      const p = await stranger.newPage()
      await p.goto(link)
      const frame = p.locator('iframe[data-preview="pdf"]')
      await frame.waitFor()
      // (a preview asks with ?inline=1, which is a view, not a download; the answer carries a sandboxing CSP and the viewer still shows it)
      expect(await frame.getAttribute('src')).to.equal(`${new URL(link).pathname}/file?inline=1`)
      await waitForPdfPainted(() => frame.screenshot())
      await shot(p, '27-share-pdf')
    } finally {
      await stranger.close()
    }
  })
})
