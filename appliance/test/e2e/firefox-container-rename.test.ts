/**
 * Renaming a container in Firefox (issue 16): Debian's firefox-esr over WebDriver BiDi
 * (../harness/firefox-bidi.ts) against a real appliance serving the built SPA. The rename
 * dialog starts the server-side job; the page says what it did once it is done, and the new
 * container keeps the old one's metadata and files. Screenshot:
 * test-artifacts/screenshots/firefox-16-container-rename.png. Skips, saying why, when
 * /usr/bin/firefox-esr is not installed. (No DOM types: page code is strings.)
 */
import { expect } from 'chai'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIREFOX, launchFirefox, type FirefoxBidi } from '../harness/firefox-bidi.js'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { ROOT, SHOTS } from './support.js'

describe('renaming a container in Firefox (e2e, WebDriver BiDi)', function () {
  this.timeout(120_000)
  let v: TestAppliance | undefined
  let ff: FirefoxBidi | undefined
  let owner: WebClient

  before(async function () {
    if (!existsSync(FIREFOX)) {
      console.log(`      skipped: ${FIREFOX} is not installed (apt-get install firefox-esr)`)
      this.skip()
    }
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: run make build first')
    mkdirSync(SHOTS, { recursive: true })
    v = await startTestAppliance({ users: [TESTER] })
    owner = new WebClient(v.url)
    await owner.login()
    expect((await owner.fetch('/v1/AUTH_test/box', { method: 'PUT', headers: { 'X-Container-Meta-Color': 'red' } })).status).to.equal(201)
    for (const n of ['a', 'b', 'c']) expect((await owner.fetch(`/v1/AUTH_test/box/${n}.txt`, { method: 'PUT', body: n })).status).to.equal(201)
    ff = await launchFirefox({ width: 1280, height: 860 })
    await ff.navigate(v.url)
    await ff.waitFor(`document.querySelector('form.signin input[name="password"]')`, 'the sign-in form')
    await ff.fill('form.signin input[name="user"]', TESTER.user)
    await ff.fill('form.signin input[name="password"]', TESTER.key)
    await ff.click('form.signin button[type="submit"]')
    await ff.waitFor(`document.querySelector('nav[aria-label="Main"]')`, 'the signed-in app')
  })

  after(async () => {
    await ff?.close()
    await v?.stop()
  })

  it('renames a container from the dialog and says what it did', async () => {
    const b = ff!
    await b.navigate(`${v!.url}/files/`)
    await b.waitFor(`document.querySelector('tr[data-name="box"] input[type="checkbox"]')`, 'box in the list')
    await b.clickNative('tr[data-name="box"] input[type="checkbox"]')
    await b.clickByText('[aria-label="Selection"] button', 'Rename')
    await b.waitFor(`document.querySelector('dialog[open] input')`, 'the rename dialog')
    await b.fill('dialog[open] input', 'crate')
    await b.click('dialog[open] button[type="submit"]')
    await b.waitFor(`[...document.querySelectorAll('[role="status"]')].some((s) => s.textContent.includes('Renamed “box” to “crate”: 3 files moved'))`, 'the summary')
    await b.waitFor(`document.querySelector('tr[data-name="crate"]') && !document.querySelector('tr[data-name="box"]')`, 'the new name listed')
    writeFileSync(join(SHOTS, 'firefox-16-container-rename.png'), await b.screenshot())
    expect((await owner.fetch('/v1/AUTH_test/crate', { method: 'HEAD' })).headers.get('x-container-meta-color')).to.equal('red')
    expect(await (await owner.fetch('/v1/AUTH_test/crate/b.txt')).text()).to.equal('b')
    expect((await owner.fetch('/v1/AUTH_test/box', { method: 'HEAD' })).status).to.equal(404)
  })
})
