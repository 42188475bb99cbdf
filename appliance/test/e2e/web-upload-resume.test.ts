/**
 * Leaving the page during uploads (issue 16, bug 5), in Debian's headless Chromium: while a
 * large upload runs, the page asks before it unloads (its beforeunload handler cancels the
 * event); after a reload it lists the interrupted upload and, once the same file is chosen
 * again, sends only the segments not yet stored (another file is refused). Screenshots of the
 * offer at desktop and phone width, light and dark: test-artifacts/screenshots/resume-*.png.
 * Skips, saying why, without /usr/bin/chromium. (No DOM types here.)
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { startWebFixture, type WebFixture } from './web-fixture.js'
import { SHOTS, signIn } from './support.js'

describe('leaving the page during a large upload, and resuming it after a reload (e2e)', function () {
  this.timeout(180_000)
  let fx: WebFixture
  let v: TestAppliance
  let browser: Browser
  let owner: WebClient
  let work: string

  before(async function () {
    fx = await startWebFixture(this, ['inbox'])
    ;({ v, owner, browser } = fx)
    work = mkdtempSync(join(tmpdir(), 'velox-resume-e2e-'))
  })
  after(async () => {
    await fx?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('warns while uploading, and after a reload resumes from the stored segments', async () => {
    const big = join(work, 'film.bin')
    const other = join(work, 'other.bin')
    writeFileSync(big, randomBytes(33 * 1024 * 1024)) // three segments: 16 + 16 + 1 MiB
    writeFileSync(other, 'not the same file')
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    context.setDefaultTimeout(60_000)
    try {
      const page = await context.newPage()
      page.on('dialog', (d) => void d.accept())
      await signIn(page, v.url)
      await page.goto(`${v.url}/files/inbox/`)
      await page.getByRole('navigation', { name: 'Folder' }).waitFor()
      // Segments 1 and 2 never get through: the upload is still running when the page goes.
      const held = /_segments\/.*\/00000[12]$/
      await page.route(held, () => undefined)
      await page.getByTestId('file-input').setInputFiles(big)
      const stored = async () => {
        const r = await owner.fetch('/v1/AUTH_test/inbox_segments?format=json&prefix=film.bin/')
        return r.status === 200 ? ((await r.json()) as Array<{ name: string }>).map((o) => o.name.split('/').pop()) : (await r.arrayBuffer(), [])
      }
      for (let i = 0; (await stored()).length < 1; i++) {
        if (i > 200) throw new Error('segment 0 was never stored')
        await new Promise((r) => setTimeout(r, 100))
      }
      expect(await page.evaluate(`(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented })()`), 'leaving is questioned').to.equal(true)
      const records = JSON.parse((await page.evaluate<string>(`localStorage.getItem('velox.interrupted-uploads')`)) ?? '[]') as Array<Record<string, unknown>>
      const record = records.find((r) => r.object === 'film.bin')
      expect(record).to.deep.include({ container: 'inbox', object: 'film.bin', name: 'film.bin', size: 33 * 1024 * 1024, lastModified: Math.floor(statSync(big).mtimeMs) })
      // Where its segments went: this upload's own stem (size, mtime and an upload id).
      expect(record?.stem).to.match(new RegExp(`^film\\.bin/${33 * 1024 * 1024}-${Math.floor(statSync(big).mtimeMs)}-[0-9a-f]{8}$`))

      await page.reload()
      await page.unroute(held)
      const offer = page.getByRole('region', { name: 'Interrupted uploads' })
      await offer.getByText('inbox/film.bin').waitFor()
      expect(await page.evaluate(`(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented })()`), 'nothing runs now').to.equal(false)
      await page.screenshot({ path: join(SHOTS, 'resume-offer-desktop.png') })
      await page.emulateMedia({ colorScheme: 'dark' })
      await page.screenshot({ path: join(SHOTS, 'resume-offer-desktop-dark.png') })
      await page.setViewportSize({ width: 375, height: 740 })
      await page.screenshot({ path: join(SHOTS, 'resume-offer-phone-dark.png') })
      await page.emulateMedia({ colorScheme: 'light' })
      await page.screenshot({ path: join(SHOTS, 'resume-offer-phone.png') })

      await page.getByTestId('resume-input').setInputFiles(other)
      await offer.getByRole('alert').filter({ hasText: 'not the same file' }).waitFor()
      const before = await stored()
      expect(before).to.include('000000')
      expect(before).to.not.include('000001')
      const puts: string[] = []
      page.on('request', (r) => void (r.method() === 'PUT' && r.url().includes('_segments/') && puts.push(r.url().split('/').pop() as string)))
      await page.getByTestId('resume-input').setInputFiles(big)
      await page.locator('.upload-row[data-upload-name="film.bin"][data-status="done"]').waitFor().catch(async (err: Error) => {
        await page.screenshot({ path: join(SHOTS, 'failed-resume.png') })
        throw new Error(`${err.message}\nuploads: ${await page.locator('.upload-panel').textContent()}; segment PUTs: ${puts.join(' ')}`)
      })
      await offer.waitFor({ state: 'detached' })
      expect(puts.sort(), 'only the missing segments').to.deep.equal(['000000', '000001', '000002'].filter((n) => !before.includes(n)))
      const r = await owner.fetch('/v1/AUTH_test/inbox/film.bin')
      expect(Buffer.from(await r.arrayBuffer()).equals(readFileSync(big))).to.equal(true)
      expect(await page.evaluate(`localStorage.getItem('velox.interrupted-uploads')`)).to.equal(null)
    } finally {
      await context.close()
    }
  })
})
