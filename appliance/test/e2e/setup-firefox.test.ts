/**
 * The setup wizard in Firefox (firefox-esr over WebDriver BiDi, ../harness/firefox-bidi.ts)
 * from the setup code to the summary: the same pages as in Chromium, filled as a person
 * would, with built-in storage (the Chromium test covers the disks). Screenshots go to
 * test-artifacts/screenshots/firefox-setup-*.png. Skips, saying why, without firefox-esr.
 *
 * This file compiles under the server's tsconfig (no DOM types): whatever runs in the page
 * is written as a string.
 */
import { expect } from 'chai'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/index.js'
import { silentLog } from '../../src/lib/log.js'
import { startAppliance, type Appliance } from '../../src/main.js'
import { FIREFOX, launchFirefox, type FirefoxBidi } from '../harness/firefox-bidi.js'
import { startNtpServer } from '../harness/setup-client.js'
import { SHOTS, ensureWebApp } from './support.js'

describe('setup wizard in Firefox (e2e, WebDriver BiDi)', function () {
  this.timeout(120_000)
  let box: Appliance | undefined
  let ff: FirefoxBidi | undefined
  let dir = ''
  let ntp: Awaited<ReturnType<typeof startNtpServer>> | undefined

  const shot = async (name: string) => writeFileSync(join(SHOTS, `firefox-setup-${name}.png`), await ff!.screenshot())
  const step = (title: string) => ff!.waitFor(`document.querySelector('#step-title')?.textContent === ${JSON.stringify(title)}`, `the ${title} step`)
  const next = () => ff!.click('.setup-card button[type="submit"]')

  before(async function () {
    if (!existsSync(FIREFOX)) {
      console.log(`      skipped: ${FIREFOX} is not installed (apt-get install firefox-esr)`)
      this.skip()
    }
    ensureWebApp()
    dir = mkdtempSync(join(tmpdir(), 'velox-setup-ff-'))
    ntp = await startNtpServer()
    const config = loadConfig({ flags: { dataDir: dir, bind: { host: '127.0.0.1', port: 0 }, https: { port: 0 }, log: { level: 'error', requests: false }, disks: { only: ['/dev/velox-none'] } }, env: {} })
    box = await startAppliance(config, silentLog, { setup: true })
    ff = await launchFirefox({ width: 1280, height: 860 })
  })

  after(async () => {
    await ff?.close()
    await box?.stop()
    ntp?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('goes from the setup code to the summary', async () => {
    const b = ff!
    await b.navigate(box!.url)
    await b.waitFor(`document.querySelector('input[name="code"]')`, 'the setup code form')
    expect(await b.evaluate<string>('navigator.userAgent')).to.match(/Firefox\//)
    await shot('01-code')
    await b.fill('input[name="code"]', box!.firstBoot.wizard.code.code)
    await b.click('.setup-card button[type="submit"]')

    await step('Admin account')
    await b.fill('input[name="user"]', 'grace')
    await b.fill('input[name="password"]', 'Copper-Lantern-19?')
    await b.fill('input[name="again"]', 'Copper-Lantern-19?')
    await b.waitFor(`document.querySelector('[role="meter"]')?.getAttribute('aria-valuetext') === 'Strong'`, 'the meter to say Strong')
    await shot('02-admin')
    await next()

    await step('Name and time')
    await b.fill('input[name="hostname"]', 'velox-ff')
    // A textarea: React's value setter of its own prototype, then the input event React listens to.
    await b.evaluate(`(() => { const t = document.querySelector('textarea[name="ntp"]'); Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(t, ${JSON.stringify(ntp!.address)}); t.dispatchEvent(new Event('input', { bubbles: true })); return true })()`)
    await shot('03-identity')
    await next()

    await step('Network')
    await b.waitFor(`document.querySelectorAll('.setup-card tbody tr').length > 0`, 'the interfaces')
    await shot('04-network')
    await next()

    await step('Disks')
    await b.waitFor(`document.querySelector('input[name="builtIn"]')`, 'the disk list')
    await b.click('input[name="builtIn"]')
    await shot('05-disks')
    await next()

    await step('Cluster')
    await next()
    await step('HTTPS')
    await shot('06-https')
    await next()

    await step('Summary')
    const fingerprint = await b.evaluate<string>(`document.querySelector('.summary .fingerprint')?.textContent ?? ''`)
    expect(fingerprint).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(await b.evaluate<string>(`document.querySelector('.summary')?.textContent ?? ''`)).to.include('built-in storage').and.include('velox-ff')
    await shot('07-summary')
  })
})
