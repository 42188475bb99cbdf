/**
 * Issue 16's new files-app features in Firefox: Debian's firefox-esr over WebDriver BiDi
 * (../harness/firefox-bidi.ts) against a real appliance serving the built SPA. Restores a
 * deleted file from the Trash (and sees a renamed file's old name listed as moved), searches
 * by name across containers, opens the details panel (type, size, ETag, Swift URL), and —
 * as a second user in an isolated tab — opens a folder shared with them under "Shared with
 * me" and reads a file. Screenshots: test-artifacts/screenshots/firefox-16-*.png. Skips,
 * saying why, when /usr/bin/firefox-esr is not installed. (No DOM types: page code is strings.)
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLog } from '../../src/lib/log.js'
import { FIREFOX, launchFirefox, type BidiTab, type FirefoxBidi } from '../harness/firefox-bidi.js'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { ROOT, SHOTS } from './support.js'

const BOB = { account: 'other', user: 'bob', key: 'bobpass' }
const REPORT = 'quarterly report\n'

describe('issue 16 features in Firefox (e2e, WebDriver BiDi)', function () {
  this.timeout(120_000)
  let v: TestAppliance | undefined
  let ff: FirefoxBidi | undefined
  let owner: WebClient
  const serverLog: string[] = []

  const shot = async (name: string, tab: BidiTab = ff!) => writeFileSync(join(SHOTS, `firefox-16-${name}.png`), await tab.screenshot())
  const signIn = async (tab: BidiTab, u: { user: string; key: string; account?: string }) => {
    await tab.navigate(v!.url)
    await tab.waitFor(`document.querySelector('form.signin input[name="password"]')`, 'the sign-in form')
    await tab.fill('form.signin input[name="user"]', u.user)
    await tab.fill('form.signin input[name="password"]', u.key)
    if (u.account) {
      await tab.clickByText('form.signin *', 'Advanced')
      await tab.waitFor(`document.querySelector('form.signin input[name="account"]')`, 'the account field')
      await tab.fill('form.signin input[name="account"]', u.account)
    }
    await tab.click('form.signin button[type="submit"]')
    await tab.waitFor(`document.querySelector('nav[aria-label="Main"]')`, 'the signed-in app')
  }

  before(async function () {
    if (!existsSync(FIREFOX)) {
      console.log(`      skipped: ${FIREFOX} is not installed (apt-get install firefox-esr)`)
      this.skip()
    }
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: run make build first')
    mkdirSync(SHOTS, { recursive: true })
    v = await startTestAppliance({ users: [TESTER, BOB], log: createLog('warn', (line) => void serverLog.push(line)) })
    owner = new WebClient(v.url)
    await owner.login()
    const put = async (path: string, body?: string, headers: Record<string, string> = {}) => {
      const r = await owner.fetch(`/v1/AUTH_test/${path}`, { method: 'PUT', body, headers: { 'Content-Type': 'text/plain', ...headers } })
      expect(r.status, path).to.be.oneOf([201, 202])
    }
    await put('docs', undefined, { 'X-Versions-Enabled': 'true' })
    await put('photos')
    await put('docs/report.txt', REPORT)
    await put('docs/old.txt', 'keep me')
    await put('docs/draft.txt', 'draft')
    await put('photos/Holiday-2026.txt', 'sun')
    expect((await owner.fetch('/v1/AUTH_test/docs/old.txt', { method: 'DELETE' })).status).to.equal(204)
    // A rename as the app does it: COPY to the new name, then DELETE.
    expect((await owner.fetch('/v1/AUTH_test/docs/draft.txt', { method: 'COPY', headers: { Destination: 'docs/final.txt' } })).status).to.equal(201)
    expect((await owner.fetch('/v1/AUTH_test/docs/draft.txt', { method: 'DELETE' })).status).to.equal(204)
    expect((await owner.fetch('/api/user-shares', { method: 'POST', json: { container: 'photos', grantee: 'other:bob', write: false } })).status).to.equal(201)
    ff = await launchFirefox({ width: 1280, height: 860 })
    await signIn(ff, TESTER)
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    if (serverLog.length) console.log(`      appliance log:\n${serverLog.splice(0).join('')}`)
    if (ff) await shot('failed').catch(() => undefined)
  })

  after(async () => {
    await ff?.close()
    await v?.stop()
  })

  it('restores a deleted file from the Trash, where a renamed file shows as moved', async () => {
    const b = ff!
    await b.navigate(`${v!.url}/trash`)
    await b.waitFor(`document.querySelectorAll('[data-testid="trash-row"]').length === 2`, 'two rows in the Trash')
    const movedText = `[...document.querySelectorAll('[data-testid="trash-row"]')].find((r) => r.textContent.includes('draft.txt'))?.querySelector('[data-testid="trash-moved"]')?.textContent`
    expect(await b.evaluate<string>(movedText)).to.match(/^Moved to final\.txt/)
    await shot('trash')
    await b.evaluate(`([...document.querySelectorAll('[data-testid="trash-row"]')].find((r) => r.textContent.includes('old.txt')).querySelector('button').setAttribute('data-restore', 'old'), true)`)
    await b.clickNative('button[data-restore="old"]')
    await b.waitFor(`document.querySelector('[role="status"]')?.textContent === 'Restored “old.txt”.'`, 'the restore notice')
    expect(await (await owner.fetch('/v1/AUTH_test/docs/old.txt')).text()).to.equal('keep me')
  })

  it('searches by name across containers', async () => {
    const b = ff!
    await b.navigate(`${v!.url}/search`)
    await b.waitFor(`document.querySelector('input[aria-label="Name to search for"]')`, 'the search box')
    await b.fill('input[aria-label="Name to search for"]', 'HOLIDAY')
    await b.press('Enter')
    await b.waitFor(`document.querySelectorAll('[data-testid="search-hit"]').length === 1`, 'one hit')
    expect(await b.evaluate<string>(`document.querySelector('[data-testid="search-hit"]').textContent`)).to.include('Holiday-2026.txt').and.include('photos/')
    await shot('search')
  })

  it('shows a file’s details: type, size, ETag and Swift URL', async () => {
    const b = ff!
    await b.navigate(`${v!.url}/files/docs/`)
    await b.waitFor(`document.querySelector('tr[data-name="report.txt"] input[type="checkbox"]')`, 'report.txt in the list')
    await b.clickNative('tr[data-name="report.txt"] input[type="checkbox"]')
    await b.clickByText('[aria-label="Selection"] button', 'Details')
    await b.waitFor(`document.querySelector('[data-testid="details-etag"]')`, 'the details panel')
    const text = (id: string) => b.evaluate<string>(`document.querySelector('[data-testid="${id}"]').textContent`)
    expect(await text('details-etag')).to.equal(createHash('md5').update(REPORT).digest('hex'))
    expect(await text('details-type')).to.equal('text/plain')
    expect(await text('details-size')).to.include(`(${REPORT.length} bytes)`)
    expect(await text('details-url')).to.equal(`${v!.url}/v1/AUTH_test/docs/report.txt`)
    await shot('details')
    await b.press('Escape')
    await b.waitFor(`!document.querySelector('dialog[open]')`, 'the details to close')
  })

  it('a second user opens a folder shared with them under "Shared with me"', async () => {
    const bob = await ff!.session.openTab({ isolated: true })
    try {
      await signIn(bob, BOB)
      await bob.clickByText('nav[aria-label="Main"] a', 'Shared with me')
      await bob.waitFor(`document.querySelector('.shared-open')`, 'the shared folder')
      await bob.clickNative('.shared-open')
      // (the shared folder opens in the file list: each file's name is its link, a.entry-name)
      await bob.waitFor(`document.querySelector('tr[data-name="Holiday-2026.txt"] a.entry-name')`, 'the shared file')
      const href = await bob.evaluate<string>(`document.querySelector('tr[data-name="Holiday-2026.txt"] a.entry-name').getAttribute('href')`)
      expect(await bob.evaluate<string>(`fetch(${JSON.stringify(href)}).then((r) => r.text())`)).to.equal('sun')
      await shot('shared-with-me', bob)
    } finally {
      await bob.closeTab()
    }
  })
})
