/**
 * The web app driven as a person would, in Debian's headless Chromium (playwright-core)
 * against a real appliance serving the built SPA: sign in, upload a folder of pictures and a
 * 200 MB file (a segmented large object) while watching progress, the thumbnail grid,
 * preview, a password-protected expiring share link opened in a fresh browser and its
 * download compared byte for byte, a drop link taking an upload, revoking a link.
 * Screenshots of each page go to test-artifacts/screenshots/. Skips, saying why, when
 * /usr/bin/chromium is not installed (`apt-get install chromium`).
 *
 * This file compiles under the server's tsconfig (no DOM types): whatever runs in the page
 * is written as a string.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import sharp from 'sharp'
import { createLog } from '../../src/lib/log.js'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { CHROMIUM, CHROMIUM_ARGS } from './support.js'

const BIG_BYTES = 200 * 1024 * 1024
const PICTURES = 6

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

const ROOT = repoRoot()
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots')

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest('hex')
}

/** A file of `bytes` random bytes (incompressible), written in 1 MiB steps. */
async function writeBigFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path)
  for (let written = 0; written < bytes; written += 1 << 20) {
    if (!out.write(randomBytes(Math.min(1 << 20, bytes - written)))) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
}

/** Small pictures of different colours and formats, as a camera folder would hold. */
async function writePictures(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true })
  const names: string[] = []
  for (let i = 0; i < PICTURES; i++) {
    const hue = Math.round((i * 360) / PICTURES)
    const png = i % 2 === 0
    const name = `img_${String(i + 1).padStart(3, '0')}.${png ? 'png' : 'jpg'}`
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="640" height="480" fill="hsl(${hue},70%,55%)"/><circle cx="${160 + i * 60}" cy="240" r="120" fill="white" fill-opacity="0.6"/><text x="40" y="440" font-size="64" fill="black">${i + 1}</text></svg>`
    const img = sharp(Buffer.from(svg))
    await (png ? img.png() : img.jpeg({ quality: 85 })).toFile(join(dir, name))
    names.push(name)
  }
  return names
}

describe('web app in Chromium (e2e)', function () {
  this.timeout(240_000)
  let appliance: TestAppliance
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let work: string
  let bigSha: string
  let token: string
  let storageUrl: string
  let thumbnailsAdvertised = false
  const pictures: string[] = []
  /** The appliance's warnings and errors, printed when a test fails. */
  const serverLog: string[] = []
  let passwordLink = ''
  const SHARE_PASSWORD = 'open sesame 42'

  const shot = (p: Page, name: string) => p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false })
  const swiftGet = (path: string, init: RequestInit = {}) => fetch(`${appliance.url}${storageUrl}${path}`, { ...init, headers: { 'X-Auth-Token': token, ...(init.headers as Record<string, string>) } })

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
      this.skip()
    }
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
      execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' })
    }
    mkdirSync(SHOTS, { recursive: true })
    work = mkdtempSync(join(tmpdir(), 'velox-web-e2e-'))
    pictures.push(...(await writePictures(join(work, 'holiday'))))
    await writeBigFile(join(work, 'big.bin'), BIG_BYTES)
    bigSha = await sha256File(join(work, 'big.bin'))
    appliance = await startTestAppliance({ log: createLog('warn', (line) => void serverLog.push(line)) })
    ;({ token, storageUrl } = await appliance.auth())
    storageUrl = new URL(storageUrl).pathname
    const info = (await (await fetch(`${appliance.url}/info`)).json()) as Record<string, unknown>
    thumbnailsAdvertised = Object.keys(info).some((k) => k.startsWith('thumbnail'))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true })
    context.setDefaultTimeout(20_000)
    page = await context.newPage()
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    if (serverLog.length) console.log(`      appliance log:\n${serverLog.splice(0).join('')}`)
    const name = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
    await page?.screenshot({ path: join(SHOTS, `failed-${name}.png`) }).catch(() => undefined)
  })

  after(async () => {
    await browser?.close()
    await appliance?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('signs in with a local user and shows the containers', async () => {
    await page.goto(appliance.url)
    await page.getByLabel('User name').waitFor()
    await shot(page, '01-sign-in')
    await page.getByLabel('User name').fill(TESTER.user)
    await page.getByLabel('Password').fill('wrong')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'Wrong user name or password' }).waitFor()
    await page.getByLabel('Password').fill(TESTER.key)
    await page.getByLabel('Password').press('Enter')
    await page.getByText('No containers yet').waitFor()
    expect(new URL(page.url()).pathname).to.equal('/')
  })

  it('makes a container with "New folder" and opens it', async () => {
    await page.getByRole('button', { name: 'New folder' }).click()
    const name = page.getByRole('dialog', { name: 'New container' }).getByLabel('Name')
    await name.fill('photos')
    await name.press('Enter')
    await page.locator('tr[data-name="photos"]').waitFor()
    await shot(page, '02-containers')
    await page.locator('tr[data-name="photos"] a.entry-name').click()
    await page.getByText('This folder is empty').waitFor()
    expect(new URL(page.url()).pathname).to.equal('/files/photos/')
  })

  it('uploads a folder of pictures with per-file progress, then lists it', async () => {
    await page.getByTestId('folder-input').setInputFiles(join(work, 'holiday'))
    await page.locator('.upload-panel').waitFor()
    await page.locator(`.upload-row[data-status="done"]`).nth(PICTURES - 1).waitFor({ timeout: 30_000 })
    expect(await page.locator('.upload-row').count()).to.equal(PICTURES)
    await page.locator('tr[data-name="holiday"]').waitFor()
    const r = await swiftGet('/photos?format=json&prefix=holiday/')
    const names = ((await r.json()) as Array<{ name: string }>).map((o) => o.name)
    expect(names).to.deep.equal(pictures.map((p) => `holiday/${p}`))
  })

  it('shows the pictures in the grid, with placeholders until thumbnails are served', async () => {
    await page.locator('tr[data-name="holiday"] a.entry-name').click()
    await page.getByRole('button', { name: 'Grid view' }).click()
    const tiles = page.locator('.tile')
    await tiles.nth(PICTURES - 1).waitFor()
    expect(await tiles.count()).to.equal(PICTURES)
    expect(await page.locator('.tile [data-thumb]').count()).to.equal(PICTURES)
    if (thumbnailsAdvertised) {
      await page.locator('.tile [data-thumb="ready"] img').nth(PICTURES - 1).waitFor({ timeout: 30_000 })
      const loaded = await page.evaluate(`[...document.querySelectorAll('.tile [data-thumb="ready"] img')].filter((i) => i.complete && i.naturalWidth > 0).length`)
      expect(loaded).to.equal(PICTURES)
    } else {
      console.log('      note: this appliance does not advertise thumbnails in /info yet; the grid shows placeholders')
      expect(await page.locator('.tile [data-thumb="placeholder"]').count()).to.equal(PICTURES)
    }
    await shot(page, '03-grid')
  })

  it('previews an image fitted, steps with the arrow keys, zooms, and closes with Escape', async () => {
    await page.locator(`.tile[data-name="${pictures[0]}"] .thumb`).click()
    const preview = page.getByRole('dialog', { name: `Preview of ${pictures[0]}` })
    await preview.waitFor()
    await page.waitForFunction(`(() => { const i = document.querySelector('.preview-image img'); return !!i && i.complete && i.naturalWidth === 640 })()`)
    await shot(page, '04-preview')
    await page.keyboard.press('ArrowRight')
    await page.getByRole('dialog', { name: `Preview of ${pictures[1]}` }).waitFor()
    await page.getByTestId('zoom-level').filter({ hasText: 'Fit' }).waitFor()
    await page.keyboard.press('+')
    await page.getByTestId('zoom-level').filter({ hasText: '100%' }).waitFor()
    await page.keyboard.press('+')
    await page.getByText('150%').waitFor()
    await page.keyboard.press('Escape')
    await page.locator('.preview').waitFor({ state: 'detached' })
  })

  it('uploads a 200 MB file as a segmented large object, showing progress, speed and time left', async () => {
    await page.getByRole('navigation', { name: 'Folder' }).getByRole('link', { name: 'photos' }).click()
    await page.getByRole('button', { name: 'List view' }).click()
    await page.getByRole('button', { name: 'Close uploads' }).click()
    await page.getByTestId('file-input').setInputFiles(join(work, 'big.bin'))
    const row = page.locator('.upload-row[data-upload-name="big.bin"]')
    await row.waitFor()
    // Progress is seen part way: a segment count, a speed and a bar between the ends.
    await page.waitForFunction(
      `(() => { const b = document.querySelector('[aria-label="Progress of big.bin"]'); const v = Number(b && b.getAttribute('aria-valuenow')); return v > 0 && v < 100 })()`,
      undefined,
      { timeout: 60_000, polling: 50 },
    )
    await shot(page, '05-upload-progress')
    expect(await row.textContent()).to.match(/segment \d+\/13/)
    expect(await page.getByTestId('upload-overall').textContent()).to.match(/of 210 MB/)
    await row.and(page.locator('[data-status="done"]')).waitFor({ timeout: 150_000 })
    await page.locator('tr[data-name="big.bin"]').waitFor()
    const head = await swiftGet('/photos/big.bin', { method: 'HEAD' })
    expect(head.status).to.equal(200)
    expect(head.headers.get('content-length')).to.equal(String(BIG_BYTES))
    expect(head.headers.get('x-static-large-object')).to.equal('True')
  })

  it('retries a dropped segment, and never reuses a finished upload’s segments for a new one', async () => {
    const path = join(work, 'resume.bin')
    await writeBigFile(path, 40 * 1024 * 1024) // three 16 MiB segments
    const puts: string[] = []
    let dropped = 0
    await page.route(/_segments\//, async (route) => {
      const req = route.request()
      if (req.method() === 'PUT') puts.push(new URL(req.url()).pathname.split('/').pop() as string)
      if (req.method() === 'PUT' && req.url().endsWith('/000001') && dropped++ === 0) return route.abort('connectionreset')
      return route.continue()
    })
    const manifestOf = async (name: string) => ((await (await swiftGet(`/photos/${name}?multipart-manifest=get`)).json()) as Array<{ name: string }>).map((s) => s.name)
    try {
      await page.getByTestId('file-input').setInputFiles(path)
      await page.locator('.upload-row[data-upload-name="resume.bin"][data-status="done"]').waitFor({ timeout: 60_000 })
      expect(dropped).to.be.greaterThan(0)
      expect(puts.sort()).to.deep.equal(['000000', '000001', '000001', '000002'])
      // The same file again, kept beside the first: all its segments go up anew, under its own
      // stem — the first file's manifest (moved anywhere later) keeps its segments to itself.
      puts.length = 0
      await page.getByTestId('file-input').setInputFiles(path)
      await page.getByRole('dialog').getByRole('button', { name: 'Keep both' }).click()
      await page.locator('.upload-row[data-upload-name="resume (1).bin"][data-status="done"]').waitFor({ timeout: 60_000 })
    } finally {
      await page.unroute(/_segments\//)
    }
    expect(puts.sort()).to.deep.equal(['000000', '000001', '000002'])
    const [first, second] = [await manifestOf('resume.bin'), await manifestOf('resume (1).bin')]
    expect(first).to.have.length(3)
    for (const seg of second) expect(first).to.not.include(seg)
    const r = await swiftGet('/photos/resume.bin')
    expect(r.status).to.equal(200)
    expect(createHash('sha256').update(Buffer.from(await r.arrayBuffer())).digest('hex')).to.equal(await sha256File(path))
  })

  it('creates a password-protected share link with an expiry from the file view', async () => {
    await page.getByLabel('Select big.bin').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share' }).click()
    const dialog = page.getByRole('dialog', { name: 'Share “big.bin”' })
    await dialog.getByLabel('Password').fill(SHARE_PASSWORD)
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000)
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
    await dialog.getByLabel('Expires').fill(local)
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const link = dialog.getByLabel('Link')
    await link.waitFor()
    passwordLink = await link.inputValue()
    expect(passwordLink).to.match(new RegExp(`^${appliance.url}/s/[A-Za-z0-9_-]{22,}$`))
    await shot(page, '06-share-dialog')
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('button', { name: 'Clear' }).click()
  })

  it('opens the link in a fresh browser, asks for the password, and downloads the same bytes', async () => {
    const stranger = await browser.newContext({ acceptDownloads: true })
    try {
      const p = await stranger.newPage()
      await p.goto(passwordLink)
      await p.getByText('is protected').waitFor()
      await shot(p, '07-share-password')
      await p.getByLabel('Password').fill('not it')
      await p.getByRole('button', { name: 'Open' }).click()
      await p.getByRole('alert').filter({ hasText: 'not right' }).waitFor()
      await p.getByLabel('Password').fill(SHARE_PASSWORD)
      await p.getByRole('button', { name: 'Open' }).click()
      await p.getByTestId('share-download').waitFor()
      await shot(p, '08-share-file')
      const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('share-download').click()])
      expect(download.suggestedFilename()).to.equal('big.bin')
      const saved = join(work, 'downloaded.bin')
      expect(await download.failure()).to.equal(null)
      await download.saveAs(saved)
      expect(await sha256File(saved)).to.equal(bigSha)
      rmSync(saved)
    } finally {
      await stranger.close()
    }
  })

  it('a drop link on a folder accepts an upload from a stranger', async () => {
    await page.getByLabel('Select holiday').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share' }).click()
    const dialog = page.getByRole('dialog', { name: 'Share “holiday”' })
    await dialog.getByLabel('Upload only (drop box)').check()
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const dropLink = await dialog.getByLabel('Link').inputValue()
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('button', { name: 'Clear' }).click()

    const stranger = await browser.newContext()
    try {
      const p = await stranger.newPage()
      await p.goto(dropLink)
      await p.getByText('Send files to').waitFor()
      const body = Buffer.from('a note for the holiday folder\n')
      await p.getByTestId('drop-input').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: body })
      await p.locator('.upload-row[data-status="done"]').waitFor()
      await shot(p, '09-drop-upload')
      const r = await swiftGet('/photos/holiday/note.txt')
      expect(r.status).to.equal(200)
      expect(Buffer.from(await r.arrayBuffer()).equals(body)).to.equal(true)
      // Upload-only: the folder's contents stay hidden.
      expect(await p.locator('.tile').count()).to.equal(0)
    } finally {
      await stranger.close()
    }
  })

  it('a folder link shows its pictures to a stranger', async () => {
    await page.getByLabel('Select holiday').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share' }).click()
    const dialog = page.getByRole('dialog', { name: 'Share “holiday”' })
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const folderLink = await dialog.getByLabel('Link').inputValue()
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('button', { name: 'Clear' }).click()
    const stranger = await browser.newContext()
    try {
      const p = await stranger.newPage()
      await p.goto(folderLink)
      await p.locator(`.tile[data-name="${pictures[PICTURES - 1]}"]`).waitFor()
      expect(await p.locator('.tile').count()).to.equal(PICTURES + 1) // the pictures and the dropped note
      if (thumbnailsAdvertised) {
        await p.waitForFunction(`[...document.querySelectorAll('.tile [data-thumb="ready"] img')].filter((i) => i.complete && i.naturalWidth > 0).length === ${PICTURES}`, undefined, { timeout: 30_000 })
      }
      await shot(p, '10-share-folder')
    } finally {
      await stranger.close()
    }
  })

  it('renames into a new folder (server-side copy), then deletes that folder after confirming', async () => {
    await page.locator('tr[data-name="holiday"] a.entry-name').click()
    await page.getByLabel('Select note.txt').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
    const rename = page.getByRole('dialog', { name: 'Rename or move “note.txt”' }).getByRole('textbox')
    await rename.fill('photos/holiday/notes/readme.txt')
    await rename.press('Enter')
    await page.locator('tr[data-name="notes"]').waitFor()
    expect(await page.locator('tr[data-name="note.txt"]').count()).to.equal(0)
    expect((await swiftGet('/photos/holiday/notes/readme.txt', { method: 'HEAD' })).status).to.equal(200)
    expect((await swiftGet('/photos/holiday/note.txt', { method: 'HEAD' })).status).to.equal(404)
    await page.locator('tr[data-name="notes"]').focus()
    await page.keyboard.press('Delete')
    const confirm = page.getByRole('dialog', { name: 'Delete “notes”?' })
    await shot(page, '11-delete-confirm')
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await page.locator('tr[data-name="notes"]').waitFor({ state: 'detached' })
    expect((await swiftGet('/photos/holiday/notes/readme.txt', { method: 'HEAD' })).status).to.equal(404)
  })

  it('lists my shares with their use counts, and a revoked link answers 404', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shares' }).click()
    const rows = page.locator('.shares-table tbody tr')
    await rows.nth(2).waitFor()
    expect(await rows.count()).to.equal(3)
    const fileRow = rows.filter({ hasText: 'photos/big.bin' })
    expect(await fileRow.textContent()).to.contain('1 downloads')
    expect(await rows.filter({ hasText: 'drop' }).textContent()).to.contain('1 uploads')
    await shot(page, '12-shares')
    await fileRow.getByRole('button', { name: 'Revoke' }).click()
    await page.getByRole('dialog', { name: 'Revoke link?' }).getByRole('button', { name: 'Revoke' }).click()
    await fileRow.getByText('revoked').waitFor()

    const token = new URL(passwordLink).pathname.split('/')[2]
    expect((await fetch(`${appliance.url}/api/public/shares/${token}`)).status).to.equal(404)
    expect((await fetch(`${appliance.url}/s/${token}/file?download=1`)).status).to.equal(404)
    const stranger = await browser.newContext()
    try {
      const p = await stranger.newPage()
      await p.goto(passwordLink)
      await p.getByText('Link unavailable').waitFor()
      await shot(p, '13-share-revoked')
    } finally {
      await stranger.close()
    }
  })

  it('is usable on a phone-sized screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    try {
      await phone.addCookies(await context.cookies())
      const p = await phone.newPage()
      await p.goto(`${appliance.url}/files/photos/holiday/`)
      await p.locator(`[data-name="${pictures[0]}"]`).waitFor()
      const overflow = await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
      expect(overflow).to.be.at.most(0)
      // Every link of the main navigation is on screen, none scrolled out of sight.
      const offscreen = await p.evaluate(`[...document.querySelectorAll('.topnav a')].filter((a) => { const r = a.getBoundingClientRect(); return r.left < 0 || r.right > document.documentElement.clientWidth || r.width === 0 }).map((a) => a.textContent)`)
      expect(offscreen).to.deep.equal([])
      await shot(p, '14-phone-files')
    } finally {
      await phone.close()
    }
  })
})
