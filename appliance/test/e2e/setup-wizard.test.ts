/**
 * The first boot as a person does it, in Debian's headless Chromium: a fresh appliance
 * started as `velox serve --setup` → the setup code (a wrong one refused first) → every
 * step, each shown a bad input first and its message, a reload on the network and disk
 * steps resuming there → summary → finish → HTTPS → the files app signed in → a picture
 * uploaded → its thumbnail. Then /setup is gone, and a second fresh box shows the rate limit
 * on wrong codes. Every step is photographed at desktop and phone width into
 * test-artifacts/screenshots/setup-*.png; the time from the first page to the first upload
 * is printed. Skips, saying why, without /usr/bin/chromium.
 *
 * The disk step gets four loop devices of its own (disks.only keeps the appliance to them):
 * chosen, burnt in, formatted and added through the page, the usable capacity shown. Where
 * loop devices cannot be made (not root), it says so and uses the built-in storage.
 */
import { expect } from 'chai'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import sharp from 'sharp'
import { loadConfig } from '../../src/config/index.js'
import { createLog } from '../../src/lib/log.js'
import { startAppliance, type Appliance } from '../../src/main.js'
import { LoopDisks, loopDevicesUnavailable } from '../harness/loop-disks.js'
import { ringsOf, startNtpServer } from '../harness/setup-client.js'
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, ensureWebApp } from './support.js'

const PASSWORD = 'Velvet-Otter-42!'

async function freshBox(dataDir: string, log: string[], loops?: LoopDisks): Promise<Appliance> {
  // Without loop devices, disks.only names none: the disk step then lists nothing of this machine's.
  const disks = { only: loops ? loops.devices : ['/dev/velox-none'], burnInSampleMiB: 8 }
  const flags = { dataDir, bind: { host: '127.0.0.1', port: 0 }, https: { port: 0 }, log: { level: 'warn' as const, requests: false }, disks, ...(loops ? { devicesDir: loops.devicesRoot } : {}) }
  const config = loadConfig({ flags, env: {} })
  return startAppliance(config, createLog('warn', (l) => void log.push(l)), { setup: true })
}

describe('setup wizard in Chromium (e2e)', function () {
  this.timeout(180_000)
  let box: Appliance
  let dir: string
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let phone: Page
  let ntp: Awaited<ReturnType<typeof startNtpServer>>
  let loops: LoopDisks | undefined
  let firstPageAt = 0
  /** Time spent photographing (and reloading the phone page), left out of the time a person needs. */
  let shootingMs = 0
  const serverLog: string[] = []

  /** The step on both widths: desktop as it is, the phone page reloaded (which also proves the resume). */
  async function shoot(name: string, heading: string): Promise<void> {
    await page.getByRole('heading', { name: heading, exact: true }).waitFor()
    const started = performance.now()
    await page.screenshot({ path: join(SHOTS, `setup-${name}-desktop.png`), fullPage: true })
    await phone.goto(page.url())
    await phone.getByRole('heading', { name: heading, exact: true }).waitFor()
    await phone.screenshot({ path: join(SHOTS, `setup-${name}-phone.png`), fullPage: true })
    shootingMs += performance.now() - started
  }

  const alert = (text: string | RegExp) => page.getByRole('alert').filter({ hasText: text }).waitFor()
  const next = () => page.getByRole('button', { name: 'Next' }).click()

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
      this.skip()
    }
    ensureWebApp()
    dir = mkdtempSync(join(tmpdir(), 'velox-setup-e2e-'))
    ntp = await startNtpServer(800)
    const noLoops = await loopDevicesUnavailable()
    if (noLoops) console.log(`      note: ${noLoops}; the disk step uses the built-in storage`)
    else loops = await LoopDisks.create(4, 320)
    box = await freshBox(dir, serverLog, loops)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    // The appliance's certificate is self-signed: the test checks its fingerprint instead.
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ignoreHTTPSErrors: true })
    context.setDefaultTimeout(20_000)
    page = await context.newPage()
    phone = await context.newPage()
    await phone.setViewportSize({ width: 390, height: 844 })
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    if (serverLog.length) console.log(`      appliance log:\n${serverLog.splice(0).join('')}`)
    await page?.screenshot({ path: join(SHOTS, `setup-failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}.png`) }).catch(() => undefined)
  })

  after(async () => {
    ntp?.close()
    await browser?.close()
    await box?.stop()
    await loops?.destroy()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('shows the wizard for every page and refuses a wrong setup code', async () => {
    firstPageAt = performance.now()
    await page.goto(`${box.url}/files/anything/`)
    await shoot('01-code', 'Set up this appliance')
    expect(new URL(page.url()).pathname).to.equal('/setup')
    await page.getByLabel('Setup code').fill('WRNG-WRNG-WRNG')
    await page.getByRole('button', { name: 'Continue' }).click()
    await alert(/wrong setup code/)
    await page.getByLabel('Setup code').fill(box.firstBoot.wizard.code.code.toLowerCase())
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.getByRole('heading', { name: 'Admin account' }).waitFor()
  })

  it('admin account: a weak password is refused, a strong one signs in', async () => {
    await page.getByLabel('Admin name').fill('ada')
    await page.getByLabel('Password', { exact: true }).fill('password12')
    await page.getByLabel('Password again').fill('password12')
    expect(await page.getByRole('meter', { name: 'Password strength' }).getAttribute('aria-valuetext')).to.equal('Very weak')
    await next()
    await alert(/too weak/)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByLabel('Password again').fill(PASSWORD)
    expect(await page.getByRole('meter', { name: 'Password strength' }).getAttribute('aria-valuetext')).to.equal('Strong')
    await shoot('02-admin', 'Admin account')
    await next()
    await page.getByRole('heading', { name: 'Name and time' }).waitFor()
  })

  it('name and time: an invalid host name is refused; the clock is checked against NTP', async () => {
    await page.getByLabel('Appliance name').fill('my_box')
    await page.getByLabel('NTP servers').fill(ntp.address)
    await next()
    await alert(/may only hold letters/)
    await page.getByLabel('Appliance name').fill('velox-e2e')
    await shoot('03-identity', 'Name and time')
    await next()
    await page.getByRole('heading', { name: 'Network' }).waitFor()
    await page.getByText(/Clock checked against 127\.0\.0\.1:\d+: 0\.\d s behind/).waitFor()
  })

  it('network: a bad address is refused; a reload resumes on the step', async () => {
    await page.reload()
    await page.getByRole('heading', { name: 'Network' }).waitFor()
    await page.getByLabel('Static').check()
    await page.getByLabel('Address/prefix').fill('10.0.0.0/24')
    await page.getByLabel('DNS servers').fill('10.0.0.1')
    await next()
    await alert(/network address/)
    await page.getByLabel('DHCP').check()
    await page.getByLabel('DNS servers').fill('')
    await shoot('04-network', 'Network')
    await next()
    await page.getByRole('heading', { name: 'Disks' }).waitFor()
  })

  it('disks: a reload resumes there; the chosen disks are tested, formatted and added; fewer copies need a confirmation', async () => {
    await page.reload()
    await page.getByRole('heading', { name: 'Disks' }).waitFor()
    if (loops) {
      const boxes = page.getByRole('table').getByRole('checkbox', { name: /^Use / })
      await boxes.nth(3).waitFor()
      expect(await boxes.count()).to.equal(4)
      for (let i = 0; i < 4; i++) await boxes.nth(i).check()
      expect(await page.getByTestId('usable').textContent()).to.match(/^4\d\d MB$/)
      await page.getByRole('button', { name: 'Test, format and add the chosen disks' }).click()
      await page.getByRole('cell', { name: 'in-ring' }).nth(3).waitFor({ timeout: 90_000 })
      expect(box.devices.size).to.be.greaterThan(3)
    } else {
      await page.getByLabel('Use the built-in storage instead').check()
    }
    await page.getByRole('radio', { name: '1 (no redundancy)' }).check()
    await page.getByText('With one copy, a failed disk loses its objects.').waitFor()
    await next()
    await alert(/confirm that you accept/)
    await page.getByRole('radio', { name: '3 (recommended)' }).check()
    await shoot('05-disks', 'Disks')
    await next()
    await page.getByRole('heading', { name: 'Cluster' }).waitFor()
  })

  it('cluster: create a new one (joining is shown disabled)', async () => {
    expect(await page.getByLabel(/Join an existing cluster/).isDisabled()).to.equal(true)
    await shoot('06-cluster', 'Cluster')
    await next()
    await page.getByRole('heading', { name: 'HTTPS' }).waitFor()
  })

  it('https: something that is not a certificate is refused; a self-signed one is made; Back works', async () => {
    await page.getByLabel('Upload a certificate and its key (PEM)').check()
    await page.getByLabel('Certificate (leaf first, then its chain)').fill('hello')
    await page.getByLabel('Private key').fill('world')
    await next()
    await alert(/not a certificate/)
    await page.getByLabel('Generate a self-signed certificate').check()
    await shoot('07-https', 'HTTPS')
    await next()
    await page.getByRole('heading', { name: 'Summary' }).waitFor()
    await page.getByRole('button', { name: '← Back' }).click()
    await page.getByRole('heading', { name: 'HTTPS' }).waitFor()
    await next()
    await page.getByRole('heading', { name: 'Summary' }).waitFor()
  })

  it('summary → finish: HTTPS, the fingerprint to compare, the connect card, the files app signed in', async () => {
    const fingerprint = new X509Certificate(readFileSync(join(dir, 'etc', 'tls', 'cert.pem'))).fingerprint256
    await page.locator('.summary').getByText(fingerprint).waitFor()
    await shoot('08-summary', 'Summary')
    await page.getByRole('button', { name: 'Finish setup' }).click()
    await page.getByRole('heading', { name: 'Your appliance is ready' }).waitFor()
    await page.getByRole('heading', { name: 'Connect your clients' }).waitFor()
    await page.getByText(`${box.firstBoot.https.url}/auth/v1.0`).first().waitFor()
    await page.getByText(/^swift --os-cacert velox\.pem -A https:/).waitFor()
    await page.getByText(/^rclone --ca-cert/).waitFor()
    await page.getByText(/restic --cacert/).waitFor()
    const started = performance.now()
    await page.screenshot({ path: join(SHOTS, 'setup-09-done-desktop.png'), fullPage: true })
    shootingMs += performance.now() - started
    await page.getByRole('link', { name: 'Open your files' }).click()
    await page.getByText('No containers yet').waitFor()
    expect(page.url()).to.equal(`${box.firstBoot.https.url}/files/`)
    expect(await page.evaluate('performance.getEntriesByType("navigation")[0].nextHopProtocol'), 'Chromium over HTTP/2').to.equal('h2')
    // The rings now hold only the chosen disks (the embedded default's directories left), at 3 copies.
    const chosen = loops ? box.disks.registry.all().filter((r) => r.state === 'in-ring').map((r) => r.deviceName).sort() : ['d1', 'd2', 'd3']
    expect(chosen).to.have.length(loops ? 4 : 3)
    for (const ring of Object.values(ringsOf(join(dir, 'etc')))) expect(ring).to.deep.equal({ replicas: 3, devices: chosen })
    await page.screenshot({ path: join(SHOTS, 'setup-10-files-desktop.png') })
  })

  it('uploads a picture and shows its thumbnail; prints the time from the first page to the first upload', async () => {
    const picture = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 40, g: 120, b: 220 } } }).jpeg().toBuffer()
    await page.getByRole('button', { name: 'New folder' }).click()
    const name = page.getByRole('dialog', { name: 'New container' }).getByLabel('Name')
    await name.fill('photos')
    await name.press('Enter')
    await page.locator('tr[data-name="photos"] a.entry-name').click()
    await page.getByText('This folder is empty').waitFor()
    await page.getByTestId('file-input').setInputFiles({ name: 'first.jpg', mimeType: 'image/jpeg', buffer: picture })
    await page.locator('.upload-row[data-status="done"]').first().waitFor({ timeout: 30_000 })
    const seconds = (performance.now() - firstPageAt) / 1000
    console.log(`      time from the first page to the first upload: ${seconds.toFixed(1)} s, of which ${(shootingMs / 1000).toFixed(1)} s screenshots; ${(seconds - shootingMs / 1000).toFixed(1)} s of pages and answers (machine-driven, no human reading or typing time, 2 shared cores)`)
    await page.getByRole('button', { name: 'Close uploads' }).click()
    await page.getByRole('button', { name: 'Grid view' }).click()
    const thumb = page.locator('.tile[data-name="first.jpg"] [data-thumb="ready"] img')
    await thumb.waitFor({ timeout: 30_000 })
    await page.waitForFunction(`(() => { const i = document.querySelector('.tile[data-name="first.jpg"] img'); return !!i && i.complete && i.naturalWidth > 0 })()`)
    await page.screenshot({ path: join(SHOTS, 'setup-11-first-upload-desktop.png') })
  })

  it('after setup /setup is gone for everyone, and plain HTTP redirects to HTTPS', async () => {
    await page.goto(`${box.firstBoot.https.url}/setup`)
    await page.getByRole('link', { name: 'Files' }).waitFor()
    expect(new URL(page.url()).pathname).to.not.equal('/setup')
    const stranger = await browser.newContext({ ignoreHTTPSErrors: true })
    try {
      const p = await stranger.newPage()
      const r = await p.request.get(`${box.firstBoot.https.url}/api/setup/status`)
      expect(r.status()).to.equal(404)
      const http = await p.request.get(`${box.url}/info`, { maxRedirects: 0 })
      expect([http.status(), http.headers().location]).to.deep.equal([308, `${box.firstBoot.https.url}/info`])
    } finally {
      await stranger.close()
    }
  })

  it('admin settings: each section photographed, a user added, the certificate with its expiry', async () => {
    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByRole('heading', { name: 'Settings' }).waitFor()
    const sections: Array<[string, () => Promise<void>]> = [
      ['identity', () => page.getByLabel('Appliance name').waitFor()],
      ['network', () => page.getByLabel('Clients (front end)').waitFor()],
      ['certificate', () => page.getByText(/expires .* \(\d+ days\)/).waitFor()],
      ['users', () => page.getByRole('heading', { name: 'Add a user' }).waitFor()],
      ['clients', () => page.getByRole('heading', { name: 'Connect your clients' }).waitFor()],
    ]
    for (const [section, ready] of sections) {
      await page.goto(`${box.firstBoot.https.url}/admin/settings/${section}`)
      await ready()
      await page.screenshot({ path: join(SHOTS, `setup-settings-${section}-desktop.png`) })
    }
    // One phone-width look is enough here (the wizard's steps are each photographed at both widths).
    await phone.goto(`${box.firstBoot.https.url}/admin/settings/users`)
    await phone.getByRole('heading', { name: 'Add a user' }).waitFor()
    await phone.screenshot({ path: join(SHOTS, 'setup-settings-users-phone.png') })
    await page.goto(`${box.firstBoot.https.url}/admin/settings/users`)
    await page.getByLabel('Account', { exact: true }).fill('family')
    await page.getByLabel('User', { exact: true }).fill('bob')
    await page.getByLabel('Password', { exact: true }).fill('Blue-Kettle-77?')
    await page.getByRole('button', { name: 'Add user' }).click()
    await page.getByRole('status').filter({ hasText: 'Added family:bob.' }).waitFor()
    await page.getByRole('cell', { name: 'bob', exact: true }).waitFor()
  })

  it('rate-limits wrong setup codes on a fresh box', async () => {
    const other = mkdtempSync(join(tmpdir(), 'velox-setup-e2e-'))
    const fresh = await freshBox(other, serverLog)
    const p = await browser.newPage()
    try {
      await p.goto(fresh.url)
      for (let i = 0; i < 5; i++) {
        await p.getByLabel('Setup code').fill(`WRNG-WRNG-000${i}`)
        const [answer] = await Promise.all([p.waitForResponse('**/api/setup/claim'), p.getByRole('button', { name: 'Continue' }).click()])
        expect(answer.status()).to.equal(401)
        await p.getByRole('alert').filter({ hasText: /wrong setup code/ }).waitFor()
      }
      await p.getByLabel('Setup code').fill(fresh.firstBoot.wizard.code.code)
      const [blocked] = await Promise.all([p.waitForResponse('**/api/setup/claim'), p.getByRole('button', { name: 'Continue' }).click()])
      expect(blocked.status()).to.equal(403)
      await p.getByRole('alert').filter({ hasText: /too many failed setup codes; try again in \d+ s/ }).waitFor()
      await p.screenshot({ path: join(SHOTS, 'setup-12-rate-limited-desktop.png') })
    } finally {
      await p.close()
      await fresh.stop()
      rmSync(other, { recursive: true, force: true })
    }
  })
})
