/**
 * Renaming a container from the files app (issue 16), in Debian's headless Chromium: the
 * dialog starts the server-side job and shows its progress until the share links point at
 * the new name; a rename an error stopped (the carried quota is too small) is listed on the
 * containers page after a reload and continues from there. Screenshots of the dialog (with
 * the stopped rename) and of the containers page listing it, desktop and phone, light and
 * dark. Skips, saying why, without /usr/bin/chromium. (No DOM types.)
 */
import { expect } from 'chai'
import type { Page } from 'playwright-core'
import type { WebClient } from '../harness/web-client.js'
import { axeProblems } from './axe.js'
import { shotsLightDark, startWebApp, type WebApp } from './screens.js'

const put = async (owner: WebClient, path: string, body = '', headers: Record<string, string> = {}) => {
  const r = await owner.fetch(`/v1/AUTH_test/${path}`, { method: 'PUT', body, headers })
  expect(r.status, path).to.be.oneOf([201, 202])
}

const STOPPED = /Renaming “full” to “roomy” stopped after \d of 10 files: COPY “full\/n\d\.txt”: Upload exceeds quota \(413\)\. Nothing was lost/

async function openRenameDialog(page: Page, url: string, name: string) {
  await page.goto(`${url}/files/`)
  await page.getByLabel(`Select ${name}`).click()
  await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
  return page.getByRole('dialog', { name: `Rename container “${name}”` })
}

describe('renaming a container in the app (e2e)', function () {
  this.timeout(180_000)
  let app: WebApp
  let token = ''

  before(async function () {
    app = await startWebApp(this, async (owner) => {
      await put(owner, 'trip', '', { 'X-Container-Meta-Color': 'green', 'X-Versions-Enabled': 'true' })
      for (let i = 0; i < 12; i++) await put(owner, `trip/day${i}.txt`, `day ${i}`)
      const r = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'trip', object: 'day3.txt' } })
      token = ((await r.json()) as { token: string }).token
      await put(owner, 'full')
      for (let n = 0; n < 10; n++) await put(owner, `full/n${n}.txt`, `${n}`)
      // (a quota set after the files: the new container gets it too and soon refuses more)
      expect((await owner.fetch('/v1/AUTH_test/full', { method: 'POST', headers: { 'X-Container-Meta-Quota-Count': '2' } })).status).to.equal(204)
    })
  })
  after(async () => {
    await app?.stop()
  })

  it('renames with progress, keeping settings and the share link', async () => {
    const { page, v, owner } = app
    const dialog = await openRenameDialog(page, v.url, 'trip')
    await dialog.getByRole('textbox').fill('holiday')
    await dialog.getByRole('button', { name: 'Rename' }).click()
    await page.getByRole('status').filter({ hasText: 'Renamed “trip” to “holiday”: 12 files moved; 1 share link and 0 user shares now point at “holiday”.' }).waitFor()
    await dialog.waitFor({ state: 'detached' })
    await page.locator('tr[data-name="holiday"]').waitFor()
    expect(await page.locator('tr[data-name="trip"]').count()).to.equal(0)
    const h = await owner.fetch('/v1/AUTH_test/holiday', { method: 'HEAD' })
    expect([h.headers.get('x-container-meta-color'), h.headers.get('x-versions-enabled')]).to.deep.equal(['green', 'True'])
    expect(await (await fetch(`${v.url}/s/${token}/file`)).text()).to.equal('day 3')
  })

  it('lists a stopped rename after a reload and continues it', async () => {
    const { page, v, owner } = app
    const dialog = await openRenameDialog(page, v.url, 'full')
    await dialog.getByRole('textbox').fill('roomy')
    await dialog.getByRole('button', { name: 'Rename' }).click()
    await dialog.getByRole('status').filter({ hasText: STOPPED }).waitFor()
    expect(await axeProblems(page), 'rename dialog').to.deep.equal([])
    await shotsLightDark(page, 'container-rename-dialog')
    await page.reload()
    const open = page.getByRole('region', { name: 'Container renames in progress' })
    await open.getByRole('status').filter({ hasText: STOPPED }).waitFor()
    expect(await axeProblems(page), 'containers page with a stopped rename').to.deep.equal([])
    await shotsLightDark(page, 'container-rename-stopped')
    expect((await owner.fetch('/v1/AUTH_test/roomy', { method: 'POST', headers: { 'X-Container-Meta-Quota-Count': '20' } })).status).to.equal(204)
    await open.getByRole('button', { name: 'Continue' }).click()
    await open.getByRole('status').filter({ hasText: 'Renamed “full” to “roomy”: 10 files moved' }).waitFor()
    await page.locator('tr[data-name="roomy"]').waitFor()
    expect((await owner.fetch('/v1/AUTH_test/full', { method: 'HEAD' })).status).to.equal(404)
  })
})
