/**
 * Issue 16: sharing a folder with another Velox user, in Debian's headless Chromium. The
 * owner picks the user and "Read and write" in the share dialog (no ACL: a folder opens only
 * itself); the other user finds it under "Shared with me" and opens it in the file browser's
 * list, rooted at the folder: sees only it (not the sibling "docs-old/" nor "team/secret.txt"),
 * browses into a subfolder and back by the breadcrumb, downloads, uploads, renames and
 * deletes; a read-only grant shows no upload. Revoking in the dialog takes it away at once.
 * Screenshots of the dialog and of the shared folder at desktop and phone width, light and
 * dark. Skips, saying why, without /usr/bin/chromium. (No DOM types.)
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
      await owner.fetch('/v1/AUTH_test/team/docs-old/elsewhere.txt', { method: 'PUT', body: 'not shared' })
      await owner.fetch('/v1/AUTH_test/team/secret.txt', { method: 'PUT', body: 'not shared' })
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
    expect(await dialog.getByTestId('user-share-scope').textContent()).to.contain('they open only docs/ and what is in it')
    await shotsLightDark(page, 'user-share-dialog')
    expect(await axeProblems(page), 'share dialog').to.deep.equal([])
    const head = await owner.fetch('/v1/AUTH_test/team', { method: 'HEAD' })
    expect(head.headers.get('x-container-read'), 'a folder share is not an ACL entry').to.equal(null)
    expect(head.headers.get('x-container-write')).to.equal(null)
  })

  it('the other user opens it from "Shared with me" in the file list, sees only it, downloads, uploads, renames, deletes', async () => {
    await bob.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shared with me' }).click()
    await bob.getByRole('link', { name: 'team/docs/' }).waitFor()
    await shotsLightDark(bob, 'shared-with-me')
    await bob.getByRole('link', { name: 'team/docs/' }).click()
    const rows = bob.locator('table.files-table tbody tr[data-name]')
    await bob.locator('tr[data-name="plan.txt"]').waitFor()
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-name')))).to.deep.equal(['old', 'plan.txt'])
    const crumbs = bob.getByRole('navigation', { name: 'Folder' })
    expect(await crumbs.locator('li').allTextContents()).to.deep.equal(['Shared with me', 'docs'])
    await bob.locator('input[name="shared-upload"]').waitFor({ state: 'attached' })
    await shotsLightDark(bob, 'shared-folder')
    expect(await axeProblems(bob), 'shared folder').to.deep.equal([])
    const [download] = await Promise.all([bob.waitForEvent('download'), bob.evaluate(`(() => { const a = document.createElement('a'); a.href = document.querySelector('tr[data-name="plan.txt"] a.entry-name').href; a.download = 'plan.txt'; document.body.append(a); a.click() })()`)])
    expect(readFileSync(await download.path(), 'utf8')).to.equal('the plan')
    await bob.locator('tr[data-name="old"] a.entry-name').click()
    await bob.locator('tr[data-name="notes.txt"]').waitFor()
    expect(await crumbs.locator('li').allTextContents()).to.deep.equal(['Shared with me', 'docs', 'old'])
    expect(new URL(bob.url()).pathname).to.match(/^\/shared\/[A-Za-z0-9_-]+\/old\/$/)
    await crumbs.getByRole('link', { name: 'docs' }).click()
    await bob.locator('tr[data-name="plan.txt"]').waitFor()
    await bob.locator('input[name="shared-upload"]').setInputFiles({ name: 'from-bob.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from bob') })
    await bob.locator('tr[data-name="from-bob.txt"]').waitFor()
    expect(await (await owner.fetch('/v1/AUTH_test/team/docs/from-bob.txt')).text()).to.equal('hello from bob')
    await bob.locator('tr[data-name="from-bob.txt"] input[type="checkbox"]').click()
    await bob.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
    const rename = bob.getByRole('dialog', { name: 'Rename “from-bob.txt”' })
    await rename.getByLabel('New name').fill('bob.txt')
    await rename.getByRole('button', { name: 'Rename' }).click()
    await bob.locator('tr[data-name="bob.txt"]').waitFor()
    expect(await (await owner.fetch('/v1/AUTH_test/team/docs/bob.txt')).text()).to.equal('hello from bob')
    await bob.locator('tr[data-name="bob.txt"] input[type="checkbox"]').click()
    await bob.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Delete' }).click()
    await bob.getByRole('dialog', { name: 'Delete “bob.txt”?' }).getByRole('button', { name: 'Delete' }).click()
    await bob.locator('tr[data-name="bob.txt"]').waitFor({ state: 'detached' })
    expect((await owner.fetch('/v1/AUTH_test/team/docs/bob.txt')).status).to.equal(404)
    // Outside the folder, the same session is refused, through the shared route and the Swift API alike.
    const id = new URL(bob.url()).pathname.split('/')[2]
    expect(await bob.evaluate(`fetch('/api/shared/${id}/team/secret.txt').then((r) => r.status)`)).to.equal(403)
    expect(await bob.evaluate(`fetch('/api/shared/${id}/team/docs-old/elsewhere.txt').then((r) => r.status)`)).to.equal(403)
    expect(await bob.evaluate(`fetch('/v1/AUTH_test/team/docs/plan.txt').then((r) => r.status)`)).to.equal(403)
  })

  it('a read-only folder shows no upload, rename or delete', async () => {
    const r = await owner.fetch('/api/user-shares', { method: 'POST', json: { container: 'team', prefix: 'docs/old/', grantee: 'other:bob', write: false } })
    expect(r.status).to.equal(201)
    const { id } = (await r.json()) as { id: string }
    await bob.goto(`${v.url}/shared/${id}/`)
    await bob.locator('tr[data-name="notes.txt"]').waitFor()
    expect(await bob.locator('input[name="shared-upload"]').count()).to.equal(0)
    await bob.locator('tr[data-name="notes.txt"] input[type="checkbox"]').click()
    const bar = bob.getByRole('toolbar', { name: 'Selection' })
    expect(await bar.getByRole('button', { name: 'Delete' }).count()).to.equal(0)
    expect(await bar.getByRole('button', { name: 'Rename' }).count()).to.equal(0)
    await shotsLightDark(bob, 'shared-folder-read-only')
    expect((await owner.fetch(`/api/user-shares/${id}`, { method: 'DELETE' })).status).to.equal(204)
  })

  it('revoking in the dialog takes the folder away from the other user at once', async () => {
    await bob.goto(`${v.url}/shared`)
    await bob.getByRole('link', { name: 'team/docs/' }).click()
    await bob.locator('tr[data-name="plan.txt"]').waitFor()
    const id = new URL(bob.url()).pathname.split('/')[2]
    const dialog = page.getByRole('dialog', { name: 'Share “docs”' })
    await dialog.getByRole('button', { name: 'Revoke other:bob on docs/' }).click()
    await dialog.getByRole('list', { name: 'Shared with users' }).waitFor({ state: 'detached' })
    expect(await bob.evaluate(`fetch('/api/shared/${id}/team/docs/plan.txt').then((r) => r.status)`)).to.equal(404)
    await bob.reload()
    await bob.getByText('This folder is not shared with you any more.').waitFor()
    await bob.goto(`${v.url}/shared`)
    await bob.getByText('Nothing is shared with you yet.').waitFor()
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
