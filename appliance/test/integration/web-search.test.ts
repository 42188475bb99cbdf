/**
 * /api/search: names across all of the signed-in user's containers, by prefix (a key range
 * of each container's listing) and by substring in any case (a bounded scan that says where
 * it stopped); hidden version containers are never searched, another account never is.
 */
import { expect } from 'chai'
import { startTestAppliance, TESTER, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

interface Result { hits: Array<{ container: string; name: string; bytes: number }>; complete: boolean; scanned: number; resume?: { container: string; marker: string } }

describe('search by name across containers (integration)', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let me: WebClient
  let other: WebClient
  const find = async (c: WebClient, q: string, extra = '') => {
    const r = await c.fetch(`/api/search?q=${encodeURIComponent(q)}${extra}`)
    expect(r.status, await r.clone().text()).to.equal(200)
    return (await r.json()) as Result
  }
  const names = (r: Result) => r.hits.map((h) => `${h.container}/${h.name}`).sort()

  before(async () => {
    v = await startTestAppliance({ users: [TESTER, { account: 'other', user: 'olga', key: 'olgapass', admin: true }] })
    me = new WebClient(v.url)
    await me.login()
    other = new WebClient(v.url)
    await other.login('other', 'olga', 'olgapass')
    const put = async (c: WebClient, path: string, body = 'x') => expect((await c.fetch(path, { method: 'PUT', body })).status).to.equal(201)
    await me.fetch('/v1/AUTH_test/photos', { method: 'PUT', headers: { 'X-Versions-Enabled': 'true' } })
    await me.fetch('/v1/AUTH_test/docs', { method: 'PUT' })
    await put(me, '/v1/AUTH_test/photos/2024/Holiday-beach.jpg', 'jpeg!')
    await put(me, '/v1/AUTH_test/photos/2024/holiday-beach.jpg', 'second')
    await put(me, '/v1/AUTH_test/photos/2024/city.jpg')
    await put(me, '/v1/AUTH_test/docs/holiday-plan.txt')
    await put(me, '/v1/AUTH_test/docs/report.txt')
    await other.fetch('/v1/AUTH_other/secret', { method: 'PUT' })
    await put(other, '/v1/AUTH_other/secret/holiday-secret.txt')
  })
  after(async () => {
    await v?.stop()
  })

  it('finds by substring in any case across containers, with the real size of versioned files', async () => {
    const r = await find(me, 'HOLIDAY')
    expect(names(r)).to.deep.equal(['docs/holiday-plan.txt', 'photos/2024/Holiday-beach.jpg', 'photos/2024/holiday-beach.jpg'])
    expect(r.complete).to.equal(true)
    expect(r.hits.find((h) => h.name === '2024/Holiday-beach.jpg')?.bytes).to.equal(5)
  })

  it('finds by prefix, reading only that key range', async () => {
    const r = await find(me, '2024/', '&mode=prefix')
    expect(names(r)).to.deep.equal(['photos/2024/Holiday-beach.jpg', 'photos/2024/city.jpg', 'photos/2024/holiday-beach.jpg'])
    expect(r.scanned).to.equal(3)
  })

  it('stops at the limit and says where to go on', async () => {
    const first = await find(me, 'holiday', '&limit=1')
    expect(first.hits).to.have.length(1)
    expect(first.complete).to.equal(false)
    const rest = await find(me, 'holiday', `&resumeContainer=${encodeURIComponent(first.resume!.container)}&resumeMarker=${encodeURIComponent(first.resume!.marker)}`)
    expect([...names(first), ...names(rest)].sort()).to.deep.equal(['docs/holiday-plan.txt', 'photos/2024/Holiday-beach.jpg', 'photos/2024/holiday-beach.jpg'])
  })

  it('searches only the caller\'s account and needs a session', async () => {
    expect(names(await find(other, 'holiday'))).to.deep.equal(['secret/holiday-secret.txt'])
    expect((await fetch(`${v.url}/api/search?q=holiday`)).status).to.equal(401)
    expect((await me.fetch('/api/search?q=')).status).to.equal(400)
  })
})
