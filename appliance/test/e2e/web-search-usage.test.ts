/**
 * Search and storage use in Debian's headless Chromium: the Search page finds files by a
 * part of their name in any of my containers and links to their folder; the files page
 * shows the account's bytes used, and inside a container its bytes against the container's
 * quota (X-Container-Meta-Quota-Bytes, which Swift enforces with 413). Screenshots at desktop
 * and phone width, light and dark. Skips, saying why, without /usr/bin/chromium. (No DOM types.)
 */
import { expect } from 'chai'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, signIn } from './support.js'
import { shotsLightDark } from './screens.js'

const C = '/v1/AUTH_test'

describe('search and storage use in Chromium (e2e)', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let browser: Browser
  let page: Page

  const shots = (name: string) => shotsLightDark(page, name)

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
      this.skip()
    }
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: run make build first')
    mkdirSync(SHOTS, { recursive: true })
    v = await startTestAppliance({ flags: { web: { distDir: join(ROOT, 'web', 'dist'), sessionLifeSec: 3600 } } })
    const owner = new WebClient(v.url)
    await owner.login()
    expect((await owner.fetch(`${C}/photos`, { method: 'PUT' })).status).to.equal(201)
    expect((await owner.fetch(`${C}/docs`, { method: 'PUT', headers: { 'X-Container-Meta-Quota-Bytes': '2000' } })).status).to.equal(201)
    for (const [path, body] of [['photos/2024/Summer holiday.jpg', 'jpeg'], ['photos/2024/city.jpg', 'city'], ['docs/holiday plan.txt', 'x'.repeat(600)]]) {
      expect((await owner.fetch(`${C}/${path}`, { method: 'PUT', body })).status).to.equal(201)
    }
    // Swift's container_quotas: past the quota the upload is refused.
    expect((await owner.fetch(`${C}/docs/too-much.txt`, { method: 'PUT', body: 'y'.repeat(1500) })).status).to.equal(413)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage()
    await signIn(page, v.url)
  })
  after(async () => {
    await browser?.close()
    await v?.stop()
  })

  it('shows the bytes used, and a container\'s quota', async () => {
    const usage = page.getByTestId('storage-usage')
    await usage.filter({ hasText: 'Your storage' }).waitFor()
    expect(await usage.textContent()).to.include('608 B used').and.include('3 objects')
    await page.goto(`${v.url}/files/docs/`)
    await usage.filter({ hasText: '“docs”' }).waitFor()
    expect(await usage.textContent()).to.include('600 B used of 2.0 KB quota')
    expect(await page.getByRole('meter', { name: 'Quota used' }).getAttribute('aria-valuenow')).to.equal('30')
  })

  it('finds files by part of their name across containers and opens their folder', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search' }).click()
    await page.getByLabel('Name to search for').fill('HOLIDAY')
    await page.getByLabel('Name to search for').press('Enter')
    const hits = page.getByTestId('search-hit')
    await hits.nth(1).waitFor()
    expect(await hits.count()).to.equal(2)
    expect(await hits.allTextContents()).to.satisfy((t: string[]) => t.some((x) => x.includes('Summer holiday.jpg')) && t.some((x) => x.includes('holiday plan.txt')))
    await shots('search')
    await hits.filter({ hasText: 'Summer holiday.jpg' }).getByRole('link').click()
    await page.waitForURL(/\/files\/photos\/2024\/$/)
    await page.getByLabel('Select city.jpg').waitFor()
  })
})
