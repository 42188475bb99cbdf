/**
 * Managing a share link later in Debian's headless Chromium: the Shares page shows the link
 * again with a QR code, and "Edit" changes its expiry (a preset), download limit and
 * password, which the server then holds. Screenshots of both dialogs at desktop and phone
 * width, light and dark. Skips, saying why, without /usr/bin/chromium. (No DOM types.)
 */
import { expect } from 'chai'
import type { Page } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { shotsLightDark, startWebApp, type WebApp } from './screens.js'

describe('share links managed later in Chromium (e2e)', function () {
  this.timeout(120_000)
  let app: WebApp
  let v: TestAppliance
  let page: Page
  let owner: WebClient
  let made: { id: string; token: string }

  before(async function () {
    app = await startWebApp(this, async (owner) => {
      await owner.fetch('/v1/AUTH_test/box', { method: 'PUT' })
      await owner.fetch('/v1/AUTH_test/box/report.pdf', { method: 'PUT', body: 'pdf' })
      const r = await owner.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'box', object: 'report.pdf' } })
      made = (await r.json()) as { id: string; token: string }
    })
    ;({ v, page, owner } = app)
  })
  after(async () => {
    await app?.stop()
  })

  it('shows the link again with a QR code', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shares' }).click()
    await page.locator(`tr[data-share-id="${made.id}"]`).getByRole('button', { name: 'Link' }).click()
    const dialog = page.getByRole('dialog', { name: 'Link to “report.pdf”' })
    await dialog.getByTestId('share-qr').waitFor()
    expect(await dialog.getByTestId('share-again-url').inputValue()).to.equal(`${v.url}/s/${made.token}`)
    await page.waitForFunction(`(() => { const i = document.querySelector('[data-testid="share-qr"]'); return i && i.complete && i.naturalWidth > 100 })()`)
    await shotsLightDark(page, 'share-link-again')
    await dialog.getByRole('button', { name: 'Close' }).click()
  })

  it('edits expiry (preset), download limit and password', async () => {
    await page.locator(`tr[data-share-id="${made.id}"]`).getByRole('button', { name: 'Edit' }).click()
    const dialog = page.getByRole('dialog', { name: 'Edit link to “report.pdf”' })
    await dialog.getByLabel('Expires').selectOption('7')
    await dialog.getByLabel('Download limit (empty: none)').fill('3')
    await dialog.getByLabel('Password').selectOption('new')
    await dialog.getByLabel('New password').fill('open sesame')
    await shotsLightDark(page, 'share-edit')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.locator(`tr[data-share-id="${made.id}"]`).filter({ hasText: '0 / 3 downloads' }).waitFor()
    const list = (await (await owner.fetch('/api/shares')).json()) as { shares: Array<{ id: string; maxDownloads?: number; hasPassword: boolean; expiresAt?: number }> }
    const s = list.shares.find((x) => x.id === made.id)!
    expect(s).to.deep.include({ maxDownloads: 3, hasPassword: true })
    const days = ((s.expiresAt ?? 0) - Date.now() / 1000) / 86_400
    expect(days).to.be.within(6.9, 7.01)
    expect((await fetch(`${v.url}/s/${made.token}/file`)).status).to.be.oneOf([401, 403])
  })
})
