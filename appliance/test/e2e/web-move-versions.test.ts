/**
 * Issue 16: rename and move in a container that keeps versions, in Debian's headless
 * Chromium. The rename dialog says what happens to the file's history there (and says
 * nothing of it where no versions are kept); after a rename the Trash shows the old name as
 * "moved to" the new one with its earlier versions, not as a deleted file, while a file
 * really deleted still looks deleted. Screenshots of the Trash with such a row at desktop
 * and phone width, light and dark. Skips, saying why, without /usr/bin/chromium. (No DOM types.)
 */
import { expect } from 'chai'
import type { Page } from 'playwright-core'
import type { TestAppliance } from '../harness/test-appliance.js'
import type { WebClient } from '../harness/web-client.js'
import { shotsLightDark, startWebApp, type WebApp } from './screens.js'
import { axeProblems } from './axe.js'

const C = '/v1/AUTH_test'

describe('rename and move in a versioned container in Chromium (e2e)', function () {
  this.timeout(150_000)
  let app: WebApp
  let v: TestAppliance
  let owner: WebClient
  let page: Page

  before(async function () {
    app = await startWebApp(this, async (owner) => {
      expect((await owner.fetch(`${C}/docs`, { method: 'PUT', headers: { 'X-Versions-Enabled': 'true' } })).status).to.equal(201)
      expect((await owner.fetch(`${C}/plain`, { method: 'PUT' })).status).to.equal(201)
      for (const [path, body] of [['docs/a.txt', 'alpha 1'], ['docs/a.txt', 'alpha 2'], ['docs/gone.txt', 'bye'], ['docs/h.txt', 'h 1'], ['docs/h.txt', 'h 2'], ['docs/h.txt', 'h 3'], ['plain/x.txt', 'x']]) {
        expect((await owner.fetch(`${C}/${path}`, { method: 'PUT', body, headers: { 'Content-Type': 'text/plain' } })).status).to.equal(201)
      }
    })
    ;({ v, page, owner } = app)
  })
  after(async () => {
    await app?.stop()
  })

  const openRename = async (container: string, name: string) => {
    await page.goto(`${v.url}/files/${container}/`)
    await page.getByLabel(`Select ${name}`).click()
    await page.getByRole('toolbar', { name: 'Selection' }).getByRole('button', { name: 'Rename' }).click()
    return page.getByRole('dialog', { name: `Rename or move “${name}”` })
  }

  it('the rename dialog says where the history stays only in a container that keeps versions', async () => {
    const plain = await openRename('plain', 'x.txt')
    await plain.getByText('Objects are copied on the server').waitFor()
    // (give the container's HEAD time to answer before saying it is absent)
    await page.waitForTimeout(500)
    expect(await plain.getByTestId('move-versioned-hint').count()).to.equal(0)
    await plain.getByRole('button', { name: 'Cancel' }).click()
    const docs = await openRename('docs', 'a.txt')
    expect(await docs.getByTestId('move-versioned-hint').textContent()).to.include('earlier versions stay under its old name')
    await docs.getByLabel('New path (container/folder/name)').fill('docs/b.txt')
    await docs.getByRole('button', { name: 'Rename' }).click()
    await docs.waitFor({ state: 'detached' })
    await page.locator('tr[data-name="b.txt"]').waitFor()
  })

  it('the Trash shows the old name as moved, with its versions, and a deleted file as deleted', async () => {
    expect((await owner.fetch(`${C}/docs/gone.txt`, { method: 'DELETE' })).status).to.equal(204)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click()
    await page.getByTestId('trash-row').nth(1).waitFor()
    expect(await page.getByTestId('trash-row').count(), 'a.txt moved, gone.txt deleted; h.txt not yet renamed').to.equal(2)
    const moved = page.getByTestId('trash-row').filter({ hasText: 'a.txt' })
    expect(await moved.getByTestId('trash-moved').textContent()).to.match(/^Moved to b\.txt/)
    await moved.getByRole('button', { name: 'Restore under old name' }).waitFor()
    const deleted = page.getByTestId('trash-row').filter({ hasText: 'gone.txt' })
    expect(await deleted.getByTestId('trash-moved').count()).to.equal(0)
    await deleted.getByRole('button', { name: 'Restore', exact: true }).waitFor()
    await shotsLightDark(page, 'trash-moved')
    expect(await axeProblems(page), 'Trash').to.deep.equal([])
    expect(await (await owner.fetch(`${C}/docs/b.txt`)).text()).to.equal('alpha 2')
  })

  it('renames a file with its history when asked: the versions follow, and the old name leaves the Trash', async () => {
    const dialog = await openRename('docs', 'h.txt')
    await dialog.getByLabel('New path (container/folder/name)').fill('docs/history.txt')
    // (after the name: focusing the name field again selects only its stem, as file managers do)
    await dialog.getByLabel('Take its earlier versions along', { exact: false }).check()
    await dialog.getByRole('button', { name: 'Rename' }).click()
    await dialog.waitFor({ state: 'detached' })
    await page.locator('tr[data-name="history.txt"]').waitFor()
    const versions = (await (await owner.fetch(`${C}/docs?versions&format=json&prefix=h`)).json()) as Array<{ name: string; version_id: string; content_type: string; is_latest: boolean }>
    expect(versions.filter((r) => r.name === 'h.txt'), 'nothing left of the old name').to.deep.equal([])
    const moved = versions.filter((r) => r.name === 'history.txt')
    expect(moved).to.have.length(3)
    const bodies = []
    for (const r of moved) bodies.push(await (await owner.fetch(`${C}/docs/history.txt?version-id=${r.version_id}`)).text())
    expect(bodies, 'newest first').to.deep.equal(['h 3', 'h 2', 'h 1'])
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trash' }).click()
    await page.getByTestId('trash-row').nth(1).waitFor()
    expect(await page.getByTestId('trash-row').filter({ hasText: 'h.txt' }).count()).to.equal(0)
  })
})
