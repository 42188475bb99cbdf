/**
 * Issue 11, item 5: one name check on every way in, and the admin's way out for names that
 * got in before it. A drop link used to store "a\0b.txt" (201) that its owner could never
 * read or delete (412) and that kept its container from ever being emptied (409).
 */
import { expect } from 'chai'
import { Readable } from 'node:stream'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

describe('object and container names (issue 11, item 5)', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let admin: WebClient
  let reader: WebClient

  before(async () => {
    v = await startTestAppliance({ users: [{ account: 'test', user: 'tester', key: 'testing', admin: true }, { account: 'test', user: 'reader', key: 'reading' }] })
    admin = new WebClient(v.url)
    await admin.login()
    reader = new WebClient(v.url)
    await reader.login('test', 'reader', 'reading')
    expect((await admin.fetch('/v1/AUTH_test/drop', { method: 'PUT' })).status).to.equal(201)
  })
  after(() => v?.stop())

  it('a drop link refuses a name with NUL or bytes that are not UTF-8 with 412, and stores nothing', async () => {
    const r = await admin.fetch('/api/shares', { method: 'POST', json: { kind: 'drop', container: 'drop' } })
    const { token } = (await r.json()) as { token: string }
    for (const name of ['a%00b.txt', 'a%ED%A0%80b.txt', 'a%FFb.txt']) {
      const up = await fetch(`${v.url}/s/${token}/upload/${name}`, { method: 'PUT', body: 'dropped' })
      expect(up.status, name).to.equal(412)
    }
    const ok = await fetch(`${v.url}/s/${token}/upload/fine.txt`, { method: 'PUT', body: 'dropped' })
    expect(ok.status).to.equal(201)
    const listing = (await (await admin.fetch('/v1/AUTH_test/drop?format=json')).json()) as Array<{ name: string }>
    expect(listing.map((e) => e.name)).to.deep.equal(['fine.txt'])
  })

  it('the share API, the Swift API and bulk-delete refuse the same names with 412', async () => {
    for (const body of [{ kind: 'file', container: 'drop', object: 'a\u0000b' }, { kind: 'folder', container: 'drop', prefix: 'p\ud800/' }, { kind: 'folder', container: 'd\u0000rop' }]) {
      const r = await admin.fetch('/api/shares', { method: 'POST', json: body })
      expect(r.status, JSON.stringify(body)).to.equal(412)
    }
    expect((await admin.fetch('/v1/AUTH_test/drop/a%00b', { method: 'PUT', body: 'x' })).status).to.equal(412)
    expect((await admin.fetch('/v1/AUTH_test/d%00rop', { method: 'PUT' })).status).to.equal(412)
    const bulk = await admin.fetch('/v1/AUTH_test?bulk-delete', { method: 'POST', headers: { Accept: 'application/json', 'Content-Type': 'text/plain' }, body: 'drop/a%00b\n' })
    expect(((await bulk.json()) as { Errors: Array<[string, string]> }).Errors.map((e) => e[1])).to.deep.equal(['412 Precondition Failed'])
  })

  it('an admin finds and removes bad names stored before the check; the container can then be emptied', async () => {
    // Plant what the old drop links stored, through the service layer under every check.
    const swift = v.app.swift
    expect((await admin.fetch('/v1/AUTH_test/old', { method: 'PUT' })).status).to.equal(201)
    await swift.objects.put({ account: 'AUTH_test', container: 'old', object: 'a\u0000b.txt' }, { headers: {}, body: Readable.from([Buffer.from('stuck')]), length: 5 })
    await swift.containers.put('AUTH_test', 'bad\u0000c', {}, true)
    await swift.objects.put({ account: 'AUTH_test', container: 'bad\u0000c', object: 'inside' }, { headers: {}, body: Readable.from([Buffer.from('x')]), length: 1 })
    expect((await admin.fetch('/v1/AUTH_test/old/a%00b.txt', { method: 'DELETE' })).status).to.equal(412)
    expect((await admin.fetch('/v1/AUTH_test/old', { method: 'DELETE' })).status).to.equal(409)

    expect((await reader.fetch('/api/admin/bad-names?account=AUTH_test')).status).to.equal(403)
    expect((await fetch(`${v.url}/api/admin/bad-names?account=AUTH_test`)).status).to.equal(401)
    const found = await admin.fetch('/api/admin/bad-names?account=AUTH_test')
    expect(found.status).to.equal(200)
    expect(((await found.json()) as { names: unknown[] }).names).to.deep.equal([{ container: 'bad\u0000c' }, { container: 'old', object: 'a\u0000b.txt' }])

    const remove = (json: unknown, csrf = true) => admin.fetch('/api/admin/bad-names/remove', { method: 'POST', json, csrf })
    expect((await remove({ account: 'AUTH_test', container: 'old', object: 'a\u0000b.txt' }, false)).status).to.equal(403)
    expect((await reader.fetch('/api/admin/bad-names/remove', { method: 'POST', json: { account: 'AUTH_test', container: 'old', object: 'a\u0000b.txt' } })).status).to.equal(403)
    expect((await remove({ account: 'AUTH_test', container: 'drop', object: 'fine.txt' })).status, 'a good name is not removed here').to.equal(400)
    const one = await remove({ account: 'AUTH_test', container: 'old', object: 'a\u0000b.txt' })
    expect(one.status).to.equal(200)
    expect(await one.json()).to.deep.equal({ objects: 1, container: false })
    const whole = await remove({ account: 'AUTH_test', container: 'bad\u0000c' })
    expect(await whole.json()).to.deep.equal({ objects: 1, container: true })

    expect((await admin.fetch('/v1/AUTH_test/old', { method: 'DELETE' })).status).to.equal(204)
    expect(((await (await admin.fetch('/api/admin/bad-names?account=AUTH_test')).json()) as { names: unknown[] }).names).to.deep.equal([])
    const containers = (await (await admin.fetch('/v1/AUTH_test?format=json')).json()) as Array<{ name: string }>
    expect(containers.map((c) => c.name)).to.deep.equal(['drop'])
  })
})
