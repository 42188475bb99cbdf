/**
 * Issue 16: sharing a folder with another Velox user, in Debian's headless Chromium. The
 * owner picks the user and "Read and write" in the share dialog; the other user finds it
 * under "Shared with me", browses into it, downloads a file and uploads one; revoking in the
 * dialog takes it away again. Screenshots of the dialog and of "Shared with me" at desktop
 * and phone width, light and dark. Skips, saying why, without /usr/bin/chromium. (No DOM types.)
 */
import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import type { BrowserContext, Page } from 'playwright-core'
import { TESTER, type TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { shotsLightDark, startWebApp, type WebApp } from './screens.js'
import { signIn } from './support.js'
import { axeProblems } from './axe.js'

const BOB = { account: 'other', user: 'bob', key: 'bobpass' }

describe('a folder shared with another Velox user in Chromium (e2e)', function () {
  this.timeout(150_000)
  let app: WebApp
  let v: TestAppliance
  let page: Page
  let owner: WebClient
  let bobContext: BrowserContext
  let bob: Page

  before(async function () {
    app = await startWebApp(this, async (owner) => {
      await owner.fetch('/v1/AUTH_test/team', { method: 'PUT' })
      await owner.fetch('/v1/AUTH_test/team/docs/plan.txt', { method: 'PUT', body: 'the plan' })
      await owner.fetch('/v1/AUTH_test/team/docs/old/notes.txt', { method: 'PUT', body: 'notes' })
    }, { users: [TESTER, BOB] })
    ;({ v, page, owner } = app)
    bobContext = await app.browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true })
    bob = await bobContext.newPage()
    await signIn(bob, v.url, BOB)
  })
  after(async () => {
    await bobContext?.close()
    await app?.stop()
  })

  it('the owner shares a folder with a user, read and write, from the share dialog', async () => {
    await page.goto(`${v.url}/files/team/`)
    await page.locator('tr[data-name="docs"] input[type="checkbox"]').click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Share' }).click()
    const dialog = page.getByRole('dialog', { name: 'Share “docs”' })
    await dialog.locator('select[name="user-share-grantee"]').selectOption('other:bob')
    await dialog.getByLabel('Read and write').check()
    await dialog.getByRole('button', { name: 'Share with user' }).click()
    await dialog.getByRole('list', { name: 'Shared with users' }).getByText('other:bob · docs/ · read and write').waitFor()
    await shotsLightDark(page, 'user-share-dialog')
    expect(await axeProblems(page), 'share dialog').to.deep.equal([])
    const head = await owner.fetch('/v1/AUTH_test/team', { method: 'HEAD' })
    expect(head.headers.get('x-container-read')).to.equal('other:bob')
    expect(head.headers.get('x-container-write')).to.equal('other:bob')
  })

  it('the other user finds it under "Shared with me", browses, downloads and uploads', async () => {
    await bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shared with me' }).click()
    await bob.getByRole('button', { name: 'team/docs/' }).click()
    await bob.getByRole('link', { name: 'plan.txt' }).waitFor()
    await shotsLightDark(bob, 'shared-with-me')
    expect(await axeProblems(bob), 'shared folder').to.deep.equal([])
    const [download] = await Promise.all([bob.waitForEvent('download'), bob.getByRole('link', { name: 'plan.txt' }).click()])
    expect(readFileSync(await download.path(), 'utf8')).to.equal('the plan')
    await bob.getByRole('button', { name: 'old/' }).click()
    await bob.getByRole('link', { name: 'notes.txt' }).waitFor()
    await bob.getByRole('button', { name: 'Up one folder' }).click()
    await bob.locator('input[name="shared-upload"]').setInputFiles({ name: 'from-bob.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from bob') })
    await bob.getByRole('link', { name: 'from-bob.txt' }).waitFor()
    expect(await (await owner.fetch('/v1/AUTH_test/team/docs/from-bob.txt')).text()).to.equal('hello from bob')
  })

  it('revoking in the dialog takes the folder away from the other user', async () => {
    const dialog = page.getByRole('dialog', { name: 'Share “docs”' })
    await dialog.getByRole('button', { name: 'Revoke other:bob on docs/' }).click()
    await dialog.getByRole('list', { name: 'Shared with users' }).waitFor({ state: 'detached' })
    await bob.reload()
    await bob.getByText('Nothing is shared with you yet.').waitFor()
    const status = await bob.evaluate(`fetch('/v1/AUTH_test/team/docs/plan.txt').then((r) => r.status)`)
    expect(status).to.equal(403)
  })

  it('the Shares page lists the folders shared with users, and revokes there', async () => {
    const r = await owner.fetch('/api/user-shares', { method: 'POST', json: { container: 'team', grantee: 'other:bob', write: false } })
    expect(r.status).to.equal(201)
    await page.goto(`${v.url}/shares`)
    const section = page.getByRole('region', { name: 'Shared with users' })
    await section.getByText('team/ · other:bob · read').waitFor()
    await shotsLightDark(page, 'shares-user-grants')
    await section.getByRole('button', { name: 'Revoke other:bob on team/' }).click()
    await section.waitFor({ state: 'detached' })
    const left = (await (await owner.fetch('/api/user-shares')).json()) as { shares: unknown[] }
    expect(left.shares).to.deep.equal([])
    expect((await owner.fetch('/v1/AUTH_test/team', { method: 'HEAD' })).headers.get('x-container-read')).to.equal(null)
  })
})
