/**
 * Defaults of the files app in Debian's headless Chromium: a container made in the app keeps
 * versions (X-Versions-Enabled), so that a file deleted there goes to the Trash; and a share
 * link made in the dialog can carry a preview limit, apart from its download limit. Screenshot
 * of the share dialog with the preview limit and of a share page whose previews are used up,
 * desktop and phone, light and dark. Skips, saying
 * why, when /usr/bin/chromium is not installed. (No DOM types.)
 */
import { expect } from 'chai'
import type { Page } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { shotsLightDark, startWebApp, type WebApp } from './screens.js'

const C = '/v1/AUTH_test'

describe('files app defaults: versions and preview limits in Chromium (e2e)', function () {
  this.timeout(120_000)
  let app: WebApp
  let v: TestAppliance
  let owner: WebClient
  let page: Page

  before(async function () {
    app = await startWebApp(this)
    ;({ v, page, owner } = app)
  })
  after(async () => {
    await app?.stop()
  })

  it('makes a new container that keeps versions, so a deleted file lands in the Trash', async () => {
    await page.goto(`${v.url}/files/`)
    await page.getByRole('button', { name: 'New folder' }).click()
    const name = page.getByRole('dialog', { name: 'New container' }).getByLabel('Name')
    await name.fill('keep')
    await name.press('Enter')
    await page.locator('tr[data-name="keep"]').waitFor()
    const head = await owner.fetch(`${C}/keep`, { method: 'HEAD' })
    expect(head.headers.get('x-versions-enabled')).to.match(/^true$/i)
    expect((await owner.fetch(`${C}/keep/note.txt`, { method: 'PUT', body: 'kept', headers: { 'Content-Type': 'text/plain' } })).status).to.equal(201)
    expect((await owner.fetch(`${C}/keep/note.txt`, { method: 'DELETE' })).status).to.equal(204)
    const versions = await owner.fetch(`${C}/keep?versions&format=json`)
    const rows = (await versions.json()) as Array<{ name: string; content_type: string }>
    expect(rows.filter((r) => r.name === 'note.txt').length).to.equal(2)
  })

  it('creates a share link with a preview limit from the dialog', async () => {
    await page.goto(`${v.url}/files/keep/`)
    expect((await owner.fetch(`${C}/keep/pic.txt`, { method: 'PUT', body: 'hello', headers: { 'Content-Type': 'text/plain' } })).status).to.equal(201)
    await page.reload()
    await page.getByLabel('Select pic.txt').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share' }).click()
    const dialog = page.getByRole('dialog', { name: 'Share “pic.txt”' })
    await dialog.getByLabel('Preview limit').fill('3')
    await shotsLightDark(page, 'share-preview-limit')
    await dialog.getByRole('button', { name: 'Create link' }).click()
    await dialog.getByLabel('Link').waitFor()
    const list = (await (await owner.fetch('/api/shares')).json()) as { shares: Array<{ id: string; maxPreviews?: number; target: { object?: string } }> }
    const made = list.shares.find((s) => s.target.object === 'pic.txt')
    expect(made?.maxPreviews).to.equal(3)
    await dialog.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shares' }).click()
    await page.locator('tr[data-share-id]').filter({ hasText: '0 / 3 previews' }).waitFor()
  })

  it('shows a stranger the preview while the limit lasts, then offers only the download', async () => {
    const r = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'keep', object: 'pic.txt', maxPreviews: 1 } })
    expect(r.status).to.equal(201)
    const { token } = (await r.json()) as { token: string }
    const stranger = await app.browser.newContext()
    try {
      const p = await stranger.newPage()
      await p.goto(`${v.url}/s/${token}`)
      await p.locator('.inline-preview').getByText('hello').waitFor()
      await p.reload()
      await p.getByTestId('share-no-preview').waitFor()
      expect(await p.locator('.inline-preview').count()).to.equal(0)
      await shotsLightDark(p, 'share-preview-limit-reached')
      expect((await p.request.get(`${v.url}/s/${token}/file?download=1`)).status()).to.equal(200)
    } finally {
      await stranger.close()
    }
  })

  it('renames a container made in the app (it keeps versions): the files move, the old one goes with its history', async () => {
    await page.goto(`${v.url}/files/`)
    await page.locator('tr[data-name="keep"]').click({ button: 'right' })
    await page.getByRole('menu', { name: 'Actions for keep' }).getByRole('menuitem', { name: 'Rename' }).click()
    const dialog = page.getByRole('dialog', { name: 'Rename container “keep”' })
    await dialog.getByRole('textbox').fill('kept')
    await dialog.getByRole('button', { name: 'Rename' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.locator('tr[data-name="kept"]').waitFor()
    expect(await (await owner.fetch(`${C}/kept/pic.txt`)).text()).to.equal('hello')
    expect((await owner.fetch(`${C}/kept`, { method: 'HEAD' })).headers.get('x-versions-enabled')).to.match(/^true$/i)
    expect((await owner.fetch(`${C}/keep`, { method: 'HEAD' })).status).to.equal(404)
  })
})
