/**
 * The web app in Firefox: Debian's firefox-esr driven over WebDriver BiDi (our own small client
 * in ../harness/firefox-bidi.ts; Playwright can only drive its patched Firefox) against a real
 * appliance serving the built SPA. Signs in through the form, sees the container list, opens a
 * container and sees an object put there through the Swift API. Screenshots go to
 * test-artifacts/screenshots/firefox-*.png. Skips, saying why, when /usr/bin/firefox-esr is not
 * installed (`apt-get install firefox-esr`).
 *
 * This file compiles under the server's tsconfig (no DOM types): whatever runs in the page
 * is written as a string.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLog } from '../../src/lib/log.js'
import { FIREFOX, launchFirefox, type FirefoxBidi } from '../harness/firefox-bidi.js'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

const ROOT = repoRoot()
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots')
const CONTAINER = 'firefox-box'
const OBJECT = 'hello-from-swift.txt'

describe('web app in Firefox (e2e, WebDriver BiDi)', function () {
  this.timeout(60_000)
  let appliance: TestAppliance | undefined
  let ff: FirefoxBidi | undefined
  const serverLog: string[] = []

  const shot = async (name: string) => {
    const png = await ff!.screenshot()
    expect(png.subarray(1, 4).toString()).to.equal('PNG')
    writeFileSync(join(SHOTS, `firefox-${name}.png`), png)
  }

  before(async function () {
    if (!existsSync(FIREFOX)) {
      console.log(`      skipped: ${FIREFOX} is not installed (apt-get install firefox-esr)`)
      this.skip()
    }
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
      execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' })
    }
    mkdirSync(SHOTS, { recursive: true })
    appliance = await startTestAppliance({ log: createLog('warn', (line) => void serverLog.push(line)) })
    const { token, storageUrl } = await appliance.auth()
    const base = `${appliance.url}${new URL(storageUrl).pathname}`
    const put = (path: string, body?: string) => fetch(`${base}${path}`, { method: 'PUT', headers: { 'X-Auth-Token': token, 'Content-Type': 'text/plain' }, body })
    expect((await put(`/${CONTAINER}`)).status).to.be.oneOf([201, 202])
    expect((await put(`/${CONTAINER}/${OBJECT}`, 'hello, Firefox\n')).status).to.equal(201)
    ff = await launchFirefox({ width: 1280, height: 860 })
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    if (serverLog.length) console.log(`      appliance log:\n${serverLog.splice(0).join('')}`)
    if (ff) await shot('failed').catch(() => undefined)
  })

  after(async () => {
    await ff?.close()
    await appliance?.stop()
  })

  it('signs in through the form, lists the containers, opens one and shows its object', async () => {
    const b = ff!
    await b.navigate(appliance!.url)
    await b.waitFor(`document.querySelector('form.signin input[name="password"]')`, 'the sign-in form')
    expect(await b.evaluate<string>('navigator.userAgent')).to.match(/Firefox\//)
    await shot('01-sign-in')

    await b.fill('form.signin input[name="account"]', TESTER.account)
    await b.fill('form.signin input[name="user"]', TESTER.user)
    await b.fill('form.signin input[name="password"]', TESTER.key)
    // React saw the input events: the controlled inputs keep the values after a re-render.
    expect(await b.evaluate<string[]>(`[...document.querySelectorAll('form.signin input')].map((i) => i.value)`)).to.deep.equal([TESTER.account, TESTER.user, TESTER.key])
    await b.click('form.signin button[type="submit"]')

    await b.waitFor(`document.querySelector('tr[data-name=${JSON.stringify(CONTAINER)}] a.entry-name')`, 'the container list')
    expect(await b.evaluate<string>('location.pathname')).to.equal('/')
    await shot('02-containers')

    await b.click(`tr[data-name=${JSON.stringify(CONTAINER)}] a.entry-name`)
    await b.waitFor(`document.querySelector('[data-name=${JSON.stringify(OBJECT)}] .entry-name')?.textContent === ${JSON.stringify(OBJECT)}`, `the object ${OBJECT} in the container`)
    expect(await b.evaluate<string>('location.pathname')).to.equal(`/files/${CONTAINER}/`)
    await shot('03-container')
  })
})
