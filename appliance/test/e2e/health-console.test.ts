/**
 * The admin health console in Chromium: a real appliance with health on, recorded SMART
 * (a healthy SATA, a failing SATA and an NVMe drive) and an hour of recorded CPU history,
 * the real samplers for the rest. The dashboard shows the failing disk and its alert, a disk
 * and a ring device show what they hold, the alert is acknowledged, a webhook is set and its
 * test received, a chart is zoomed, the log
 * viewer follows a request by its id and searches a from/to range and text, the terminal runs
 * `echo hi-$((6*7))`, copies a selection and pastes the clipboard, and a non-admin gets
 * nothing. Screenshots at desktop and phone width go to test-artifacts/screenshots/health-*.png.
 */
import { expect } from 'chai'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createLog } from '../../src/lib/log.js'
import { TESTER, startTestAppliance, type TestAppliance, type TestUser } from '../harness/test-appliance.js'
import { jsonReceiver, recordedSmartDir } from '../harness/health-fixtures.js'
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, ensureWebApp, signIn } from './support.js'

const VIEWER: TestUser = { account: 'test', user: 'viewer', key: 'viewing' }

describe('health console in Chromium (e2e)', function () {
  this.timeout(180_000)
  let t: TestAppliance
  let smartDir: string
  let browser: Browser
  let page: Page
  const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `health-${name}.png`) })

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
      this.skip()
    }
    ensureWebApp()
    smartDir = recordedSmartDir()
    t = await startTestAppliance({
      users: [TESTER, VIEWER],
      log: createLog('info', () => {}),
      flags: { log: { level: 'info', requests: true }, health: { enabled: true, sampleIntervalSec: 2, alertIntervalSec: 1, smartRecordedDir: smartDir } },
    })
    // An hour of recorded CPU load (a busy spell in the middle), so the chart has a shape to zoom into.
    const h = t.app.health!.service.history
    const now = Date.now()
    for (let i = 360; i > 0; i--) h.record('cpu.load_pct', now - i * 10_000, 8 + 4 * Math.sin(i / 9) + (i > 150 && i < 200 ? 55 : 0))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    context.setDefaultTimeout(20_000)
    page = await context.newPage()
    await signIn(page, t.url, TESTER)
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    await page?.screenshot({ path: join(SHOTS, `failed-health-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}.png`) }).catch(() => undefined)
  })

  after(async () => {
    await browser?.close()
    await t?.stop()
    if (smartDir) rmSync(smartDir, { recursive: true, force: true })
  })

  it('dashboard: the failing disk with its score, its alert and the badge', async () => {
    await page.getByRole('link', { name: 'Admin' }).click()
    await page.getByTestId('overall-status').filter({ hasText: 'disk sdb failing' }).waitFor()
    const row = page.getByTestId('disks').locator('tr', { hasText: 'sdb' })
    expect(await row.getAttribute('class')).to.equal('hc-row-failing')
    expect(await row.innerText()).to.include('SMART overall status FAILED')
    await page.getByTestId('active-alerts').getByText('disk sdb (Z1F2XXXX): SMART overall status FAILED').waitFor()
    expect(Number(await page.getByTestId('alert-badge').innerText())).to.be.at.least(1)
    await page.getByTestId('chart-cpu').locator('.u-over').waitFor()
    await shot(page, 'dashboard-desktop')
  })

  it('drill-down: the disk page gives the reasons and the SMART table', async () => {
    await page.getByTestId('disks').getByRole('link', { name: 'sdb' }).click()
    await page.getByTestId('disk-reasons').getByText('SMART overall status FAILED').waitFor()
    await page.getByTestId('disk-reasons').getByText('last self-test: Completed: read failure').waitFor()
    expect(await page.getByTestId('smart-table').locator('tr', { hasText: 'Reallocated_Sector_Ct' }).innerText()).to.include('3912')
    await page.getByTestId('disk-holds').getByText('No ring device on this disk.').waitFor()
    await shot(page, 'disk-sdb')
    // A ring device of the box (no SMART here) shows what it holds: partitions, objects, bytes.
    const device = [...t.app.devices.keys()][0]
    await page.goto(`${t.url}/admin/disks/${device}`)
    const holds = page.getByTestId('disk-holds')
    await holds.locator('tbody tr', { hasText: device }).waitFor()
    expect(await holds.innerText()).to.match(/Replicator: (no pass finished yet|last pass)/)
    await shot(page, 'disk-holds')
    await page.goBack()
  })

  it('acknowledges the alert; the badge goes down', async () => {
    const before = Number(await page.getByTestId('alert-badge').innerText())
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: /Alerts/ }).click()
    const alert = page.getByTestId('alert-smart-failed:sdb')
    await alert.getByRole('button', { name: 'Acknowledge' }).click()
    await alert.getByText(/acknowledged by test:tester/).waitFor()
    await shot(page, 'alerts')
    const badge = page.getByTestId('alert-badge')
    if (before === 1) await badge.waitFor({ state: 'detached' })
    else await page.waitForFunction(`Number(document.querySelector('[data-testid="alert-badge"]')?.textContent) === ${before - 1}`)
  })

  it('alert delivery: sets a webhook, saves it, and its test reaches the receiver', async () => {
    const receiver = await jsonReceiver()
    try {
      const form = page.getByTestId('delivery')
      await form.getByLabel('Webhook').check()
      await form.getByLabel('URL').fill(receiver.url)
      await form.getByRole('button', { name: 'Save delivery' }).click()
      await form.getByText('Saved.').waitFor()
      await form.getByRole('button', { name: 'Send a test webhook' }).click()
      await form.getByText('Test webhook sent.').waitFor()
      expect(receiver.bodies).to.have.length(1)
      expect(receiver.bodies[0].alert.message).to.equal('Velox test alert: delivery works')
      await form.scrollIntoViewIfNeeded()
      await shot(page, 'alert-delivery')
    } finally {
      await receiver.close()
    }
  })

  it('zooms a chart by dragging across it, and resets', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Health' }).click()
    const over = page.getByTestId('chart-cpu').locator('.u-over')
    await over.waitFor()
    await over.scrollIntoViewIfNeeded()
    const b = (await over.boundingBox())!
    await page.mouse.move(b.x + b.width * 0.3, b.y + b.height / 2)
    await page.mouse.down()
    await page.mouse.move(b.x + b.width * 0.6, b.y + b.height / 2, { steps: 8 })
    await page.mouse.up()
    const reset = page.getByTestId('chart-cpu').getByRole('button', { name: 'Reset zoom' })
    await reset.waitFor()
    await shot(page, 'chart-zoomed')
    await reset.click()
    await reset.waitFor({ state: 'detached' })
  })

  it('log viewer: finds every line of a request by its id', async () => {
    const { storageUrl, token } = await t.auth()
    const r = await fetch(`${storageUrl}/no-such-container`, { headers: { 'X-Auth-Token': token } })
    const id = r.headers.get('x-trans-id')!
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Logs' }).click()
    await page.getByLabel('Request id').fill(id)
    await page.getByRole('button', { name: 'Search' }).click()
    const lines = page.getByTestId('log-lines').locator('tbody tr')
    // The viewer first shows the last hour; the search by id then leaves this request's line alone.
    await page.waitForFunction(`document.querySelectorAll('[data-testid="log-lines"] tbody tr').length === 1`)
    await lines.filter({ hasText: id }).waitFor()
    expect(await lines.first().innerText()).to.include('404')
    await shot(page, 'logs')
    // A from/to range: one in the future finds nothing, one around now finds the request again.
    const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
    await page.locator('.hc-log-form select').first().selectOption('-1')
    const [from, to] = [page.locator('.hc-log-form input[type=datetime-local]').nth(0), page.locator('.hc-log-form input[type=datetime-local]').nth(1)]
    await from.fill(local(Date.now() + 86_400_000))
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByText('0 lines').waitFor()
    await from.fill(local(Date.now() - 3_600_000))
    await to.fill(local(Date.now() + 3_600_000))
    await page.getByRole('button', { name: 'Search' }).click()
    await lines.filter({ hasText: id }).waitFor()
    // Text search with the request id cleared finds the same request by its path.
    await page.getByLabel('Request id').fill('')
    await page.locator('.hc-log-form input[type=search]').first().fill('no-such-container')
    await page.getByRole('button', { name: 'Search' }).click()
    await lines.filter({ hasText: id }).waitFor()
    await shot(page, 'logs-range')
  })

  it('terminal: asks for the password, then runs a command', async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Terminal' }).click()
    await page.getByLabel('Password').fill(TESTER.key)
    await page.getByRole('button', { name: 'Open terminal' }).click()
    const term = page.getByTestId('terminal')
    await term.locator('.xterm-rows').waitFor()
    await page.waitForFunction(`(document.querySelector('.xterm-rows')?.textContent ?? '').includes('#')`, undefined, { timeout: 20_000 })
    await term.click()
    await page.keyboard.type('echo hi-$((6*7))')
    await page.keyboard.press('Enter')
    await page.waitForFunction(`/hi-42/.test((document.querySelector('.xterm-rows')?.textContent ?? '').split('echo hi-$((6*7))').join(''))`, undefined, { timeout: 20_000 })
    await shot(page, 'terminal')
  })

  it('terminal: a selection goes to the clipboard, and Paste types the clipboard into the shell', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url })
    const row = page.getByTestId('terminal').locator('.xterm-rows > div').filter({ hasText: /^hi-42\s*$/ }).first()
    const b = (await row.boundingBox())!
    await page.mouse.dblclick(b.x + 12, b.y + b.height / 2) // the word under the pointer: "hi-42"
    await page.waitForFunction(`navigator.clipboard.readText().then((s) => s === 'hi-42')`, undefined, { timeout: 10_000 })
    await page.evaluate(`navigator.clipboard.writeText('echo pasted-$((2+3))')`)
    await page.getByRole('button', { name: 'Paste' }).click()
    // Paste reads the clipboard (a promise), types it, then gives the terminal the focus back:
    // Enter before that would press the Paste button again instead of reaching the shell.
    await page.waitForFunction(`document.activeElement?.classList.contains('xterm-helper-textarea') === true`, undefined, { timeout: 10_000 })
    await page.keyboard.press('Enter')
    await page.waitForFunction(`/pasted-5/.test((document.querySelector('.xterm-rows')?.textContent ?? '').split('echo pasted-$((2+3))').join(''))`, undefined, { timeout: 20_000 })
    await shot(page, 'terminal-paste')
  })

  it('phone width: the dashboard fits and still shows the failing disk', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const p = await phone.newPage()
    await signIn(p, t.url, TESTER)
    await p.goto(`${t.url}/admin`)
    await p.getByTestId('overall-status').filter({ hasText: 'disk sdb failing' }).waitFor()
    await shot(p, 'dashboard-phone')
    const overflow = await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
    expect(overflow).to.be.at.most(1)
    await p.goto(`${t.url}/admin/alerts`)
    await p.getByTestId('alert-smart-failed:sdb').waitFor()
    await shot(p, 'alerts-phone')
    await phone.close()
  })

  it('a non-admin is refused every admin page, API and the terminal socket', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const p = await ctx.newPage()
    await signIn(p, t.url, VIEWER)
    expect(await p.getByRole('link', { name: 'Admin' }).count()).to.equal(0)
    for (const path of ['/admin', '/admin/alerts', '/admin/logs', '/admin/terminal', '/admin/disks/sdb']) {
      await p.goto(`${t.url}${path}`)
      await p.getByRole('alert').filter({ hasText: 'Administrators only.' }).waitFor()
    }
    const statuses = await p.evaluate(`Promise.all(['/api/admin/health/summary', '/api/admin/alerts', '/api/admin/logs', '/api/admin/audit', '/api/admin/health/history?metric=cpu.load_pct', '/api/admin/health/events'].map(async (x) => (await fetch(x)).status))`)
    expect(statuses).to.deep.equal([403, 403, 403, 403, 403, 403])
    const socket = await p.evaluate(`new Promise((done) => {
      const ws = new WebSocket('ws://' + location.host + '/api/terminal')
      ws.onopen = () => done('open')
      ws.onerror = () => done('refused')
    })`)
    expect(socket).to.equal('refused')
    await shot(p, 'non-admin-refused')
    await ctx.close()
  })
})
