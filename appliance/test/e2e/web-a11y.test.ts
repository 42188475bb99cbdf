/**
 * Issue 16, bugs 6–8 and the wording, in Debian's headless Chromium: keyboard (focus after
 * opening a folder, up a folder with Backspace / Alt+↑, the skip link, focus kept inside the
 * preview), axe-core on every page (no serious or critical violations), the phone layout of
 * the Shares page and the preview toolbar, and the small things: long names, the share
 * dialog's radios, an empty folder, a mistyped container or move destination, a cancelled
 * upload, the filter's footer, the tab title, sign-in by user name, labelled container counts.
 * Screenshots: test-artifacts/screenshots/a11y-*.png (desktop and phone, light and dark).
 * Skips, saying why, without /usr/bin/chromium. (Compiles without DOM types.)
 */
import { expect } from 'chai'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, signedInContext, startWebSuite } from './support.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { axeProblems } from './axe.js'
import { tmpdir } from 'node:os'

const LONG = `${'a-very-long-file-name-that-goes-on-'.repeat(6)}end.txt`
describe('keyboard, screen reader, phone layout and polish of the files app (e2e)', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let owner: WebClient
  let shareToken = ''

  const put = async (path: string, body: string | Buffer = '', type = 'text/plain') => {
    const r = await owner.fetch(`/v1/AUTH_test/${path}`, { method: 'PUT', body, headers: { 'Content-Type': type } })
    expect(r.status, path).to.be.oneOf([201, 202])
  }
  const focused = (p: Page) => p.evaluate(`(() => { const a = document.activeElement; return a ? (a.getAttribute('data-name') || a.getAttribute('aria-label') || a.textContent || a.tagName).trim() : '' })()`) as Promise<string>
  const title = (p: Page) => p.evaluate('document.title') as Promise<string>
  const signedIn = (opts: Parameters<Browser['newContext']>[0]) => signedInContext(browser, owner, opts)

  before(async function () {
    ;({ appliance: v, owner } = await startWebSuite(this))
    await put('docs')
    await put('empty')
    await put('docs/sub/', '', 'application/directory')
    await put('docs/sub/inner.txt', 'inside')
    await put('docs/apple.txt', 'apple')
    await put('docs/banana.md', '# Banana\n\nyellow')
    await put(`docs/${LONG}`, 'long')
    const r = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'docs', object: 'apple.txt' } })
    expect(r.status).to.equal(201)
    shareToken = ((await r.json()) as { token: string }).token
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    context = await signedIn({ viewport: { width: 1280, height: 860 } })
    page = await context.newPage()
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    const name = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)
    await page?.screenshot({ path: join(SHOTS, `failed-a11y-${name}.png`) }).catch(() => undefined)
    // (the next tests look at the list view)
    await page?.evaluate(`localStorage.setItem('velox.view', 'list')`).catch(() => undefined)
  })

  after(async () => {
    await browser?.close()
    await v?.stop()
  })

  it('signs in with a user name and password; the account is derived (advanced gives it)', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 860 } })
    fresh.setDefaultTimeout(20_000)
    const page = await fresh.newPage()
    await page.goto(v.url)
    await page.getByLabel('User name').waitFor()
    expect(await page.locator('input[name="account"]').isVisible(), 'the account is under Advanced').to.equal(false)
    expect(await axeProblems(page), 'sign-in').to.deep.equal([])
    await page.screenshot({ path: join(SHOTS, 'a11y-signin-desktop.png') })
    await page.getByLabel('User name').fill('tester')
    await page.getByLabel('Password').fill('testing')
    await page.getByLabel('Password').press('Enter')
    await page.getByRole('navigation', { name: 'Folder' }).waitFor()
    await fresh.close()
  })

  it('labels container counts and shows the folder in the tab title', async () => {
    await page.goto(`${v.url}/files/`)
    const cell = page.locator('tr[data-name="docs"] td.col-size')
    await cell.waitFor()
    expect(await cell.textContent()).to.match(/^5 files · \d+ B$/)
    expect(await title(page)).to.match(/All files/)
    await page.goto(`${v.url}/files/docs/sub/`)
    await page.locator('tr[data-name="inner.txt"]').waitFor()
    expect(await title(page)).to.match(/^sub — docs · Velox$/)
  })

  it('puts the focus on the first row after Enter on a folder; Backspace and Alt+↑ go up', async () => {
    await page.goto(`${v.url}/files/docs/`)
    const sub = page.locator('tr[data-name="sub"]')
    await sub.focus()
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/files\/docs\/sub\/$/)
    await page.locator('tr[data-name="inner.txt"]').waitFor()
    await page.waitForFunction(`document.activeElement && document.activeElement.getAttribute('data-name') === 'inner.txt'`, undefined, { timeout: 5000 })
    await page.keyboard.press('Backspace')
    await page.waitForURL(/\/files\/docs\/$/)
    await page.locator('tr[data-name="apple.txt"]').waitFor()
    // back up, the focus is on the folder we came from
    await page.waitForFunction(`document.activeElement && document.activeElement.getAttribute('data-name') === 'sub'`, undefined, { timeout: 5000 })
    await page.keyboard.press('Alt+ArrowUp')
    await page.waitForURL(/\/files\/$/)
    await page.locator('tr[data-name="docs"]').waitFor()
  })

  it('has a skip link as the first stop of Tab, to the main content', async () => {
    await page.goto(`${v.url}/files/docs/`)
    await page.locator('tr[data-name="apple.txt"]').waitFor()
    await page.keyboard.press('Tab')
    expect(await focused(page)).to.equal('Skip to content')
    await page.keyboard.press('Enter')
    const inMain = await page.evaluate(`(() => { const m = document.querySelector('main'); return !!m && (m === document.activeElement || m.contains(document.activeElement)) })()`)
    expect(inMain).to.equal(true)
  })

  it('keeps Tab inside the preview overlay, and axe finds nothing serious on the files pages', async () => {
    await page.goto(`${v.url}/files/docs/`)
    await page.locator('tr[data-name="apple.txt"]').waitFor()
    expect(await axeProblems(page), 'files list').to.deep.equal([])
    await page.getByRole('button', { name: 'Grid view' }).click()
    await page.locator('li[data-name="apple.txt"]').waitFor()
    const inGrid = await axeProblems(page)
    await page.getByRole('button', { name: 'List view' }).click()
    expect(inGrid, 'files grid').to.deep.equal([])
    await page.locator('tr[data-name="apple.txt"] a.entry-name').click()
    const overlay = page.getByRole('dialog', { name: 'Preview of apple.txt' })
    await overlay.waitFor()
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab')
      expect(await page.evaluate(`!!document.activeElement && !!document.activeElement.closest('.preview')`), `Tab ${i + 1}`).to.equal(true)
    }
    expect(await axeProblems(page), 'preview').to.deep.equal([])
    await page.keyboard.press('Escape')
    await overlay.waitFor({ state: 'detached' })
    await page.goto(`${v.url}/files/`)
    await page.locator('tr[data-name="docs"]').waitFor()
    expect(await axeProblems(page), 'containers').to.deep.equal([])
  })

  it('truncates a long name (full name on hover and focus), keeps the Modified column in view', async () => {
    await page.goto(`${v.url}/files/docs/`)
    const row = page.locator(`tr[data-name="${LONG}"]`)
    await row.waitFor()
    const box = await row.locator('td.col-date').boundingBox()
    expect(box && box.x + box.width).to.be.at.most(1280)
    const name = row.locator('.entry-name')
    expect(await name.getAttribute('title')).to.equal(LONG)
    const clipped = `(() => { const e = document.querySelector('tr[data-name="${LONG}"] .entry-name'); return e.scrollWidth > e.clientWidth + 1 })()`
    expect(await page.evaluate(clipped), 'clipped at rest').to.equal(true)
    await row.focus()
    expect(await page.evaluate(clipped), 'whole when focused').to.equal(false)
    const after = await row.locator('td.col-date').boundingBox()
    expect(after && after.x + after.width).to.be.at.most(1280)
  })

  it('counts the matching items in the footer while filtering', async () => {
    await page.goto(`${v.url}/files/docs/`)
    await page.locator('tr[data-name="apple.txt"]').waitFor()
    await page.getByLabel('Filter by name').fill('an')
    await page.locator('tr[data-name="apple.txt"]').waitFor({ state: 'detached' })
    expect((await page.locator('.list-end').textContent())?.trim()).to.equal('1 of 4 items match')
  })

  it('shows no column header in an empty folder', async () => {
    await page.goto(`${v.url}/files/empty/`)
    await page.getByText('This folder is empty').waitFor()
    expect(await page.locator('table.files-table thead').count()).to.equal(0)
  })

  it('says a mistyped container or move destination does not exist, not "404 Not Found"', async () => {
    await page.goto(`${v.url}/files/nosuch/`)
    const err = page.locator('p.error[role="alert"]')
    await err.waitFor()
    expect(await err.textContent()).to.contain('There is no container “nosuch”')
    expect(await err.textContent()).not.to.contain('404')
    await page.goto(`${v.url}/files/docs/`)
    await page.locator('tr[data-name="apple.txt"] input[type="checkbox"]').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Move' }).click()
    const dialog = page.getByRole('dialog', { name: 'Move 1 item' })
    await dialog.getByRole('textbox').fill('nosuch/')
    await dialog.getByRole('button', { name: 'Move' }).click()
    const problem = dialog.locator('p.error')
    await problem.waitFor()
    expect(await problem.textContent()).to.contain('There is no container “nosuch”')
    expect(await problem.textContent()).not.to.contain('404')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    expect(await page.locator('tr[data-name="apple.txt"]').count()).to.equal(1)
  })

  it('says "cancelled" after the uploads are cancelled', async () => {
    await page.goto(`${v.url}/files/docs/`)
    await page.locator('tr[data-name="apple.txt"]').waitFor()
    // (a file on disk: a 48 MB buffer through the browser protocol is slow; 48 MB makes a segmented upload)
    const work = mkdtempSync(join(tmpdir(), 'velox-a11y-'))
    try {
      writeFileSync(join(work, 'big.bin'), Buffer.alloc(48 * 1024 * 1024, 7))
      await page.getByTestId('file-input').setInputFiles(join(work, 'big.bin'))
      await page.getByRole('button', { name: 'Cancel all' }).click()
      await page.locator('.upload-row[data-status="cancelled"]').waitFor()
      const overall = page.getByTestId('upload-overall')
      await page.waitForFunction(`(document.querySelector('[data-testid="upload-overall"]')?.textContent || '').includes('cancelled')`, undefined, { timeout: 5000 }).catch(() => undefined)
      expect(await overall.textContent()).to.equal('1 cancelled')
      await page.getByRole('button', { name: 'Close uploads' }).click()
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  })

  it('keeps the segment counter up with the bytes sent (a throttled segmented upload)', async () => {
    await page.goto(`${v.url}/files/docs/`)
    await page.locator('tr[data-name="apple.txt"]').waitFor()
    const work = mkdtempSync(join(tmpdir(), 'velox-a11y-'))
    const cdp = await context.newCDPSession(page)
    try {
      // ~6 MB/s up: the three 16 MiB segments of a 48 MB file go at once and take seconds
      await cdp.send('Network.enable')
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 6_000_000 })
      writeFileSync(join(work, 'seg.bin'), Buffer.alloc(48 * 1024 * 1024, 9))
      await page.getByTestId('file-input').setInputFiles(join(work, 'seg.bin'))
      const row = page.locator('.upload-row[data-upload-name="seg.bin"]')
      const seen: string[] = []
      const deadline = Date.now() + 8000
      while (Date.now() < deadline && seen.length < 12) {
        const text = (await row.textContent().catch(() => '')) ?? ''
        const m = /([\d.]+) (B|KB|MB) of [\d.]+ MB.*segment (\d+)\/(\d+)/.exec(text)
        if (m) {
          const sent = Number(m[1]) * { B: 1, KB: 1e3, MB: 1e6 }[m[2] as 'B' | 'KB' | 'MB']
          seen.push(`${m[1]} ${m[2]}: segment ${m[3]}/${m[4]}`)
          // (from 1 MB on: segment n/3 while the bytes of segment n are going out)
          if (sent > 1e6) expect(Number(m[3]), seen.join('; ')).to.be.at.least(Math.floor((sent - 0.5e6) / (16 * 1024 * 1024)) + 1)
        }
        await page.waitForTimeout(300)
      }
      expect(seen.filter((x) => !x.startsWith('0 B')).length, `progress was seen: ${seen.join('; ')}`).to.be.at.least(2)
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }).catch(() => undefined)
      await page.getByRole('button', { name: 'Cancel all' }).click().catch(() => undefined)
      await page.getByRole('button', { name: 'Close uploads' }).click().catch(() => undefined)
      await cdp.detach().catch(() => undefined)
      rmSync(work, { recursive: true, force: true })
    }
  })

  it('keeps the share dialog\'s radios beside their labels; axe finds nothing serious there or on Shares', async () => {
    await page.goto(`${v.url}/files/docs/`)
    await page.locator('tr[data-name="sub"] input[type="checkbox"]').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share' }).click()
    const dialog = page.getByRole('dialog', { name: 'Share “sub”' })
    await dialog.waitFor()
    for (const label of ['View and download', 'Upload only (drop box)']) {
      const gap = await page.evaluate(`(() => {
        const l = [...document.querySelectorAll('dialog label')].find((x) => x.textContent.trim() === ${JSON.stringify(label)})
        const r = l.querySelector('input').getBoundingClientRect()
        const range = document.createRange(); range.selectNodeContents(l); const rects = [...range.getClientRects()].filter((q) => q.width > 0 && q.left >= r.right - 1)
        const t = rects[0]
        return { gap: t.left - r.right, dy: Math.abs((t.top + t.bottom) / 2 - (r.top + r.bottom) / 2) }
      })()`) as { gap: number; dy: number }
      expect(gap.gap, label).to.be.within(0, 16)
      expect(gap.dy, label).to.be.below(6)
    }
    expect(await axeProblems(page), 'share dialog').to.deep.equal([])
    await page.screenshot({ path: join(SHOTS, 'a11y-share-dialog-desktop.png') })
    await page.keyboard.press('Escape')
    await page.goto(`${v.url}/shares`)
    await page.locator('[data-share-id]').first().waitFor()
    expect(await axeProblems(page), 'shares').to.deep.equal([])
    await page.goto(`${v.url}/admin/settings/identity`)
    await page.locator('main h1, main h2').first().waitFor()
    expect(await axeProblems(page), 'settings').to.deep.equal([])
    await page.goto(`${v.url}/admin`)
    await page.getByRole('navigation', { name: 'Admin' }).waitFor()
    await page.waitForTimeout(1000)
    expect(await axeProblems(page), 'admin dashboard').to.deep.equal([])
    const stranger = await browser.newContext()
    try {
      const p = await stranger.newPage()
      await p.goto(`${v.url}/s/${shareToken}`)
      await p.getByTestId('share-download').waitFor()
      expect(await axeProblems(p), 'share page').to.deep.equal([])
    } finally {
      await stranger.close()
    }
  })

  for (const scheme of ['light', 'dark'] as const) {
    it(`lays the Shares page out as cards and the preview bar on one row on a phone (${scheme})`, async () => {
      const phone = await signedIn({ viewport: { width: 366, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: scheme })
      try {
        const p = await phone.newPage()
        await p.goto(`${v.url}/shares`)
        const revoke = p.getByRole('button', { name: 'Revoke' }).first()
        await revoke.waitFor()
        const box = await revoke.boundingBox()
        expect(box && box.x >= 0 && box.x + box.width <= 366, `Revoke at ${JSON.stringify(box)}`).to.equal(true)
        expect(await p.evaluate('document.documentElement.scrollWidth')).to.be.at.most(366)
        await p.screenshot({ path: join(SHOTS, `a11y-shares-phone-${scheme}.png`), fullPage: true })
        await p.goto(`${v.url}/files/docs/`)
        await p.locator('tr[data-name="banana.md"] a.entry-name').click()
        await p.getByRole('dialog', { name: 'Preview of banana.md' }).waitFor()
        const bar = (await p.evaluate(`[...document.querySelectorAll('.preview-bar > *')].filter((e) => e.getBoundingClientRect().width > 0).map((e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, right: r.right, label: e.getAttribute('aria-label') } })`)) as Array<{ top: number; bottom: number; right: number; label: string | null }>
        const rowTop = Math.min(...bar.map((b) => b.top))
        const rowBottom = Math.min(...bar.map((b) => b.bottom))
        expect(bar.every((b) => b.top < rowBottom), 'one row').to.equal(true)
        const close = bar.find((b) => b.label === 'Close preview')!
        expect(Math.max(...bar.map((b) => b.right)), 'Close at the right').to.equal(close.right)
        expect(close.right).to.be.within(330, 366)
        expect(rowTop).to.be.at.least(0)
        await p.screenshot({ path: join(SHOTS, `a11y-preview-phone-${scheme}.png`) })
        await p.keyboard.press('Escape')
        await p.setViewportSize({ width: 1280, height: 860 })
        await p.goto(`${v.url}/shares`)
        await p.locator('[data-share-id]').first().waitFor()
        await p.screenshot({ path: join(SHOTS, `a11y-shares-desktop-${scheme}.png`) })
      } finally {
        await phone.close()
      }
    })
  }
})
