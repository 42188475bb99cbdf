/**
 * What the Chromium e2e files share: Debian's chromium and its flags, where screenshots go,
 * building web/dist when it is missing, signing in through the form, and small real files
 * made at test time (media with ffmpeg, a PDF written by hand).
 *
 * This file compiles under the server's tsconfig (no DOM types): whatever runs in the page
 * is written as a string.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import sharp from 'sharp'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

export const CHROMIUM = '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
export const FFMPEG = '/usr/bin/ffmpeg'

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

export const ROOT = repoRoot()
export const SHOTS = join(ROOT, 'test-artifacts', 'screenshots')

/** Builds web/dist when it is missing (a test run without `make build`), makes the screenshot dir. */
export function ensureWebApp(): void {
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
    execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' })
  }
  mkdirSync(SHOTS, { recursive: true })
}

/**
 * Signs in through the form as TESTER (or `u`) and waits for the file browser. The form asks
 * for a user name and password; the account goes under "Advanced".
 */
export async function signIn(page: Page, url: string, u: Pick<typeof TESTER, 'account' | 'user' | 'key'> = TESTER): Promise<void> {
  await page.goto(url)
  await page.getByText('Advanced', { exact: true }).click()
  await page.locator('form.signin input[name="account"]').fill(u.account)
  await page.getByLabel('User name').fill(u.user)
  await page.getByLabel('Password').fill(u.key)
  await page.getByLabel('Password').press('Enter')
  await page.getByRole('navigation', { name: 'Folder' }).waitFor()
}

/**
 * For a suite's before(): skips it, saying why, without Chromium; else builds web/dist when
 * missing, starts an appliance and signs its owner (TESTER) in through the API.
 */
export async function startWebSuite(suite: Mocha.Context): Promise<{ appliance: TestAppliance; owner: WebClient }> {
  if (!existsSync(CHROMIUM)) {
    console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
    suite.skip()
  }
  ensureWebApp()
  const appliance = await startTestAppliance()
  const owner = new WebClient(appliance.url)
  await owner.login()
  return { appliance, owner }
}

/** A browser context already signed in with `owner`'s session cookie (for tests that are not about the sign-in form). */
export async function signedInContext(browser: Browser, owner: WebClient, opts: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const c = await browser.newContext(opts)
  c.setDefaultTimeout(20_000)
  const cookie = owner.cookies.get('velox_session')
  if (!cookie) throw new Error('the owner is not signed in')
  await c.addCookies([{ name: 'velox_session', value: cookie, url: owner.baseUrl }])
  return c
}

/** Runs ffmpeg quietly (lavfi sources: no input files). */
export function ffmpeg(args: string[]): void {
  execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
}

/**
 * A small, valid PDF of `pages` pages, each saying `text` and its number, in Helvetica (one of
 * the 14 standard fonts every viewer has), with a correct cross-reference table.
 */
export function makePdf(text: string, pages = 2): Buffer {
  const objects: string[] = []
  const add = (body: string) => objects.push(body)
  add('<< /Type /Catalog /Pages 2 0 R >>')
  const kids = Array.from({ length: pages }, (_, i) => `${4 + i * 2} 0 R`).join(' ')
  add(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`)
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>')
  for (let i = 0; i < pages; i++) {
    add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`)
    const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`)
    const stream = `BT /F1 36 Tf 72 700 Td (${esc(text)}) Tj ET\nBT /F1 24 Tf 72 640 Td (Page ${i + 1} of ${pages}) Tj ET\n0.18 0.44 0.93 rg 72 200 468 360 re f`
    add(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`)
  }
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/**
 * Waits until a screenshot (`shoot`) of a PDF viewer shows makePdf's page: its blue box (rgb
 * 46,112,237) covers a good part of it (viewers paint out of the page's DOM, so pixels are what
 * can be seen).
 */
export async function waitForPdfPainted(shoot: () => Promise<Buffer>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let share = 0
  while (Date.now() < deadline) {
    const { data, info } = await sharp(await shoot()).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    let blue = 0
    for (let i = 0; i < data.length; i += 3) if (Math.abs(data[i] - 46) < 30 && Math.abs(data[i + 1] - 112) < 30 && Math.abs(data[i + 2] - 237) < 30) blue++
    share = blue / (info.width * info.height)
    if (share > 0.05) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`the PDF was not painted in ${timeoutMs} ms (blue share ${share.toFixed(3)})`)
}
