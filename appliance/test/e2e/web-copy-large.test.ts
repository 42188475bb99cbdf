/**
 * Copy of a large (segmented) file in the files app (issue 16), in Debian's headless Chromium:
 * a 33 MiB file uploaded through the app (three segments) is copied with the Copy dialog; the
 * copy owns its own segments, so deleting the original as the app does
 * (multipart-manifest=delete) leaves the copy whole, byte for byte, with the file's own date
 * (X-Object-Meta-Mtime); the copy then moves (rename) and still reads back. A copy whose
 * segment copy fails halfway leaves no manifest and no segments. Skips, saying why, without
 * /usr/bin/chromium. (No DOM types here.)
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { startWebFixture, type WebFixture } from './web-fixture.js'
import { signIn } from './support.js'

const MTIME = 1_620_097_321 // 2021-05-04, the file's own date

describe('copy of a large (segmented) file (e2e)', function () {
  this.timeout(180_000)
  let fx: WebFixture
  let v: TestAppliance
  let owner: WebClient
  let work: string
  let context: BrowserContext
  let page: Page
  const content = randomBytes(33 * 1024 * 1024) // three segments: 16 + 16 + 1 MiB

  const segmentsUnder = async (prefix: string): Promise<string[]> => {
    const r = await owner.fetch(`/v1/AUTH_test/box_segments?format=json&prefix=${encodeURIComponent(prefix)}`)
    return ((await r.json()) as Array<{ name: string }>).map((o) => o.name)
  }

  /** Selects `name` in the open folder and copies it into `target` with the Copy dialog. */
  const copyWithDialog = async (name: string, target: string) => {
    await page.locator(`tr[data-name="${name}"] input[type="checkbox"]`).click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Copy' }).click()
    const dialog = page.getByRole('dialog', { name: 'Copy 1 item' })
    await dialog.getByRole('textbox').fill(target)
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click()
    return dialog
  }

  before(async function () {
    fx = await startWebFixture(this, ['box'])
    ;({ v, owner } = fx)
    work = mkdtempSync(join(tmpdir(), 'velox-copy-large-e2e-'))
    const file = join(work, 'film.bin')
    writeFileSync(file, content)
    utimesSync(file, MTIME, MTIME)
    context = await fx.browser.newContext({ viewport: { width: 1280, height: 800 } })
    context.setDefaultTimeout(60_000)
    page = await context.newPage()
    await signIn(page, v.url)
    await page.goto(`${v.url}/files/box/`)
    await page.getByRole('navigation', { name: 'Folder' }).waitFor()
    await page.getByTestId('file-input').setInputFiles(file)
    await page.locator('tr[data-name="film.bin"]').waitFor()
    const head = await owner.fetch('/v1/AUTH_test/box/film.bin', { method: 'HEAD' })
    expect(head.headers.get('x-static-large-object'), 'uploaded as a large object').to.equal('True')
  })
  after(async () => {
    await context?.close()
    await fx?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('copies with its own segments: the original deleted, the copy reads back whole and keeps its date; then moves', async () => {
    const dialog = await copyWithDialog('film.bin', 'box/copies/')
    // Done (the dialog closes) or refused (it says why): before this fix, refused.
    await page.waitForFunction(`!document.querySelector('dialog[aria-label="Copy 1 item"]') || !!document.querySelector('dialog[aria-label="Copy 1 item"] [role="alert"]')`)
    expect(await dialog.count(), `the copy was refused: ${await dialog.getByRole('alert').textContent({ timeout: 1000 }).catch(() => '')}`).to.equal(0)
    const head = await owner.fetch('/v1/AUTH_test/box/copies/film.bin', { method: 'HEAD' })
    expect(head.status).to.equal(200)
    expect(head.headers.get('x-static-large-object')).to.equal('True')
    expect(head.headers.get('x-object-meta-mtime')).to.match(new RegExp(`^${MTIME}(\\.0*)?$`))
    expect(await segmentsUnder('copies/film.bin/'), 'the copy’s own segments').to.have.length(3)

    // The app deletes a large file with its segments: the copy must not lose its own.
    expect((await owner.fetch('/v1/AUTH_test/box/film.bin?multipart-manifest=delete', { method: 'DELETE' })).status).to.equal(200)
    expect(await segmentsUnder('film.bin/'), 'the original’s segments are gone').to.deep.equal([])
    const copy = Buffer.from(await (await owner.fetch('/v1/AUTH_test/box/copies/film.bin')).arrayBuffer())
    expect(copy.length).to.equal(content.length)
    expect(copy.equals(content), 'the copy’s bytes').to.equal(true)

    // A move of a large file rewrites its manifest; the segments stay and still read back.
    await page.goto(`${v.url}/files/box/copies/`)
    await page.getByLabel('Select film.bin').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
    const box = page.getByRole('dialog', { name: 'Rename or move “film.bin”' }).getByRole('textbox')
    await box.fill('box/moved.bin')
    await box.press('Enter')
    await page.locator('tr[data-name="film.bin"]').waitFor({ state: 'detached' })
    const moved = Buffer.from(await (await owner.fetch('/v1/AUTH_test/box/moved.bin')).arrayBuffer())
    expect(moved.equals(content), 'the moved file’s bytes').to.equal(true)
  })

  it('leaves no manifest and no segments when a segment copy fails halfway', async () => {
    // A second large file over the same segments (its manifest written directly).
    const manifest = await (await owner.fetch('/v1/AUTH_test/box/moved.bin?multipart-manifest=get&format=raw')).text()
    expect((await owner.fetch('/v1/AUTH_test/box/again.bin?multipart-manifest=put', { method: 'PUT', body: manifest, headers: { 'Content-Type': 'application/octet-stream' } })).status).to.equal(201)
    await page.goto(`${v.url}/files/box/`)
    // The second segment's copy fails on the server's side.
    await page.route(/_segments\/.*\/000001$/, (route) => (route.request().method() === 'COPY' ? route.fulfill({ status: 503, body: 'try later' }) : route.continue()))
    const dialog = await copyWithDialog('again.bin', 'box/failed/')
    await dialog.getByRole('alert').waitFor()
    await page.unroute(/_segments\/.*\/000001$/)
    expect((await owner.fetch('/v1/AUTH_test/box/failed/again.bin', { method: 'HEAD' })).status, 'no manifest').to.equal(404)
    expect(await segmentsUnder('failed/'), 'no segments left behind').to.deep.equal([])
  })
})
