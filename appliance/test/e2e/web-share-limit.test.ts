/**
 * A share link with a download limit, opened by a stranger in Debian's headless Chromium:
 * the page's preview of a picture does not use the limit up however often it is opened;
 * a download does; once used up, the page answers 410 and says the limit was reached.
 * Skips, saying why, when /usr/bin/chromium is not installed. (Compiles without DOM types.)
 */
import { expect } from 'chai'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import sharp from 'sharp'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS } from './support.js'

describe('share link download limit in Chromium (e2e)', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let browser: Browser
  let owner: WebClient

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
      this.skip()
    }
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: run make build first')
    mkdirSync(SHOTS, { recursive: true })
    v = await startTestAppliance({ flags: { web: { distDir: join(ROOT, 'web', 'dist'), sessionLifeSec: 3600 } } })
    owner = new WebClient(v.url)
    await owner.login()
    const png = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#3a7' } }).png().toBuffer()
    expect((await owner.fetch('/v1/AUTH_test/box', { method: 'PUT' })).status).to.equal(201)
    expect((await owner.fetch('/v1/AUTH_test/box/pic.png', { method: 'PUT', body: png, headers: { 'Content-Type': 'image/png' } })).status).to.equal(201)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  })
  after(async () => {
    await browser?.close()
    await v?.stop()
  })

  it('previews without counting, downloads count, and a used-up link says so with 410', async () => {
    const r = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'box', object: 'pic.png', maxDownloads: 1 } })
    expect(r.status).to.equal(201)
    const s = (await r.json()) as { id: string; token: string }
    const counts = async () => ((await (await owner.fetch('/api/shares')).json()) as { shares: Array<{ id: string; counts: { views: number; downloads: number } }> }).shares.find((x) => x.id === s.id)!.counts
    const stranger = await browser.newContext({ acceptDownloads: true })
    try {
      const p = await stranger.newPage()
      for (let i = 0; i < 3; i++) {
        const res = await p.goto(`${v.url}/s/${s.token}`)
        expect(res?.status()).to.equal(200)
        await p.waitForFunction(`(() => { const i = document.querySelector('.inline-preview img'); return i && i.complete && i.naturalWidth > 0 })()`, undefined, { timeout: 20_000 })
      }
      expect(await counts()).to.deep.include({ views: 3, downloads: 0 })
      const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('share-download').click()])
      expect(await download.failure()).to.equal(null)
      expect(await counts()).to.deep.include({ downloads: 1 })
      const res = await p.goto(`${v.url}/s/${s.token}`)
      expect(res?.status()).to.equal(410)
      await p.getByTestId('share-problem').filter({ hasText: "This link's download limit was reached." }).waitFor()
      await p.screenshot({ path: join(SHOTS, 'share-limit-reached.png') })
    } finally {
      await stranger.close()
    }
  })
})
