/**
 * Issue 16's details panel, Markdown previews and the text editor, in Debian's headless
 * Chromium: a photo's size, type, EXIF (camera, taken at, dimensions; GPS only after asking),
 * share status, ETag and Swift URL; a README with raw HTML, a script, a javascript: link and
 * a remote image rendered as a document where nothing runs or loads; a text file edited and
 * saved as a new version (the container keeps history: the old text is in its history
 * container). Screenshots: test-artifacts/screenshots/details-*.png and markdown-*.png
 * (desktop and phone, light and dark). Skips, saying why, without /usr/bin/chromium.
 * (Compiles without DOM types.)
 */
import { expect } from 'chai'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import sharp from 'sharp'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { CHROMIUM, CHROMIUM_ARGS, SHOTS, signedInContext, startWebSuite } from './support.js'

const README = `# Read me

Some *words* and a [good link](https://example.org/) and a [bad one](javascript:window.__injected=1).

<script>window.__injected = true</script>
<img src="x" onerror="window.__injected = true">

![a remote picture](http://127.0.0.1:9/tracker.png)

| a | b |
|---|---|
| 1 | 2 |
`

describe('details panel, Markdown and the text editor in Chromium (e2e)', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let owner: WebClient
  let remoteAsked = 0

  const put = async (path: string, body: string | Buffer = '', headers: Record<string, string> = {}) => {
    const r = await owner.fetch(`/v1/AUTH_test/${path}`, { method: 'PUT', body, headers })
    expect(r.status, path).to.be.oneOf([201, 202])
  }
  const signedIn = async (opts: Parameters<Browser['newContext']>[0]) => {
    const c = await signedInContext(browser, owner, opts)
    // (the README's remote picture must never be asked for)
    await c.route('http://127.0.0.1:9/**', (route) => { remoteAsked++; return route.abort() })
    return c
  }
  const openDetails = async (p: Page, name: string) => {
    await p.locator(`tr[data-name="${name}"] input[type="checkbox"]`).click()
    await p.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Details' }).click()
    const d = p.getByRole('dialog', { name: `Details of “${name}”` })
    await d.waitFor()
    return d
  }

  before(async function () {
    ;({ appliance: v, owner } = await startWebSuite(this))
    await put('pics')
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#48a' } }).jpeg().withExif({
      IFD0: { Make: 'VeloxCam', Model: 'Test One' },
      IFD2: { DateTimeOriginal: '2024:05:01 10:20:30' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 30/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 0/1' },
    }).toBuffer()
    await put('pics/photo.jpg', jpeg, { 'Content-Type': 'image/jpeg' })
    await put('pics/readme.md', README, { 'Content-Type': 'text/markdown' })
    await put('notes_history')
    await put('notes', '', { 'X-History-Location': 'notes_history' })
    await put('notes/todo.txt', 'buy milk\n', { 'Content-Type': 'text/plain' })
    await put('pics/album/', '', { 'Content-Type': 'application/directory' })
    expect((await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'pics', object: 'photo.jpg', password: 'pw-1234' } })).status).to.equal(201)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    context = await signedIn({ viewport: { width: 1280, height: 860 } })
    page = await context.newPage()
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    const name = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
    await page?.screenshot({ path: join(SHOTS, `failed-details-${name}.png`) }).catch(() => undefined)
  })

  after(async () => {
    await browser?.close()
    await v?.stop()
  })

  it('shows a photo\'s size, type, EXIF, share status, ETag and Swift URL; GPS only when asked', async () => {
    await page.goto(`${v.url}/files/pics/`)
    const d = await openDetails(page, 'photo.jpg')
    const head = await owner.fetch('/v1/AUTH_test/pics/photo.jpg', { method: 'HEAD' })
    expect(await d.getByTestId('details-type').textContent()).to.equal('image/jpeg')
    expect(await d.getByTestId('details-size').textContent()).to.contain(`(${head.headers.get('content-length')} bytes)`)
    const exif = d.getByTestId('details-exif')
    await exif.waitFor()
    const text = (await exif.textContent()) ?? ''
    expect(text).to.contain('Camera: VeloxCam Test One').and.to.contain('64 × 48 px').and.to.contain('2024')
    expect(await d.getByTestId('details-gps').count(), 'no position before asking').to.equal(0)
    expect(await d.getByTestId('details-shared').textContent()).to.equal('1 active link (with password)')
    expect(await d.getByTestId('details-etag').textContent()).to.equal(head.headers.get('etag')?.replace(/"/g, ''))
    expect(await d.getByTestId('details-url').textContent()).to.equal(`${v.url}/v1/AUTH_test/pics/photo.jpg`)
    await d.getByRole('button', { name: 'Show where it was taken' }).click()
    expect(await d.getByTestId('details-gps').textContent()).to.equal('48.85833, 2.35000')
    await page.screenshot({ path: join(SHOTS, 'details-desktop-light.png') })
    await d.getByRole('button', { name: 'Close' }).click()
  })

  for (const scheme of ['dark', 'light'] as const) {
    it(`fits the details panel on a phone (${scheme}) and on a dark desktop`, async () => {
      const ctx = await signedIn({ viewport: { width: 375, height: 760 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: scheme })
      try {
        const p = await ctx.newPage()
        await p.goto(`${v.url}/files/pics/`)
        const d = await openDetails(p, 'photo.jpg')
        await d.getByTestId('details-exif').waitFor()
        expect(await p.evaluate('document.documentElement.scrollWidth')).to.be.at.most(375)
        await p.screenshot({ path: join(SHOTS, `details-phone-${scheme}.png`) })
        if (scheme === 'dark') {
          await p.setViewportSize({ width: 1280, height: 860 })
          await p.screenshot({ path: join(SHOTS, 'details-desktop-dark.png') })
        }
      } finally {
        await ctx.close()
      }
    })
  }

  it('renders Markdown as a document where no raw HTML, script, javascript: link or remote image runs or loads', async () => {
    await page.goto(`${v.url}/files/pics/`)
    await page.locator('tr[data-name="readme.md"] a.entry-name').click()
    const doc = page.locator('[data-preview="markdown"]')
    await doc.waitFor()
    expect(await doc.locator('h1').textContent()).to.equal('Read me')
    expect(await doc.locator('em').textContent()).to.equal('words')
    expect(await doc.locator('table td').count()).to.equal(2)
    expect(await doc.locator('script, img, iframe, [onerror]').count()).to.equal(0)
    expect(await doc.textContent()).to.contain('<script>window.__injected = true</script>')
    const good = doc.getByRole('link', { name: 'good link' })
    expect(await good.getAttribute('href')).to.equal('https://example.org/')
    expect(await good.getAttribute('rel')).to.contain('noopener')
    expect(await doc.locator('a', { hasText: 'bad one' }).getAttribute('href')).to.equal(null)
    expect(await doc.locator('a', { hasText: 'a remote picture' }).count()).to.equal(1)
    await page.waitForTimeout(300)
    expect(await page.evaluate('window.__injected === undefined')).to.equal(true)
    expect(remoteAsked).to.equal(0)
    await page.screenshot({ path: join(SHOTS, 'markdown-desktop-light.png') })
    await page.getByRole('button', { name: 'Show source' }).click()
    expect(await page.locator('[data-preview="text"]').textContent()).to.contain('# Read me')
    await page.keyboard.press('Escape')
  })

  it('edits a small text file and saves it as a new version; the old one stays in the history', async () => {
    await page.goto(`${v.url}/files/notes/`)
    await page.locator('tr[data-name="todo.txt"] a.entry-name').click()
    await page.locator('[data-preview="text"]').waitFor()
    await page.getByRole('button', { name: 'Edit' }).click()
    const area = page.getByRole('textbox', { name: 'Text of todo.txt' })
    await area.fill('buy milk\nbuy bread\n')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved as a new version.').waitFor()
    expect(await page.locator('[data-preview="text"]').textContent()).to.contain('buy bread')
    const now = await owner.fetch('/v1/AUTH_test/notes/todo.txt')
    expect(await now.text()).to.equal('buy milk\nbuy bread\n')
    expect(now.headers.get('content-type')).to.match(/^text\/plain/)
    const history = (await (await owner.fetch('/v1/AUTH_test/notes_history?format=json')).json()) as Array<{ name: string }>
    expect(history).to.have.length(1)
    expect(await (await owner.fetch(`/v1/AUTH_test/notes_history/${history[0].name.split('/').map(encodeURIComponent).join('/')}`)).text()).to.equal('buy milk\n')
    await page.keyboard.press('Escape')
  })

  it('explains top-level folders, copies with the folder picker and moves into a folder picked in the tree', async () => {
    await page.goto(`${v.url}/files/`)
    expect(await page.getByTestId('top-explain').textContent()).to.contain('Top-level folders are containers')
    await page.goto(`${v.url}/files/pics/`)
    await page.locator('tr[data-name="photo.jpg"] input[type="checkbox"]').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Copy' }).click()
    const copy = page.getByRole('dialog', { name: 'Copy 1 item' })
    await copy.locator('[data-picker-path="notes/"]').click()
    expect(await copy.getByRole('textbox').inputValue()).to.equal('notes/')
    await copy.getByRole('button', { name: 'Copy', exact: true }).click()
    await copy.waitFor({ state: 'detached' })
    expect((await owner.fetch('/v1/AUTH_test/notes/photo.jpg', { method: 'HEAD' })).status).to.equal(200)
    expect((await owner.fetch('/v1/AUTH_test/pics/photo.jpg', { method: 'HEAD' })).status).to.equal(200)

    await page.locator('tr[data-name="readme.md"] input[type="checkbox"]').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Move' }).click()
    const move = page.getByRole('dialog', { name: 'Move 1 item' })
    await move.getByRole('button', { name: 'Open pics' }).click()
    await move.locator('[data-picker-path="pics/album/"]').click()
    await page.screenshot({ path: join(SHOTS, 'picker-desktop-light.png') })
    await move.getByRole('button', { name: 'Move', exact: true }).click()
    await move.waitFor({ state: 'detached' })
    await page.locator('tr[data-name="readme.md"]').waitFor({ state: 'detached' })
    expect((await owner.fetch('/v1/AUTH_test/pics/album/readme.md', { method: 'HEAD' })).status).to.equal(200)
    expect((await owner.fetch('/v1/AUTH_test/pics/readme.md', { method: 'HEAD' })).status).to.equal(404)
  })

  it('moves by dragging a row onto a folder, and back by dropping it on a breadcrumb', async () => {
    await page.goto(`${v.url}/files/pics/`)
    await page.locator('tr[data-name="photo.jpg"]').dragTo(page.locator('tr[data-name="album"]'))
    await page.locator('tr[data-name="photo.jpg"]').waitFor({ state: 'detached' })
    expect((await owner.fetch('/v1/AUTH_test/pics/album/photo.jpg', { method: 'HEAD' })).status).to.equal(200)
    expect((await owner.fetch('/v1/AUTH_test/pics/photo.jpg', { method: 'HEAD' })).status).to.equal(404)
    await page.goto(`${v.url}/files/pics/album/`)
    const crumb = page.getByRole('navigation', { name: 'Folder' }).getByRole('link', { name: 'pics' })
    await page.locator('tr[data-name="photo.jpg"]').dragTo(crumb)
    await page.locator('tr[data-name="photo.jpg"]').waitFor({ state: 'detached' })
    expect((await owner.fetch('/v1/AUTH_test/pics/photo.jpg', { method: 'HEAD' })).status).to.equal(200)
  })

  it('opens a context menu by right-click and by Shift+F10; renames a container from it (copy + delete)', async () => {
    await page.goto(`${v.url}/files/notes/`)
    await page.locator('tr[data-name="todo.txt"]').click({ button: 'right' })
    const menu = page.getByRole('menu', { name: 'Actions for todo.txt' })
    await menu.waitFor()
    expect(await menu.getByRole('menuitem').allTextContents()).to.deep.equal(['Open', 'Download', 'Rename', 'Move to…', 'Copy to…', 'Share', 'Details', 'Delete'])
    await page.screenshot({ path: join(SHOTS, 'context-menu-desktop-light.png') })
    await menu.getByRole('menuitem', { name: 'Details' }).click()
    await page.getByRole('dialog', { name: 'Details of “todo.txt”' }).getByRole('button', { name: 'Close' }).click()
    const row = page.locator('tr[data-name="todo.txt"]')
    await row.focus()
    await page.keyboard.press('Shift+F10')
    await menu.waitFor()
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).to.equal('Open')
    await page.keyboard.press('Escape')
    await menu.waitFor({ state: 'detached' })
    expect(await page.evaluate(`document.activeElement && document.activeElement.getAttribute('data-name')`)).to.equal('todo.txt')

    await page.goto(`${v.url}/files/`)
    await page.locator('tr[data-name="notes"]').click({ button: 'right' })
    await page.getByRole('menu', { name: 'Actions for notes' }).getByRole('menuitem', { name: 'Rename' }).click()
    const dialog = page.getByRole('dialog', { name: 'Rename container “notes”' })
    await dialog.getByRole('textbox').fill('notes2')
    await dialog.getByRole('button', { name: 'Rename' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.locator('tr[data-name="notes2"]').waitFor()
    expect(await page.locator('tr[data-name="notes"]').count()).to.equal(0)
    expect(await (await owner.fetch('/v1/AUTH_test/notes2/todo.txt')).text()).to.equal('buy milk\nbuy bread\n')
    expect((await owner.fetch('/v1/AUTH_test/notes', { method: 'HEAD' })).status).to.equal(404)
  })
})
