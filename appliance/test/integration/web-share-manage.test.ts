/**
 * Managing share links after making them: the owner gets the link again later (kept
 * sealed for them only), and changes expiry, password and download limit, each of which
 * the public link obeys at once; other users can neither read nor change the link.
 */
import { expect } from 'chai'
import { startTestAppliance, TESTER, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

describe('share links managed after creation (integration)', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let me: WebClient
  let id: string
  let token: string

  before(async () => {
    v = await startTestAppliance({ users: [TESTER, { account: 'test', user: 'mate', key: 'matepass', admin: true }] })
    me = new WebClient(v.url)
    await me.login()
    await me.fetch('/v1/AUTH_test/box', { method: 'PUT' })
    await me.fetch('/v1/AUTH_test/box/a.txt', { method: 'PUT', body: 'hello' })
    const r = await me.fetch('/api/shares', { method: 'POST', json: { kind: 'file', container: 'box', object: 'a.txt' } })
    expect(r.status).to.equal(201)
    ;({ id, token } = (await r.json()) as { id: string; token: string })
  })
  after(async () => {
    await v?.stop()
  })

  it('gives the owner the same link again, and no one else', async () => {
    const r = await me.fetch(`/api/shares/${id}/link`)
    expect(r.status).to.equal(200)
    expect(await r.json()).to.deep.equal({ token, url: `/s/${token}` })
    const mate = new WebClient(v.url)
    await mate.login('test', 'mate', 'matepass')
    expect((await mate.fetch(`/api/shares/${id}/link`)).status).to.equal(404)
    expect((await mate.fetch(`/api/shares/${id}`, { method: 'PATCH', json: { maxDownloads: 5 } })).status).to.equal(404)
    expect((await fetch(`${v.url}/api/shares/${id}/link`)).status).to.equal(401)
  })

  it('changes the download limit, the password and the expiry, and the link obeys', async () => {
    const patch = (json: unknown, csrf = true) => me.fetch(`/api/shares/${id}`, { method: 'PATCH', json, csrf })
    expect((await patch({ maxDownloads: 1 }, false)).status).to.equal(403)
    expect((await patch({ container: 'other' })).status).to.equal(400)
    expect((await patch({ expiresAt: 5 })).status).to.equal(400)
    let r = await patch({ maxDownloads: 1 })
    expect(r.status).to.equal(200)
    expect(await r.json()).to.deep.include({ maxDownloads: 1, state: 'active' })
    expect((await fetch(`${v.url}/s/${token}/file`)).status).to.equal(200)
    expect((await fetch(`${v.url}/s/${token}/file`)).status).to.equal(404) // used up
    r = await patch({ maxDownloads: null, password: 'a-new-secret' })
    expect(await r.json()).to.deep.include({ hasPassword: true, state: 'active' })
    expect((await fetch(`${v.url}/s/${token}/file`)).status).to.be.oneOf([401, 403])
    r = await patch({ password: null, expiresAt: Math.floor(Date.now() / 1000) + 3600 })
    const view = (await r.json()) as { hasPassword: boolean; expiresAt: number }
    expect(view.hasPassword).to.equal(false)
    expect(view.expiresAt).to.be.greaterThan(Date.now() / 1000)
    expect(await (await fetch(`${v.url}/s/${token}/file`)).text()).to.equal('hello')
    r = await patch({ expiresAt: null })
    expect((await r.json()) as object).to.not.have.property('expiresAt')
  })
})
