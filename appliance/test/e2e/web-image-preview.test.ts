/**
 * The picture previewer in Debian's headless Chromium (issue 16, bug 1): a portrait phone
 * photo (3000×4000) and a 4:3 landscape (4000×3000) in a 1366×860 window and at phone width
 * (375×740) open fitted — the whole picture inside the window, labelled "Fit" — from the
 * server's 1280 px rendition, never the original; the next picture's rendition is fetched
 * before → is pressed; 100 % (click or "+") loads the original and shows it pixel for pixel.
 * Screenshots at desktop and phone width, light and dark: test-artifacts/screenshots/
 * image-preview-*.png. Skips, saying why, without /usr/bin/chromium. (No DOM types here:
 * what runs in the page is a string.)
 */
import { expect } from 'chai'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import sharp from 'sharp'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, ensureWebApp, signIn } from './support.js'

const PICTURES: Array<{ name: string; width: number; height: number; color: string }> = [
  { name: 'a-portrait.jpg', width: 3000, height: 4000, color: '#c0563a' },
  { name: 'b-landscape.jpg', width: 4000, height: 3000, color: '#3a7ac0' },
  { name: 'c-square.jpg', width: 2000, height: 2000, color: '#5aa04a' },
]

interface Box { x: number; y: number; width: number; height: number }

describe('picture preview fits the window (e2e)', function () {
  this.timeout(180_000)
  let v: TestAppliance
  let browser: Browser
  let context: BrowserContext
  let page: Page
  /** Every picture request the page made: the object name and its query ('' for the original). */
  const asked: Array<{ name: string; query: string }> = []

  /** A noisy picture (so the original is MBs, as a phone photo is) with a frame to see its edges by. */
  async function picture(p: (typeof PICTURES)[number]): Promise<Buffer> {
    const noise = await sharp({ create: { width: p.width, height: p.height, channels: 3, background: p.color, noise: { type: 'gaussian', mean: 128, sigma: 20 } } }).jpeg().toBuffer()
    return sharp({ create: { width: p.width, height: p.height, channels: 3, background: p.color } })
      .composite([{ input: noise, blend: 'soft-light' }])
      .jpeg({ quality: 90 })
      .toBuffer()
  }

  const fitted = `document.querySelector('.preview img.preview-fit')`
  async function fittedBox(): Promise<{ img: Box; stage: Box; complete: boolean; src: string }> {
    return page.evaluate(`(() => {
      const i = ${fitted}, s = document.querySelector('.preview-stage')
      const r = (e) => { const b = e.getBoundingClientRect(); return { x: b.x, y: b.y, width: b.width, height: b.height } }
      return { img: r(i), stage: r(s), complete: i.complete && i.naturalWidth > 0, src: i.currentSrc }
    })()`)
  }

  async function open(name: string): Promise<void> {
    await page.locator(`tr[data-name="${name}"] a.entry-name`).click()
    await page.getByRole('dialog', { name: `Preview of ${name}` }).waitFor()
    await page.waitForFunction(`(() => { const i = ${fitted}; return !!i && i.complete && i.naturalWidth > 0 })()`)
  }

  /** The whole picture is inside the window and the stage, and fills the stage in one direction. */
  async function expectFitted(p: (typeof PICTURES)[number], viewport: { width: number; height: number }): Promise<void> {
    const { img, stage, src } = await fittedBox()
    expect(new URL(src).searchParams.get('thumbnail'), 'the fitted picture is the 1280 rendition').to.equal('1280')
    expect(img.y + img.height, 'bottom inside the window').to.be.at.most(viewport.height + 0.5)
    expect(img.x + img.width, 'right inside the window').to.be.at.most(viewport.width + 0.5)
    expect(img.y + img.height, 'bottom inside the stage').to.be.at.most(stage.y + stage.height + 0.5)
    expect(img.x, 'left edge on screen').to.be.at.least(-0.5)
    expect(img.y, 'top edge on screen').to.be.at.least(-0.5)
    expect(img.width / img.height, 'aspect kept').to.be.closeTo(p.width / p.height, 0.02)
    expect(Math.max(img.width / stage.width, img.height / stage.height), 'fills the stage one way').to.be.above(0.97)
    expect(await page.getByTestId('zoom-level').textContent()).to.equal('Fit')
  }

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
      this.skip()
    }
    ensureWebApp()
    v = await startTestAppliance({ flags: { web: { distDir: join(ROOT, 'web', 'dist'), sessionLifeSec: 3600 } } })
    const owner = new WebClient(v.url)
    await owner.login()
    expect((await owner.fetch('/v1/AUTH_test/photos', { method: 'PUT' })).status).to.equal(201)
    for (const p of PICTURES) {
      const r = await owner.fetch(`/v1/AUTH_test/photos/${p.name}`, { method: 'PUT', body: await picture(p), headers: { 'Content-Type': 'image/jpeg' } })
      expect(r.status).to.equal(201)
    }
    // The renditions are made in the background after an upload: wait for them, as a person would see them.
    const deadline = Date.now() + 90_000
    for (const p of PICTURES) {
      for (;;) {
        const r = await owner.fetch(`/v1/AUTH_test/photos/${p.name}?thumbnail=1280`)
        await r.arrayBuffer()
        if (r.status === 200) break
        if (Date.now() > deadline) throw new Error(`${p.name}: no 1280 rendition after 90 s (${r.status})`)
        await new Promise((res) => setTimeout(res, 250))
      }
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    context = await browser.newContext({ viewport: { width: 1366, height: 860 } })
    context.setDefaultTimeout(30_000)
    page = await context.newPage()
    page.on('request', (r) => {
      const u = new URL(r.url())
      const m = /\/v1\/AUTH_test\/photos\/([^/]+)$/.exec(u.pathname)
      if (m && r.method() === 'GET') asked.push({ name: decodeURIComponent(m[1]), query: u.searchParams.get('thumbnail') ?? '' })
    })
    await signIn(page, v.url)
    await page.goto(`${v.url}/files/photos/`)
    await page.locator(`tr[data-name="${PICTURES[0].name}"]`).waitFor()
  })

  after(async () => {
    await browser?.close()
    await v?.stop()
  })

  it('opens a portrait photo whole in a 1366×860 window, from the rendition, and preloads the next', async () => {
    asked.length = 0
    await open(PICTURES[0].name)
    await expectFitted(PICTURES[0], { width: 1366, height: 860 })
    expect(asked.filter((a) => a.name === PICTURES[0].name && a.query === ''), 'the original is not fetched to fit').to.deep.equal([])
    await page.waitForFunction(`performance.getEntriesByType('resource').some((e) => e.name.includes('${PICTURES[1].name}?thumbnail=1280'))`)
    await page.screenshot({ path: join(SHOTS, 'image-preview-fit-desktop.png') })
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.screenshot({ path: join(SHOTS, 'image-preview-fit-desktop-dark.png') })
    await page.emulateMedia({ colorScheme: 'light' })
  })

  it('fits a 4:3 landscape too after →, then shows the original at 100 % on zoom', async () => {
    await page.keyboard.press('ArrowRight')
    await page.getByRole('dialog', { name: `Preview of ${PICTURES[1].name}` }).waitFor()
    await page.waitForFunction(`(() => { const i = ${fitted}; return !!i && i.complete && i.naturalWidth > 0 })()`)
    await expectFitted(PICTURES[1], { width: 1366, height: 860 })
    expect(asked.filter((a) => a.name === PICTURES[1].name && a.query === '')).to.deep.equal([])
    await page.getByRole('button', { name: 'Zoom in' }).click()
    const original = `document.querySelector('.preview img.preview-original')`
    await page.waitForFunction(`(() => { const i = ${original}; return !!i && !i.hidden && i.complete && i.naturalWidth > 0 })()`)
    expect(await page.getByTestId('zoom-level').textContent()).to.equal('100%')
    const shown = await page.evaluate<{ w: number; h: number; nw: number }>(`(() => { const i = ${original}; const b = i.getBoundingClientRect(); return { w: b.width, h: b.height, nw: i.naturalWidth } })()`)
    expect(shown).to.deep.equal({ w: 4000, h: 3000, nw: 4000 })
    expect(asked.some((a) => a.name === PICTURES[1].name && a.query === '')).to.equal(true)
    await page.keyboard.press('0')
    await page.waitForFunction(`!!${fitted}`)
    expect(await page.getByTestId('zoom-level').textContent()).to.equal('Fit')
    await page.keyboard.press('Escape')
  })

  it('fits the portrait photo at phone width (375×740), light and dark', async () => {
    await page.setViewportSize({ width: 375, height: 740 })
    try {
      await open(PICTURES[0].name)
      await expectFitted(PICTURES[0], { width: 375, height: 740 })
      await page.screenshot({ path: join(SHOTS, 'image-preview-fit-phone.png') })
      await page.emulateMedia({ colorScheme: 'dark' })
      await page.screenshot({ path: join(SHOTS, 'image-preview-fit-phone-dark.png') })
      await page.keyboard.press('Escape')
    } finally {
      await page.emulateMedia({ colorScheme: 'light' })
      await page.setViewportSize({ width: 1366, height: 860 })
    }
  })
})
