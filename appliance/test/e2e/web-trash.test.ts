/**
 * Trash and versions in Debian's headless Chromium: a file overwritten in the app's
 * container has its earlier version listed and restorable; a file deleted in the app shows
 * in the Trash (with the retention the server keeps) and comes back with "Restore"; a
 * container without versions is offered a trash; a versioned container is deleted from the
 * app with its versions. Screenshots of the Trash and the versions dialog at desktop and phone width, light
 * and dark. Skips, saying why, when /usr/bin/chromium is not installed. (No DOM types.)
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

describe('trash and versions in Chromium (e2e)', function () {
  this.timeout(180_000)
  let v: TestAppliance
  let browser: Browser
  let owner: WebClient
  let page: Page

  const text = async (path: string) => {
    const r = await owner.fetch(`${C}/${path}`)
    return r.status === 200 ? r.text() : `HTTP ${r.status}`
  }
  const shots = (name: string) => shotsLightDark(page, name)

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
    expect((await owner.fetch(`${C}/docs`, { method: 'PUT', headers: { 'X-Versions-Enabled': 'true' } })).status).to.equal(201)
    expect((await owner.fetch(`${C}/plain`, { method: 'PUT' })).status).to.equal(201)
    for (const body of ['first draft', 'second draft']) {
      expect((await owner.fetch(`${C}/docs/report.txt`, { method: 'PUT', body, headers: { 'Content-Type': 'text/plain' } })).status).to.equal(201)
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage()
    await signIn(page, v.url)
  })
  after(async () => {
    await browser?.close()
    await v?.stop()
  })

  it('lists a file\'s versions and restores the earlier one', async () => {
    await page.goto(`${v.url}/files/docs/`)
    await page.getByLabel('Select report.txt').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Versions' }).click()
    const dialog = page.getByRole('dialog', { name: 'Versions of “report.txt”' })
    await dialog.getByTestId('version-row').nth(1).waitFor()
    expect(await dialog.getByTestId('version-row').count()).to.equal(2)
    expect(await dialog.getByTestId('version-row').first().textContent()).to.include('current')
    await shots('versions-dialog')
    await dialog.getByTestId('version-row').nth(1).getByRole('button', { name: 'Restore' }).click()
    // (a restore copies that version back as the newest: every step stays in the history)
    await dialog.getByTestId('version-row').nth(2).waitFor()
    expect(await dialog.getByTestId('version-row').first().textContent()).to.include('current')
    expect(await text('docs/report.txt')).to.equal('first draft')
    await dialog.getByRole('button', { name: 'Close' }).click()
  })

  it('moves a deleted file to the Trash, which restores it', async () => {
    await page.goto(`${v.url}/files/docs/`)
    await page.getByLabel('Select report.txt').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete “report.txt”?' })
    await confirm.getByText('Files go to the Trash').waitFor()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect(await text('docs/report.txt')).to.equal('HTTP 404')

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click()
    const row = page.getByTestId('trash-row').filter({ hasText: 'report.txt' })
    await row.waitFor()
    expect(await page.getByTestId('trash-retention').textContent()).to.include('kept 30 days')
    expect(await page.locator('.trash-off').textContent()).to.include('plain')
    await shots('trash')
    await row.getByRole('button', { name: 'Restore' }).click()
    await page.getByRole('status').filter({ hasText: 'Restored “report.txt”.' }).waitFor()
    await page.getByText('The trash is empty.').waitFor()
    expect(await text('docs/report.txt')).to.equal('first draft')
  })

  it('lets a container without versions start keeping them', async () => {
    await page.locator('.trash-off li').filter({ hasText: 'plain' }).getByRole('button', { name: 'Keep versions' }).click()
    await page.getByRole('status').filter({ hasText: '“plain” now keeps versions.' }).waitFor()
    expect((await owner.fetch(`${C}/plain`, { method: 'HEAD' })).headers.get('x-versions-enabled')).to.match(/true/i)

    expect((await owner.fetch(`${C}/fresh`, { method: 'PUT', headers: { 'X-Versions-Enabled': 'true' } })).status).to.equal(201)
  })

  it('deletes a versioned container with its versions from the app', async () => {
    expect((await owner.fetch(`${C}/fresh/a.txt`, { method: 'PUT', body: 'a' })).status).to.equal(201)
    expect((await owner.fetch(`${C}/fresh/a.txt`, { method: 'PUT', body: 'b' })).status).to.equal(201)
    await page.goto(`${v.url}/files/`)
    await page.getByLabel('Select fresh').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Delete' }).click()
    const confirm = page.getByRole('dialog', { name: 'Delete “fresh”?' })
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await confirm.waitFor({ state: 'detached' })
    expect((await owner.fetch(`${C}/fresh`, { method: 'HEAD' })).status).to.equal(404)
  })
})
