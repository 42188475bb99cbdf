/**
 * The web app in Firefox: Debian's firefox-esr driven over WebDriver BiDi (our own small client
 * in ../harness/firefox-bidi.ts; Playwright can only drive its patched Firefox) against a real
 * appliance serving the built SPA, as a person uses it: signs in through the form, sees the
 * container list, opens a container and sees an object put there through the Swift API; uploads
 * files through the picker (input.setFiles) and sees them listed; opens previews with real
 * clicks and closes them with Escape — text (escaped), a video played by Firefox's player with
 * Range requests answered 206 (watched as BiDi network events), a PDF in Firefox's viewer seen
 * painted; makes a share link from the preview and opens it as a stranger (a fresh user context).
 * Screenshots go to test-artifacts/screenshots/firefox-*.png. Skips, saying why, when
 * /usr/bin/firefox-esr is not installed (`apt-get install firefox-esr`); the video step needs
 * /usr/bin/ffmpeg.
 *
 * This file compiles under the server's tsconfig (no DOM types): whatever runs in the page
 * is written as a string.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLog } from '../../src/lib/log.js'
import { FIREFOX, headerOf, launchFirefox, type BidiResponseCompleted, type FirefoxBidi } from '../harness/firefox-bidi.js'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { FFMPEG, ffmpeg, makePdf, waitForPdfPainted } from './support.js'

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

const ROOT = repoRoot()
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots')
const CONTAINER = 'firefox-box'
const OBJECT = 'hello-from-swift.txt'
const NOTES = 'notes.txt'
const NOTES_TEXT = 'Shopping list\n- <b>milk</b> & <i>bread</i>\n<script>window.__injected = true</script>\n'
const VIDEO = 'clip.mp4'
const PDF = 'report.pdf'

describe('web app in Firefox (e2e, WebDriver BiDi)', function () {
  this.timeout(90_000)
  let appliance: TestAppliance | undefined
  let ff: FirefoxBidi | undefined
  let work = ''
  let swift: (path: string, init?: RequestInit) => Promise<Response>
  let storagePath = ''
  const serverLog: string[] = []
  /** Responses the page got for objects of the test container (BiDi network events). */
  const seen: BidiResponseCompleted[] = []

  const shot = async (name: string) => {
    const png = await ff!.screenshot()
    expect(png.subarray(1, 4).toString()).to.equal('PNG')
    writeFileSync(join(SHOTS, `firefox-${name}.png`), png)
  }

  before(async function () {
    if (!existsSync(FIREFOX)) {
      console.log(`      skipped: ${FIREFOX} is not installed (apt-get install firefox-esr)`)
      this.skip()
    }
    if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
      execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' })
    }
    mkdirSync(SHOTS, { recursive: true })
    appliance = await startTestAppliance({ log: createLog('warn', (line) => void serverLog.push(line)) })
    const { token, storageUrl } = await appliance.auth()
    storagePath = new URL(storageUrl).pathname
    const base = `${appliance.url}${storagePath}`
    swift = (path, init = {}) => fetch(`${base}${path}`, { ...init, headers: { 'X-Auth-Token': token, ...(init.headers as Record<string, string>) } })
    const put = (path: string, body?: string) => swift(path, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body })
    expect((await put(`/${CONTAINER}`)).status).to.be.oneOf([201, 202])
    expect((await put(`/${CONTAINER}/${OBJECT}`, 'hello, Firefox\n')).status).to.equal(201)
    work = mkdtempSync(join(tmpdir(), 'velox-firefox-e2e-'))
    writeFileSync(join(work, NOTES), NOTES_TEXT)
    writeFileSync(join(work, PDF), makePdf('Quarterly report', 2))
    if (existsSync(FFMPEG)) {
      // As in the Chromium preview test: 20 s, ~5 MB, so a seek asks for a later range.
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=duration=20:size=640x360:rate=25', '-vf', 'noise=alls=40:allf=t+u', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2M', '-maxrate', '2M', '-bufsize', '4M', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(work, VIDEO)])
    }
    ff = await launchFirefox({ width: 1280, height: 860 })
    const prefix = `${storagePath}/${CONTAINER}/`
    await ff.on<BidiResponseCompleted>('network.responseCompleted', (e) => {
      const url = new URL(e.request.url)
      if (e.request.method === 'GET' && url.pathname.startsWith(prefix) && !url.search) seen.push(e)
    })
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    if (serverLog.length) console.log(`      appliance log:\n${serverLog.splice(0).join('')}`)
    if (ff) await shot('failed').catch(() => undefined)
  })

  after(async () => {
    await ff?.close()
    await appliance?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('signs in through the form, lists the containers, opens one and shows its object', async () => {
    const b = ff!
    await b.navigate(appliance!.url)
    await b.waitFor(`document.querySelector('form.signin input[name="password"]')`, 'the sign-in form')
    expect(await b.evaluate<string>('navigator.userAgent')).to.match(/Firefox\//)
    await shot('01-sign-in')

    // (a user name and a password: the account is derived; "Advanced" holds it, empty here)
    await b.fill('form.signin input[name="user"]', TESTER.user)
    await b.fill('form.signin input[name="password"]', TESTER.key)
    // React saw the input events: the controlled inputs keep the values after a re-render.
    expect(await b.evaluate<string[]>(`[...document.querySelectorAll('form.signin input')].map((i) => i.value)`)).to.deep.equal([TESTER.user, TESTER.key, ''])
    await b.click('form.signin button[type="submit"]')

    await b.waitFor(`document.querySelector('tr[data-name=${JSON.stringify(CONTAINER)}] a.entry-name')`, 'the container list')
    expect(await b.evaluate<string>('location.pathname')).to.equal('/')
    await shot('02-containers')

    await b.click(`tr[data-name=${JSON.stringify(CONTAINER)}] a.entry-name`)
    await b.waitFor(`document.querySelector('[data-name=${JSON.stringify(OBJECT)}] .entry-name')?.textContent === ${JSON.stringify(OBJECT)}`, `the object ${OBJECT} in the container`)
    expect(await b.evaluate<string>('location.pathname')).to.equal(`/files/${CONTAINER}/`)
    await shot('03-container')
  })

  it('uploads files through the picker and lists them', async () => {
    const b = ff!
    const files = [NOTES, PDF, ...(existsSync(join(work, VIDEO)) ? [VIDEO] : [])]
    await b.setFiles('[data-testid="file-input"]', files.map((f) => join(work, f)))
    await b.waitFor(`document.querySelectorAll('.upload-row[data-status="done"]').length === ${files.length}`, 'the uploads to finish', 60_000)
    for (const f of files) await b.waitFor(`document.querySelector('tr[data-name=${JSON.stringify(f)}]')`, `${f} in the list`)
    await shot('04-uploaded')
    for (const f of files) {
      const head = await swift(`/${CONTAINER}/${f}`, { method: 'HEAD' })
      expect(head.status).to.equal(200)
      expect(head.headers.get('content-length')).to.equal(String(statSync(join(work, f)).size))
    }
    expect((await swift(`/${CONTAINER}/${PDF}`, { method: 'HEAD' })).headers.get('content-type')).to.equal('application/pdf')
    await b.clickNative('button[aria-label="Close uploads"]')
    await b.waitFor(`!document.querySelector('.upload-panel')`, 'the upload panel to close')
  })

  it('previews text with a click, escaped, and Escape closes it', async () => {
    const b = ff!
    await b.clickNative(`tr[data-name="${NOTES}"] a.entry-name`)
    await b.waitFor(`document.querySelector('.preview [data-preview="text"] pre')?.textContent === ${JSON.stringify(NOTES_TEXT)}`, 'the text preview')
    expect(await b.evaluate<number>(`document.querySelectorAll('.preview [data-preview="text"] b, .preview [data-preview="text"] script').length`)).to.equal(0)
    expect(await b.evaluate<boolean>('window.__injected === undefined')).to.equal(true)
    await shot('05-preview-text')
    await b.press('Escape')
    await b.waitFor(`!document.querySelector('.preview')`, 'the preview to close')
  })

  it('plays a video in Firefox’s player, by Range requests answered 206', async function () {
    const b = ff!
    if (!existsSync(join(work, VIDEO))) {
      console.log(`      skipped: ${FFMPEG} is not installed (apt-get install ffmpeg)`)
      this.skip()
    }
    await b.clickNative(`tr[data-name="${VIDEO}"] a.entry-name`)
    const video = `document.querySelector('.preview video[data-preview="video"]')`
    await b.waitFor(`${video} && ${video}.readyState >= 1 && ${video}.duration > 19`, 'the video’s metadata')
    await b.evaluate(`new Promise((resolve, reject) => {
      const v = ${video}
      const t = setTimeout(() => reject(new Error('no seeked event')), 15000)
      v.addEventListener('seeked', () => { clearTimeout(t); resolve(true) }, { once: true })
      v.currentTime = v.duration * 0.9
    })`)
    await b.waitFor(`${video}.readyState >= 2`, 'a frame at the seek point')
    await b.evaluate(`(async () => { const v = ${video}; v.muted = true; await v.play(); return true })()`)
    await b.waitFor(`${video}.currentTime > ${video}.duration * 0.9 + 0.3`, 'the video to play on', 15_000)
    await b.evaluate(`(${video}.pause(), true)`)
    expect(await b.evaluate(`({ w: ${video}.videoWidth, h: ${video}.videoHeight, error: ${video}.error })`)).to.deep.equal({ w: 640, h: 360, error: null })
    await shot('06-preview-video')
    const answers = seen.filter((e) => e.request.url.endsWith(`/${VIDEO}`))
    const size = statSync(join(work, VIDEO)).size
    expect(answers.length).to.be.greaterThan(0)
    for (const a of answers) {
      expect(headerOf(a.request.headers, 'range'), a.request.url).to.match(/^bytes=\d+-\d*$/)
      expect(a.response.status).to.equal(206)
      expect(headerOf(a.response.headers, 'content-range')).to.match(new RegExp(`^bytes \\d+-\\d+/${size}$`))
    }
    // Firefox's media cache may have read the whole file before the seek (then the seek needs
    // no request): a later offset is reported, not required.
    console.log(`      (Firefox asked for ${answers.map((a) => headerOf(a.request.headers, 'range')).join(', ')})`)
    await b.press('Escape')
    await b.waitFor(`!document.querySelector('.preview')`, 'the preview to close')
  })

  it('shows a PDF in Firefox’s viewer, opened from the keyboard', async () => {
    const b = ff!
    expect(await b.evaluate('navigator.pdfViewerEnabled')).to.equal(true)
    // Focus the first row, walk down to the PDF with ↓, open it with Enter.
    await b.evaluate(`(document.querySelector('tr[data-row]').focus(), true)`)
    const names = await b.evaluate<string[]>(`[...document.querySelectorAll('tr[data-row]')].map((r) => r.getAttribute('data-name'))`)
    for (let i = 0; i < names.indexOf(PDF); i++) await b.press('ArrowDown')
    expect(await b.evaluate<string>(`document.activeElement.getAttribute('data-name')`)).to.equal(PDF)
    await b.press('Enter')
    await b.waitFor(`document.querySelector('.preview iframe[data-preview="pdf"]')`, 'the PDF frame')
    expect(await b.evaluate(`document.querySelector('.preview iframe[data-preview="pdf"]').getAttribute('src')`)).to.equal(`${storagePath}/${CONTAINER}/${PDF}`)
    await waitForPdfPainted(() => b.screenshot('.preview iframe[data-preview="pdf"]'))
    await shot('07-preview-pdf')
    await b.press('Escape')
    await b.waitFor(`!document.querySelector('.preview')`, 'the preview to close')
    // The focus is back on the file's row.
    await b.waitFor(`document.activeElement?.getAttribute('data-name') === ${JSON.stringify(PDF)}`, 'the focus back on the row')
  })

  it('makes a share link from the preview; a stranger opens it and downloads the file', async () => {
    const b = ff!
    await b.clickNative(`tr[data-name="${NOTES}"] a.entry-name`)
    await b.waitFor(`document.querySelector('.preview [data-preview="text"] pre')`, 'the text preview')
    await b.clickByText('.preview-bar button', 'Share')
    await b.waitFor(`document.querySelector('dialog[open] button[type="submit"]')`, 'the share dialog')
    await b.clickNative('dialog[open] button[type="submit"]')
    await b.waitFor(`document.querySelector('#share-link')?.value`, 'the link')
    const link = await b.evaluate<string>(`document.querySelector('#share-link').value`)
    expect(link).to.match(new RegExp(`^${appliance!.url}/s/[A-Za-z0-9_-]{22,}$`))
    await shot('08-share-dialog')
    await b.clickByText('dialog[open] button', 'Done')
    await b.waitFor(`!document.querySelector('dialog[open]')`, 'the dialog to close')

    const stranger = await b.session.openTab({ isolated: true })
    try {
      await stranger.navigate(link)
      await stranger.waitFor(`document.querySelector('[data-testid="share-download"]')`, 'the shared file page')
      await stranger.waitFor(`document.querySelector('[data-preview="text"] pre')?.textContent === ${JSON.stringify(NOTES_TEXT)}`, 'the shared file’s preview')
      // A fresh user context: no session of the owner's here.
      expect(await stranger.evaluate<number>(`fetch('/api/session').then((r) => r.status)`)).to.not.equal(200)
      const href = await stranger.evaluate<string>(`document.querySelector('[data-testid="share-download"]').getAttribute('href')`)
      expect(await stranger.evaluate<string>(`fetch(${JSON.stringify(href)}).then((r) => r.text())`)).to.equal(NOTES_TEXT)
      const png = await stranger.screenshot()
      writeFileSync(join(SHOTS, 'firefox-09-share-page.png'), png)
    } finally {
      await stranger.closeTab()
    }
  })
})
