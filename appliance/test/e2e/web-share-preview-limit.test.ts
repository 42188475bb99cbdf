/**
 * A folder link's preview limit on its share page (issue 16), in Debian's headless Chromium:
 * with `maxPreviews: 1`, the first picture (an SVG: no thumbnail, its preview reads the file)
 * previews; the next one shows "preview limit reached, download to view" with a working
 * download instead of a broken (404) picture — and no picture on the page is broken. The
 * notice is saved at desktop and phone width, light and dark
 * (test-artifacts/screenshots/share-preview-limit-*.png). Skips, saying why, without
 * /usr/bin/chromium. (No DOM types here.)
 */
import { expect } from 'chai'
import { join } from 'node:path'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { startWebFixture, type WebFixture } from './web-fixture.js'
import { SHOTS } from './support.js'

const svg = (fill: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120"><rect width="200" height="120" fill="${fill}"/></svg>`

/** Every <img> on the page that finished loading without a picture (a broken image). */
const BROKEN = `[...document.querySelectorAll('img')].filter((i) => i.complete && i.naturalWidth === 0).map((i) => i.getAttribute('src'))`

describe('a folder link past its preview limit (e2e)', function () {
  this.timeout(120_000)
  let fx: WebFixture
  let v: TestAppliance
  let owner: WebClient
  let token: string

  before(async function () {
    fx = await startWebFixture(this, ['box'])
    ;({ v, owner } = fx)
    for (const [name, fill] of [['a-green.svg', '#3a7'], ['b-blue.svg', '#37a'], ['c-red.svg', '#a37']]) {
      expect((await owner.fetch(`/v1/AUTH_test/box/pics/${name}`, { method: 'PUT', body: svg(fill), headers: { 'Content-Type': 'image/svg+xml' } })).status).to.equal(201)
    }
    const r = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'folder', container: 'box', prefix: 'pics/', maxPreviews: 1 } })
    expect(r.status).to.equal(201)
    token = ((await r.json()) as { token: string }).token
  })
  after(async () => {
    await fx?.stop()
  })

  it('previews up to the limit, then shows a notice with the download instead of a broken picture', async () => {
    const context = await fx.browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
    context.setDefaultTimeout(30_000)
    try {
      const page = await context.newPage()
      await page.goto(`${v.url}/s/${token}`)
      await page.locator('li.tile[data-name="a-green.svg"]').click()
      await page.waitForFunction(`(() => { const i = document.querySelector('.preview-image img'); return i && i.complete && i.naturalWidth > 0 })()`)
      await page.keyboard.press('Escape')
      await page.locator('.preview-image').waitFor({ state: 'detached' })

      await page.locator('li.tile[data-name="b-blue.svg"]').click()
      const notice = page.getByTestId('preview-limit')
      await notice.waitFor()
      expect(await notice.textContent()).to.contain('preview limit was reached')
      await page.waitForLoadState('networkidle')
      expect(await page.evaluate(BROKEN), 'broken pictures').to.deep.equal([])
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme })
        await page.screenshot({ path: join(SHOTS, `share-preview-limit-desktop-${scheme}.png`) })
        await page.setViewportSize({ width: 375, height: 740 })
        await page.screenshot({ path: join(SHOTS, `share-preview-limit-phone-${scheme}.png`) })
        await page.setViewportSize({ width: 1280, height: 800 })
      }
      const dialog = page.getByRole('dialog', { name: 'b-blue.svg' })
      const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('link', { name: /^Download/ }).click()])
      expect(await download.failure()).to.equal(null)
      await dialog.getByRole('button', { name: 'Close' }).click()
      await dialog.waitFor({ state: 'detached' })
    } finally {
      await context.close()
    }
  })
})
