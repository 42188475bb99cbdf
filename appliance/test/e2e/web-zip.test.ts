/**
 * "Download as zip" in Debian's headless Chromium: selecting a folder and a file in the file
 * browser offers it, and the browser's download is a zip (read back with Info-ZIP's unzip)
 * holding the folder whole and the file. Screenshots of the selection bar at desktop and phone
 * width, light and dark: test-artifacts/screenshots/zip-selection-*.png. Skips, saying why,
 * without /usr/bin/chromium. (No DOM types here.)
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { startWebFixture, type WebFixture } from './web-fixture.js'
import { SHOTS, signIn } from './support.js'

describe('download several files and a folder as one zip (e2e)', function () {
  this.timeout(120_000)
  let fx: WebFixture
  let v: TestAppliance
  let owner: WebClient
  let browser: Browser
  let work: string

  before(async function () {
    fx = await startWebFixture(this, ['work'])
    ;({ v, owner, browser } = fx)
    work = mkdtempSync(join(tmpdir(), 'velox-zip-e2e-'))
    for (const [name, body] of [['reports/q1.txt', 'first quarter\n'], ['reports/2024/q4.txt', 'last quarter\n'], ['notes.txt', 'notes\n'], ['other.txt', 'left out\n']]) {
      expect((await owner.fetch(`/v1/AUTH_test/work/${name}`, { method: 'PUT', body, headers: { 'Content-Type': 'text/plain' } })).status).to.equal(201)
    }
  })
  after(async () => {
    await fx?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('downloads a selected folder and file as one zip', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } })
    context.setDefaultTimeout(30_000)
    try {
      const page = await context.newPage()
      await signIn(page, v.url)
      await page.goto(`${v.url}/files/work/`)
      await page.getByLabel('Select reports').click()
      await page.getByLabel('Select notes.txt').click()
      const button = page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Download as zip' })
      await button.waitFor()
      await page.screenshot({ path: join(SHOTS, 'zip-selection-desktop.png') })
      await page.emulateMedia({ colorScheme: 'dark' })
      await page.screenshot({ path: join(SHOTS, 'zip-selection-desktop-dark.png') })
      await page.setViewportSize({ width: 375, height: 740 })
      await page.screenshot({ path: join(SHOTS, 'zip-selection-phone-dark.png') })
      await page.emulateMedia({ colorScheme: 'light' })
      await page.screenshot({ path: join(SHOTS, 'zip-selection-phone.png') })
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()])
      expect(download.suggestedFilename()).to.equal('work.zip')
      const file = join(work, 'got.zip')
      await download.saveAs(file)
      expect(execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n').sort()).to.deep.equal(['notes.txt', 'reports/2024/q4.txt', 'reports/q1.txt'])
      expect(execFileSync('unzip', ['-p', file, 'reports/2024/q4.txt'], { encoding: 'utf8' })).to.equal('last quarter\n')
    } finally {
      await context.close()
    }
  })
})
