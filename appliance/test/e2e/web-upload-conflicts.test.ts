/**
 * Uploading over existing names (issue 16, bug 3) in Debian's headless Chromium: the app
 * asks for each existing name — keep both saves the upload as "a (1).txt", skip with "apply
 * to all" leaves the rest untouched, replace overwrites — and uploads new names without
 * asking. Screenshots of the question at desktop and phone width, light and dark:
 * test-artifacts/screenshots/upload-conflict-*.png. Skips, saying why, without
 * /usr/bin/chromium. (No DOM types here.)
 */
import { expect } from 'chai'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { startWebFixture, type WebFixture } from './web-fixture.js'
import { SHOTS, signIn } from './support.js'

describe('uploading over existing names asks (e2e)', function () {
  this.timeout(120_000)
  let fx: WebFixture
  let v: TestAppliance
  let browser: Browser
  let owner: WebClient
  let work: string
  const text = async (name: string) => {
    const r = await owner.fetch(`/v1/AUTH_test/inbox/${encodeURIComponent(name)}`)
    return r.status === 200 ? r.text() : (await r.arrayBuffer(), r.status)
  }

  before(async function () {
    fx = await startWebFixture(this, ['inbox'])
    ;({ v, owner, browser } = fx)
    work = mkdtempSync(join(tmpdir(), 'velox-conflict-e2e-'))
    for (const n of ['a', 'b', 'c']) {
      expect((await owner.fetch(`/v1/AUTH_test/inbox/${n}.txt`, { method: 'PUT', body: `old ${n}\n`, headers: { 'Content-Type': 'text/plain' } })).status).to.equal(201)
      writeFileSync(join(work, `${n}.txt`), `new ${n}\n`)
    }
    writeFileSync(join(work, 'd.txt'), 'new d\n')
  })
  after(async () => {
    await fx?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('asks: keep both, skip for all the rest, and later replace', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    context.setDefaultTimeout(30_000)
    try {
      const page = await context.newPage()
      await signIn(page, v.url)
      await page.goto(`${v.url}/files/inbox/`)
      await page.locator('tr[data-name="c.txt"]').waitFor()
      await page.getByTestId('file-input').setInputFiles(['a', 'b', 'c', 'd'].map((n) => join(work, `${n}.txt`)))
      const ask = (name: string) => page.getByRole('dialog', { name: `“${name}” already exists` })
      await ask('a.txt').waitFor()
      await page.screenshot({ path: join(SHOTS, 'upload-conflict-desktop.png') })
      await page.emulateMedia({ colorScheme: 'dark' })
      await page.screenshot({ path: join(SHOTS, 'upload-conflict-desktop-dark.png') })
      await page.setViewportSize({ width: 375, height: 740 })
      await page.screenshot({ path: join(SHOTS, 'upload-conflict-phone-dark.png') })
      await page.emulateMedia({ colorScheme: 'light' })
      await page.screenshot({ path: join(SHOTS, 'upload-conflict-phone.png') })
      await page.setViewportSize({ width: 1280, height: 800 })
      await ask('a.txt').getByRole('button', { name: 'Keep both' }).click()
      await ask('b.txt').getByLabel('Apply to the rest (1 more)').check()
      await ask('b.txt').getByRole('button', { name: 'Skip' }).click()
      await page.locator('tr[data-name="a (1).txt"]').waitFor()
      await page.locator('tr[data-name="d.txt"]').waitFor()
      await page.locator('.upload-row[data-status="done"]').nth(1).waitFor()
      expect(await page.locator('.upload-row').count(), 'two uploads: a (1).txt and d.txt').to.equal(2)
      expect(await ask('c.txt').count(), 'c.txt was not asked about').to.equal(0)
      expect({ a: await text('a.txt'), a1: await text('a (1).txt'), b: await text('b.txt'), c: await text('c.txt'), d: await text('d.txt') }).to.deep.equal({ a: 'old a\n', a1: 'new a\n', b: 'old b\n', c: 'old c\n', d: 'new d\n' })

      await page.getByTestId('file-input').setInputFiles(join(work, 'a.txt'))
      await ask('a.txt').getByRole('button', { name: 'Replace' }).click()
      await page.locator('.upload-row[data-status="done"]').nth(2).waitFor()
      expect(await text('a.txt')).to.equal('new a\n')
    } finally {
      await context.close()
    }
  })
})
