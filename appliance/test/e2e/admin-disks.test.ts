/**
 * The admin console's Disks tab in Debian's headless Chromium, on real loop devices with real
 * XFS (issue 13): an appliance with its built-in storage plus four loop disks of its own
 * (disks.only keeps it to them): one prepared from the tab (burn-in progress, formatted, added,
 * "in storage", the rings have it); one put in the ring through the API and given objects,
 * then drained from the tab (what it still holds shown while the replicator moves it) until
 * "drained", and removed; one whose burn-in was interrupted (the jobs file as a killed process
 * leaves it) shows why and "Run again", which passes; one with data refuses a wrong serial in
 * the server's words, then replaces the prepared disk (the old one's path and serial shown),
 * then its filesystem is shut down: "failed" with the reason, and removed.
 * axe-core: no serious violations. Screenshots admin-disks-* (desktop and phone, light and
 * dark). Skips, saying why, without Chromium or without loop devices (not root).
 */
import { expect } from 'chai'
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { LoopDisks, loopDevicesUnavailable } from '../harness/loop-disks.js'
import { createLog } from '../../src/lib/log.js'
import { ringsOf } from '../harness/setup-client.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { axeProblems } from './axe.js'
import { shotsLightDark } from './screens.js'
import { CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, ensureWebApp, signedInContext } from './support.js'

const run = promisify(execFile)

describe('admin console: Disks tab in Chromium (e2e, loop devices)', function () {
  this.timeout(180_000)
  let loops: LoopDisks
  let v: TestAppliance
  let admin: WebClient
  let browser: Browser
  let page: Page
  /** Disk ids by role: fresh (prepared in the tab), ring (drained), halted (interrupted burn-in), used (has data). */
  const serverLog: string[] = []
  const id: Record<'fresh' | 'ring' | 'halted' | 'used', string> = { fresh: '', ring: '', halted: '', used: '' }
  const swiftDir = () => join(v.dataDir, 'etc')
  const row = (diskId: string): Locator => page.locator(`tr[data-disk="${diskId}"]`)
  const stateIs = (diskId: string, text: string | RegExp) => row(diskId).getByTestId('disk-state').filter({ hasText: text }).waitFor({ timeout: 60_000 })
  const deviceOf = async (diskId: string) => ((await (await admin.fetch(`/api/admin/disks/${diskId}`)).json()) as { disk: { velox: { deviceName: string } | null } }).disk.velox?.deviceName

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
      this.skip()
    }
    const why = await loopDevicesUnavailable()
    if (why) {
      console.log(`      skipped: ${why} (the Disks tab is tested on real loop devices: run as root)`)
      this.skip()
    }
    ensureWebApp()
    // Chromium first: a child process started later inherits the appliance's open database
    // files (LevelDB opens them without O_CLOEXEC), and would keep a removed disk from unmounting.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    loops = await LoopDisks.create(4, 320)
    await run('mkfs.ext4', ['-q', '-F', loops.devices[3]!])
    v = await startTestAppliance({
      log: createLog('warn', (l) => void serverLog.push(l)),
      flags: {
        web: { distDir: join(ROOT, 'web', 'dist'), sessionLifeSec: 3600 },
        devicesDir: loops.devicesRoot,
        embedded: { devices: 3, partPower: 6, replicas: 3, minPartHours: 0 },
        disks: { only: loops.devices, burnInSampleMiB: 32, failureCheckSec: 1 },
        // The console as it runs: its live summary is what the admin tabs sit on.
        health: { enabled: true },
        thumbnails: { enabled: false },
        // On, and quick: the drained disk's data has to move to the others for the drain to end.
        replicator: { enabled: true, intervalSec: 2, bytesPerSec: 1e9, filesPerSec: 1e6, busyShare: 1 },
      },
    })
    admin = new WebClient(v.url)
    await admin.login()
    const list = ((await (await admin.fetch('/api/admin/disks')).json()) as { disks: Array<{ id: string; path: string }> }).disks
    const idOf = (dev: string) => list.find((d) => d.path === dev)!.id
    ;[id.fresh, id.ring, id.halted, id.used] = loops.devices.map(idOf)
    // The ring disk goes in through the API, as the CLI or an earlier session would have put it.
    let job = ((await (await admin.fetch(`/api/admin/disks/${id.ring}/burn-in`, { method: 'POST', json: {} })).json()) as { job: { id: string; state: string } }).job
    while (job.state === 'running') {
      await new Promise((r) => setTimeout(r, 100))
      job = ((await (await admin.fetch(`/api/admin/disks/jobs/${job.id}`)).json()) as { job: typeof job }).job
    }
    expect((await admin.fetch(`/api/admin/disks/${id.ring}/format`, { method: 'POST', json: {} })).status).to.equal(200)
    expect((await admin.fetch(`/api/admin/disks/${id.ring}/add`, { method: 'POST', json: {} })).status).to.equal(200)
    // A burn-in whose process was killed mid-write: the jobs file as it leaves it (a dead pid).
    const dead = spawnSync('true').pid
    mkdirSync(swiftDir(), { recursive: true })
    const started = new Date(Date.now() - 60_000).toISOString()
    const halted = { id: 'killed-burn-in', diskId: id.halted, kind: 'burn-in', state: 'running', phase: 'write', progress: 0.4, bytesDone: 1, bytesTotal: 2, mbps: 80, message: '', startedAt: started, finishedAt: null, pid: dead }
    writeFileSync(join(swiftDir(), 'disk-jobs.json'), `${JSON.stringify({ jobs: [halted] })}\n`)

    page = await (await signedInContext(browser, admin, { viewport: { width: 1280, height: 860 } })).newPage()
  })

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return
    if (serverLog.length) console.log(`      appliance log:\n${serverLog.splice(0).join('')}`)
    mkdirSync(SHOTS, { recursive: true })
    await page?.screenshot({ path: join(SHOTS, `admin-disks-failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}.png`), fullPage: true }).catch(() => undefined)
  })

  after(async () => {
    await browser?.close()
    await v?.stop()
    await loops?.destroy()
  })

  it('lists every disk with its size, type, state and ring figures, with no serious axe violations', async () => {
    await page.goto(`${v.url}/admin/disks`)
    await page.getByRole('heading', { name: 'Disks', exact: true }).waitFor()
    await stateIs(id.ring, /^in storage$/)
    await stateIs(id.fresh, /^new$/)
    await stateIs(id.halted, /^burn-in interrupted$/)
    expect(await row(id.halted).textContent()).to.match(/interrupted in its write phase at 40 %/)
    expect(await row(id.halted).getByRole('button', { name: /^Run again/ }).count()).to.equal(1)
    expect(await row(id.used).textContent()).to.include('has data on it')
    const ringRow = (await row(id.ring).textContent())!
    expect(ringRow).to.match(/weight \d\.\d{4}/)
    expect(ringRow).to.include('336 MB') // 320 MiB
    expect(await row(id.ring).getByRole('link').getAttribute('href')).to.equal(`/admin/disks/${await deviceOf(id.ring)}`)
    expect(await axeProblems(page)).to.deep.equal([])
    await shotsLightDark(page, 'admin-disks')
  })

  it('prepares a new disk: burn-in progress, formatting, adding; it ends in storage and in the rings', async () => {
    // Every text the progress line shows, as it changes (the burn-in may be quick).
    await page.evaluate(`window.__seen = []; new MutationObserver(() => {
      const e = document.querySelector('[data-testid=prepare-progress]')
      if (e && window.__seen[window.__seen.length - 1] !== e.textContent) window.__seen.push(e.textContent)
    }).observe(document.body, { subtree: true, childList: true, characterData: true })`)
    await row(id.fresh).getByRole('button', { name: /^Prepare/ }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText(/Add gradually \(25 % steps\)/).waitFor()
    await dialog.getByRole('button', { name: 'Prepare', exact: true }).click()
    await dialog.getByTestId('prepare-progress').filter({ hasText: /^in storage$/ }).waitFor({ timeout: 60_000 })
    const seen = (await page.evaluate('window.__seen')) as string[]
    expect(seen.some((t) => /^burn-in \S+ \d+ %/.test(t)), seen.join(' | ')).to.equal(true)
    expect(seen).to.include.members(['formatting', 'adding to storage', 'in storage'])
    await dialog.getByRole('button', { name: 'Close' }).click()
    await stateIs(id.fresh, /^in storage$/)
    const device = await deviceOf(id.fresh)
    expect(ringsOf(swiftDir()).object.devices).to.include(device)
    expect(v.app.devices.has(device!)).to.equal(true)
  })

  it('drains a ring disk until drained, showing what is left to move, then removes it', async () => {
    const device = (await deviceOf(id.ring))!
    // Objects until the ring disk holds some (it weighs little beside the built-in devices); now,
    // as the rings are: an earlier rebalance may have moved what it held before.
    const { token, storageUrl } = await v.auth()
    const put = (path: string, body?: string) => fetch(`${storageUrl}/${path}`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body })
    expect((await put('drain')).status).to.be.oneOf([201, 202])
    const objectsDir = join(loops.devicesRoot, device, 'objects')
    const held = () => (existsSync(objectsDir) ? readdirSync(objectsDir).filter((n) => /^\d+$/.test(n)).length : 0)
    for (let i = 0; i < 600 && held() === 0; i++) expect((await put(`drain/object-${i}`, `object ${i}`)).status).to.equal(201)
    expect(held(), 'an object partition on the ring disk').to.be.greaterThan(0)
    expect(await row(id.ring).getByRole('button', { name: /^Remove/ }).count(), 'remove only once drained').to.equal(0)
    await row(id.ring).getByRole('button', { name: /^Drain/ }).click()
    await page.getByRole('dialog').getByText(/moves to the other disks first/).waitFor()
    await page.getByRole('dialog').getByRole('button', { name: 'Drain', exact: true }).click()
    // What the disk still holds, as the drain starts: its object partitions and their bytes.
    await row(id.ring).getByTestId('drain-left').filter({ hasText: /still to move: [1-9]\d* partitions?, \d+/ }).waitFor()
    await page.screenshot({ path: join(SHOTS, 'admin-disks-draining-desktop-light.png'), fullPage: true })
    await stateIs(id.ring, /^drained$/)
    await row(id.ring).getByRole('button', { name: /^Remove/ }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click()
    // Out of the ring and unmounted: the disk is a blank one again (its burn-in still passed).
    await stateIs(id.ring, /^burn-in passed$/)
    for (const ring of Object.values(ringsOf(swiftDir()))) expect(ring.devices).not.to.include(device)
  })

  it('shows why a burn-in was interrupted and runs it again to a pass, adding the disk gradually', async () => {
    await row(id.halted).getByRole('button', { name: /^Run again/ }).click()
    const dialog = page.getByRole('dialog')
    expect(await dialog.getByTestId('previous-burn-in').textContent()).to.match(/was interrupted: interrupted in its write phase/)
    // Added gradually this time: a quarter of its weight first.
    await dialog.getByLabel(/Add gradually \(25 % steps\)/).check()
    await dialog.getByRole('button', { name: 'Run again', exact: true }).click()
    await dialog.getByTestId('prepare-progress').filter({ hasText: /^in storage$/ }).waitFor({ timeout: 60_000 })
    await dialog.getByRole('button', { name: 'Close' }).click()
    await stateIs(id.halted, /^ramping (25|50|75) %$/)
    expect(await row(id.halted).textContent()).to.include('adding gradually, 25 % at a time')
    const job = ((await (await admin.fetch(`/api/admin/disks/${id.halted}`)).json()) as { job: { state: string } }).job
    expect(job.state).to.equal('passed')
  })

  it('refuses a wrong serial in the server\'s words, then replaces a disk with the old one\'s serial shown', async () => {
    await row(id.fresh).getByRole('button', { name: /^Replace/ }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('radio', { name: new RegExp(loops.devices[3]!) }).check()
    await dialog.getByLabel(/^Serial of/).fill('not-the-serial')
    await dialog.getByRole('button', { name: 'Replace', exact: true }).click()
    await dialog.getByRole('alert').filter({ hasText: /has data on it: to burn in it, type its/ }).waitFor()
    await dialog.getByLabel(/^Serial of/).fill(id.used)
    await dialog.getByRole('button', { name: 'Replace', exact: true }).click()
    const result = dialog.getByTestId('replace-result')
    await result.waitFor({ timeout: 60_000 })
    expect(await result.textContent()).to.match(/locate light/).and.to.include(loops.devices[0]!)
    await shotsLightDark(page, 'admin-disks-replace')
    await dialog.getByRole('button', { name: 'Close' }).click()
    await stateIs(id.used, /^in storage$/)
    await stateIs(id.fresh, /^(draining|drained)$/)
    expect(await axeProblems(page)).to.deep.equal([])
  })

  it('shows a disk whose filesystem shut down as failed with the reason; Remove takes it out', async () => {
    const device = (await deviceOf(id.used))!
    await run('xfs_io', ['-x', '-c', 'shutdown', join(loops.devicesRoot, device)])
    // The failure monitor (every second here) marks it; the page's idle refresh shows it.
    await stateIs(id.used, /^failed$/)
    expect(await row(id.used).textContent()).to.match(/shut down|EIO|EUCLEAN/)
    await row(id.used).getByRole('button', { name: /^Remove/ }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click()
    await stateIs(id.used, /^(new|burn-in passed)$/)
    for (const ring of Object.values(ringsOf(swiftDir()))) expect(ring.devices).not.to.include(device)
  })
})
