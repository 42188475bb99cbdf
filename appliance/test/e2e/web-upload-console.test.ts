/**
 * A quiet console in Debian's headless Chromium (issue 16, bug 10), and the file's own date
 * kept on upload (bug 4, first part):
 * - a signed-out visit logs nothing red (it used to log the 401 of "who am I?");
 * - a large (segmented) upload asks for its stored segments with one listing, not a HEAD per
 *   segment (each a red 404 on a first upload); a second upload of the same file (after
 *   "Replace") sends segments of its own, never the first's, which the first's manifest (and,
 *   with versions kept, its old version) still refers to;
 * - small and large uploads store the file's modification time in X-Object-Meta-Mtime, in
 *   seconds with six decimals, as swiftclient and rclone write it.
 * Skips, saying why, without /usr/bin/chromium. (No DOM types here.)
 */
import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { startWebFixture, type WebFixture } from './web-fixture.js'
import { signIn } from './support.js'

/** 2021-05-04 03:02:01.5 UTC, a date no test run has. */
const MTIME_SEC = 1620097321.5

describe('a quiet console and the file’s own date on upload (e2e)', function () {
  this.timeout(180_000)
  let fx: WebFixture
  let v: TestAppliance
  let browser: Browser
  let owner: WebClient
  let work: string

  /** Console errors (and failed loads, which Chromium logs the same way, here with their URL) of a page. */
  function watch(page: Page): { errors: string[]; requests: Array<{ method: string; url: URL }> } {
    const seen = { errors: [] as string[], requests: [] as Array<{ method: string; url: URL }> }
    page.on('console', (m) => void (m.type() === 'error' && seen.errors.push(`${m.text()} ${m.location().url}`)))
    page.on('pageerror', (e) => void seen.errors.push(String(e)))
    page.on('request', (r) => void seen.requests.push({ method: r.method(), url: new URL(r.url()) }))
    return seen
  }

  before(async function () {
    fx = await startWebFixture(this, ['inbox'])
    ;({ v, owner, browser } = fx)
    work = mkdtempSync(join(tmpdir(), 'velox-upload-e2e-'))
  })
  after(async () => {
    await fx?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('logs nothing red on a signed-out visit', async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      const seen = watch(page)
      await page.goto(`${v.url}/`)
      await page.getByLabel('Password').waitFor()
      await page.waitForLoadState('networkidle')
      expect(seen.errors).to.deep.equal([])
    } finally {
      await context.close()
    }
  })

  it('checks a large upload’s stored segments with one listing and keeps mtimes; the same file again sends its own', async () => {
    const small = join(work, 'note.txt')
    const big = join(work, 'video.bin')
    writeFileSync(small, 'a note\n')
    writeFileSync(big, randomBytes(33 * 1024 * 1024)) // three segments: 16 + 16 + 1 MiB
    for (const f of [small, big]) utimesSync(f, MTIME_SEC, MTIME_SEC)
    const context = await browser.newContext()
    context.setDefaultTimeout(60_000)
    try {
      const page = await context.newPage()
      const seen = watch(page)
      await signIn(page, v.url)
      await page.goto(`${v.url}/files/inbox/`)
      await page.getByRole('navigation', { name: 'Folder' }).waitFor()
      await page.getByTestId('file-input').setInputFiles([small, big])
      await page.locator('.upload-row[data-status="done"]').nth(1).waitFor()
      const segs = (method: string) => seen.requests.filter((r) => r.method === method && r.url.pathname.includes('/inbox_segments'))
      expect(segs('HEAD').map((r) => r.url.pathname), 'no HEAD per segment').to.deep.equal([])
      const listings = segs('GET').filter((r) => r.url.pathname.endsWith('/inbox_segments') && r.url.searchParams.get('prefix')?.startsWith('video.bin/'))
      expect(listings).to.have.length(1)
      expect(segs('PUT').filter((r) => r.url.pathname.includes('/video.bin/'))).to.have.length(3)
      expect(seen.errors, 'console errors').to.deep.equal([])
      for (const name of ['note.txt', 'video.bin']) {
        const head = await owner.fetch(`/v1/AUTH_test/inbox/${name}`, { method: 'HEAD' })
        expect(head.status).to.equal(200)
        expect(head.headers.get('x-object-meta-mtime'), name).to.equal(MTIME_SEC.toFixed(6))
      }

      // The same file again: a new upload with segments of its own (a finished upload's are never
      // taken up again: with versions kept, the old manifest still refers to them), still asked
      // for with one listing and no HEADs.
      seen.requests.length = 0
      await page.getByRole('button', { name: 'Close uploads' }).click()
      await page.getByTestId('file-input').setInputFiles(big)
      // (the first upload's row may still read "done": wait for this upload's manifest itself)
      const manifest = page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).searchParams.get('multipart-manifest') === 'put', { timeout: 60_000 })
      await page.getByRole('dialog', { name: '“video.bin” already exists' }).getByRole('button', { name: 'Replace' }).click()
      await manifest
      await page.locator('.upload-row[data-upload-name="video.bin"][data-status="done"]').waitFor()
      expect(segs('HEAD')).to.deep.equal([])
      expect(segs('PUT')).to.have.length(3)
      expect(segs('GET')).to.have.length(1)
      expect(seen.requests.filter((r) => r.method === 'PUT' && r.url.searchParams.get('multipart-manifest') === 'put')).to.have.length(1)
      expect(seen.errors, 'console errors').to.deep.equal([])
    } finally {
      await context.close()
    }
  })
})
