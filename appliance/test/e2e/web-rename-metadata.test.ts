/**
 * Rename and move keep a file's metadata (issue 16, bug 4), in Debian's headless Chromium: a
 * small object (server-side COPY) and a large one (its manifest written anew) renamed through
 * the app keep X-Object-Meta-Mtime — the file's own date, as swiftclient and rclone store it —
 * and their other metadata. Skips, saying why, without /usr/bin/chromium. (No DOM types.)
 */
import { expect } from 'chai'
import type { Browser } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { startWebFixture, type WebFixture } from './web-fixture.js'
import { signIn } from './support.js'

const META = { 'X-Object-Meta-Mtime': '1620097321.500000', 'X-Object-Meta-Camera': 'Pixel 7' }

describe('rename and move keep the file’s date and metadata (e2e)', function () {
  this.timeout(120_000)
  let fx: WebFixture
  let v: TestAppliance
  let browser: Browser
  let owner: WebClient

  before(async function () {
    fx = await startWebFixture(this, ['box', 'box_segments'])
    ;({ v, owner, browser } = fx)
    expect((await owner.fetch('/v1/AUTH_test/box/plain.txt', { method: 'PUT', body: 'plain\n', headers: { 'Content-Type': 'text/plain', ...META } })).status).to.equal(201)
    const seg = Buffer.alloc(1024 * 1024, 'y')
    for (const n of ['1', '2']) expect((await owner.fetch(`/v1/AUTH_test/box_segments/large.bin/${n}`, { method: 'PUT', body: seg })).status).to.equal(201)
    const manifest = ['1', '2'].map((n) => ({ path: `/box_segments/large.bin/${n}`, size_bytes: seg.length }))
    expect((await owner.fetch('/v1/AUTH_test/box/large.bin?multipart-manifest=put', { method: 'PUT', body: JSON.stringify(manifest), headers: { 'Content-Type': 'application/octet-stream', ...META } })).status).to.equal(201)
  })
  after(async () => {
    await fx?.stop()
  })

  it('keeps X-Object-Meta-Mtime and other metadata through a rename into a folder, small and large', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    context.setDefaultTimeout(30_000)
    try {
      const page = await context.newPage()
      await signIn(page, v.url)
      await page.goto(`${v.url}/files/box/`)
      for (const name of ['plain.txt', 'large.bin']) {
        await page.getByLabel(`Select ${name}`).click()
        await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
        const box = page.getByRole('dialog', { name: `Rename or move “${name}”` }).getByRole('textbox')
        await box.fill(`box/moved/${name}`)
        await box.press('Enter')
        await page.locator(`tr[data-name="${name}"]`).waitFor({ state: 'detached' })
        const head = await owner.fetch(`/v1/AUTH_test/box/moved/${name}`, { method: 'HEAD' })
        expect(head.status, name).to.equal(200)
        expect({ mtime: head.headers.get('x-object-meta-mtime'), camera: head.headers.get('x-object-meta-camera') }, name).to.deep.equal({ mtime: META['X-Object-Meta-Mtime'], camera: 'Pixel 7' })
      }
      expect((await owner.fetch('/v1/AUTH_test/box/moved/large.bin', { method: 'HEAD' })).headers.get('x-static-large-object')).to.equal('True')
    } finally {
      await context.close()
    }
  })
})
