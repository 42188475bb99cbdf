/**
 * A file's own date in Debian's headless Chromium: files stored with X-Object-Meta-Mtime (as
 * swiftclient, rclone and the app's uploads keep it) show that date in the list's Modified
 * column and sort by it; a file without one shows when it was stored; a rename in the app and a
 * copy keep it. Skips, saying why, when /usr/bin/chromium is not installed. (No DOM types.)
 */
import { expect } from 'chai'
import type { Page } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { startWebApp, type WebApp } from './screens.js'

const C = '/v1/AUTH_test'
// 2001-09-09 01:46:40 UTC and 2017-07-14 02:40:00 UTC
const OLD = '1000000000'
const MID = '1500000000'

describe('the file\'s own date in the list, in Chromium (e2e)', function () {
  this.timeout(120_000)
  let app: WebApp
  let v: TestAppliance
  let owner: WebClient
  let page: Page

  const names = async () => {
    const rows = page.locator('tbody tr[data-name]')
    const out: string[] = []
    for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).getAttribute('data-name')) ?? '')
    return out
  }
  const dateOf = (name: string) => page.locator(`tr[data-name="${name}"] .col-date`).innerText()

  before(async function () {
    app = await startWebApp(this, async (owner) => {
      expect((await owner.fetch(`${C}/dates`, { method: 'PUT', headers: { 'X-Versions-Enabled': 'true' } })).status).to.equal(201)
      for (const [name, mtime] of [['b-old.txt', OLD], ['a-mid.txt', MID], ['c-now.txt', undefined]] as const) {
        const headers: Record<string, string> = { 'Content-Type': 'text/plain', ...(mtime ? { 'X-Object-Meta-Mtime': mtime } : {}) }
        expect((await owner.fetch(`${C}/dates/${name}`, { method: 'PUT', body: name, headers })).status).to.equal(201)
      }
    })
    ;({ v, page, owner } = app)
  })
  after(async () => {
    await app?.stop()
  })

  it('shows each file\'s own date and sorts by it', async () => {
    await page.goto(`${v.url}/files/dates/`)
    await page.getByRole('button', { name: 'List view' }).click()
    await page.locator('tr[data-name="c-now.txt"]').waitFor()
    expect(await dateOf('b-old.txt')).to.match(/2001/)
    expect(await dateOf('a-mid.txt')).to.match(/2017/)
    expect(await dateOf('c-now.txt')).to.match(new RegExp(String(new Date().getUTCFullYear())))
    await page.getByRole('button', { name: /^Modified/ }).click()
    const sorted = await names()
    const order = sorted[0] === 'b-old.txt' ? sorted : [...sorted].reverse()
    expect(order).to.deep.equal(['b-old.txt', 'a-mid.txt', 'c-now.txt'])
  })

  it('keeps the date through a rename in the app and a copy', async () => {
    await page.getByLabel('Select b-old.txt').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
    const input = page.getByRole('dialog', { name: 'Rename or move “b-old.txt”' }).getByRole('textbox')
    await input.fill('dates/renamed.txt')
    await input.press('Enter')
    await page.locator('tr[data-name="renamed.txt"]').waitFor()
    expect(await dateOf('renamed.txt')).to.match(/2001/)
    expect((await owner.fetch(`${C}/dates/renamed.txt`, { method: 'COPY', headers: { Destination: 'dates/copied.txt' } })).status).to.equal(201)
    await page.reload()
    await page.locator('tr[data-name="copied.txt"]').waitFor()
    expect(await dateOf('copied.txt')).to.match(/2001/)
  })
})
