/**
 * A folder of 100,000 entries in Debian's headless Chromium: the first page shows at once,
 * listings go out as `limit=500` + `marker`, scrolling to the end fetches the next page, and
 * the DOM holds only the rows around the viewport however many are loaded (list and grid);
 * the keyboard reaches rows that are not rendered. Screenshots:
 * test-artifacts/screenshots/3x-big-folder-*.png. Skips without /usr/bin/chromium.
 *
 * The 100,000 rows are written straight into the container's databases (every replica the
 * appliance holds, through the devices' bulk `mergeObjectRows`, as `tools/bench listing`
 * fills its container): through the API the same objects take ~20 minutes on this machine
 * (~80 durable PUTs/s by bulk extract-archive). The listing path the app uses (Swift GET on
 * the container) is the real one; a real object is PUT beside them so the container's stats
 * are those of a live container.
 *
 * This file compiles under the server's tsconfig (no DOM types): whatever runs in the page
 * is written as a string.
 */
import { expect } from 'chai'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { Timestamp } from '../../src/lib/timestamp.js'
import { createLog } from '../../src/lib/log.js'
import type { ObjectRow } from '../../src/store/types.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, ensureWebApp, signIn } from './support.js'

const CONTAINER = 'archive'
const ROWS = 100_000
const PAGE = 500
/** More rows than this in the DOM means the list is not windowed. */
const DOM_BOUND = 120

const nameOf = (i: number) => `file-${String(i).padStart(6, '0')}.txt`

/** Writes `count` object rows into every local replica of the container's database. */
async function fillContainer(appliance: TestAppliance, account: string, container: string, count: number): Promise<number> {
  const base = Timestamp.now().ticks
  let replicas = 0
  await Promise.all(
    [...appliance.app.devices.values()].map(async (device) => {
      if (!(await device.dbs.getContainer(account, container))) return
      replicas++
      for (let i = 0; i < count; i += 10_000) {
        const rows: ObjectRow[] = []
        for (let k = i; k < Math.min(count, i + 10_000); k++) {
          rows.push({ name: nameOf(k), timestamp: new Timestamp(base + k).internal, size: 100 + (k % 5000), contentType: 'text/plain', etag: 'd41d8cd98f00b204e9800998ecf8427e', deleted: false })
        }
        await device.dbs.mergeObjectRows(account, container, rows)
      }
    }),
  )
  return replicas
}

describe('a folder of 100,000 entries in Chromium (e2e)', function () {
  this.timeout(120_000)
  let appliance: TestAppliance
  let browser: Browser
  let page: Page
  let storageUrl: string
  const serverLog: string[] = []
  /** The listing requests the page made for the container, in order. */
  const listings: URLSearchParams[] = []

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) })
  const domRows = () => page.locator('[data-row]').count()
  const loaded = async () => Number(((await page.getByTestId('loaded-count').textContent()) ?? '').replace(/\D/g, ''))

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
      this.skip()
    }
    ensureWebApp()
    appliance = await startTestAppliance({ log: createLog('warn', (l) => void serverLog.push(l)) })
    const auth = await appliance.auth()
    storageUrl = new URL(auth.storageUrl).pathname
    const account = storageUrl.split('/')[2]
    const swift = (path: string, init: RequestInit = {}) => fetch(`${appliance.url}${storageUrl}${path}`, { ...init, headers: { 'X-Auth-Token': auth.token, ...(init.headers as Record<string, string>) } })
    expect((await swift(`/${CONTAINER}`, { method: 'PUT' })).status).to.equal(201)
    const start = performance.now()
    const replicas = await fillContainer(appliance, account, CONTAINER, ROWS)
    expect(replicas).to.be.greaterThan(0)
    expect((await swift(`/${CONTAINER}/readme.txt`, { method: 'PUT', body: 'one real object among the rows\n' })).status).to.equal(201)
    const head = await swift(`/${CONTAINER}`, { method: 'HEAD' })
    expect(head.headers.get('x-container-object-count')).to.equal(String(ROWS + 1))
    console.log(`      (${ROWS.toLocaleString('en')} rows into ${replicas} container replicas in ${((performance.now() - start) / 1000).toFixed(1)} s)`)
    // The account's row for the container catches up with the real PUT in the background.
    for (let i = 0; ; i++) {
      const list = (await (await swift('?format=json')).json()) as Array<{ name: string; count: number }>
      if (list.find((c) => c.name === CONTAINER)?.count === ROWS + 1) break
      if (i > 100) throw new Error(`the account listing does not show ${ROWS + 1} objects: ${JSON.stringify(list)}`)
      await new Promise((r) => setTimeout(r, 100))
    }

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US' })
    context.setDefaultTimeout(20_000)
    page = await context.newPage()
    page.on('request', (r) => {
      const url = new URL(r.url())
      if (r.method() === 'GET' && url.pathname === `${storageUrl}/${CONTAINER}` && url.searchParams.get('format') === 'json') listings.push(url.searchParams)
    })
    await signIn(page, appliance.url)
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    if (serverLog.length) console.log(`      appliance log:\n${serverLog.splice(0).join('')}`)
    const name = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
    await page?.screenshot({ path: join(SHOTS, `failed-big-folder-${name}.png`) }).catch(() => undefined)
  })

  after(async () => {
    await browser?.close()
    await appliance?.stop()
  })

  it('shows the first page quickly, from one listing of 500, with a bounded number of rows', async () => {
    const container = page.locator(`tr[data-name="${CONTAINER}"]`)
    await container.waitFor()
    expect(await container.locator('.col-size').textContent()).to.match(/^100,001 files · /)
    const start = performance.now()
    await container.locator('a.entry-name').click()
    await page.locator(`tr[data-name="${nameOf(0)}"]`).waitFor()
    const firstPageMs = performance.now() - start
    console.log(`      (first page on screen ${firstPageMs.toFixed(0)} ms after the click)`)
    expect(firstPageMs).to.be.below(5000)

    expect(listings.length).to.equal(1)
    expect(Object.fromEntries(listings[0])).to.deep.equal({ format: 'json', limit: String(PAGE), delimiter: '/', velox_mtime: '1' })
    expect(await loaded()).to.equal(PAGE)
    expect(await page.locator('table.files-table').getAttribute('aria-rowcount')).to.equal(String(PAGE + 1))
    const rows = await domRows()
    expect(rows).to.be.within(15, DOM_BOUND)
    await shot('30-big-folder-first-page')
  })

  it('scrolling to the end fetches the next page by marker; the DOM stays bounded', async () => {
    for (let pageNo = 1; pageNo <= 3; pageNo++) {
      const start = performance.now()
      await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)')
      await page.waitForFunction(`document.querySelector('[data-testid="loaded-count"]')?.textContent.replace(/\\D/g, '') === '${(pageNo + 1) * PAGE}'`)
      console.log(`      (page ${pageNo + 1} loaded ${(performance.now() - start).toFixed(0)} ms after scrolling to the end)`)
      expect(Object.fromEntries(listings[pageNo])).to.deep.equal({ format: 'json', limit: String(PAGE), delimiter: '/', velox_mtime: '1', marker: nameOf(pageNo * PAGE - 1) })
      expect(await domRows()).to.be.at.most(DOM_BOUND)
    }
    expect(listings.length).to.equal(4)
    // (short of the end, so that no fifth page loads)
    await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight - window.innerHeight - 900)')
    // The rows on screen are the last ones loaded; the first rows are gone from the DOM.
    await page.locator(`tr[data-name="${nameOf(4 * PAGE - 1)}"]`).waitFor({ state: 'attached' })
    expect(await page.locator(`tr[data-name="${nameOf(0)}"]`).count()).to.equal(0)
    expect(await domRows()).to.be.at.most(DOM_BOUND)
    const firstRendered = Number(await page.locator('tr[data-row]').first().getAttribute('data-index'))
    expect(firstRendered).to.be.greaterThan(1500)
    expect(await page.locator('tr[data-row]').first().getAttribute('aria-rowindex')).to.equal(String(firstRendered + 2))
    await shot('31-big-folder-scrolled')
  })

  /** Rows loaded so far, once no page is arriving any more (scrolling to the end may have
   *  asked for one more just before; on a loaded machine it lands late). */
  async function settledCount(): Promise<number> {
    const count = async () => Number(((await page.getByTestId('loaded-count').textContent()) ?? '').replace(/\D/g, ''))
    let n = await count()
    for (;;) {
      await new Promise((r) => setTimeout(r, 600))
      const m = await count()
      if (m === n) return n
      n = m
    }
  }
  let loadedRows = 0

  it('"Load more" fetches the next page too', async () => {
    const had = await settledCount()
    const before = listings.length
    await page.getByRole('button', { name: 'Load more' }).click()
    await page.waitForFunction(`document.querySelector('[data-testid="loaded-count"]')?.textContent.replace(/\\D/g, '') === '${had + PAGE}'`)
    expect(listings.length).to.equal(before + 1)
    expect(listings[before].get('marker')).to.equal(nameOf(had - 1))
    loadedRows = had + PAGE
  })

  it('the keyboard reaches rows that are not rendered: Home, End, Page Down, arrows', async () => {
    const focused = () => page.evaluate<string | null>(`document.activeElement && document.activeElement.getAttribute('data-name')`)
    await page.locator('tr[data-row]').first().focus()
    await page.keyboard.press('Home')
    await page.waitForFunction(`document.activeElement && document.activeElement.getAttribute('data-name') === '${nameOf(0)}'`)
    expect(await page.evaluate('window.scrollY')).to.be.below(400)
    await page.keyboard.press('ArrowDown')
    expect(await focused()).to.equal(nameOf(1))
    await page.keyboard.press('PageDown')
    const afterPageDown = Number(await page.evaluate(`document.activeElement.getAttribute('data-index')`))
    expect(afterPageDown).to.be.within(8, 30)
    await page.keyboard.press('End')
    await page.waitForFunction(`document.activeElement && document.activeElement.getAttribute('data-name') === '${nameOf(loadedRows - 1)}'`)
    expect(await domRows()).to.be.at.most(DOM_BOUND)
    await page.keyboard.press('ArrowUp')
    expect(await focused()).to.equal(nameOf(loadedRows - 2))
  })

  it('the grid view is windowed as well', async () => {
    await page.getByRole('button', { name: 'Grid view' }).click()
    try {
      await page.locator('.tile').first().waitFor()
      expect(await page.locator('.tile').count()).to.be.at.most(DOM_BOUND)
      const top = await page.evaluate<number>('window.scrollY')
      await page.evaluate('window.scrollTo(0, window.scrollY + 3000)')
      await page.waitForFunction(`(() => { const t = document.querySelector('.tile'); return !!t && Number(t.getAttribute('data-index')) > 0 })()`)
      expect(await page.evaluate<number>('window.scrollY')).to.be.above(top)
      expect(await page.locator('.tile').count()).to.be.at.most(DOM_BOUND)
      await shot('32-big-folder-grid')
    } finally {
      await page.getByRole('button', { name: 'List view' }).click()
    }
  })
})
