/**
 * The Keystone v3 subset (/v3, /v3/auth/tokens) over the appliance's local users: token
 * issue and validation as JSON, the object-store catalog, tokens the Swift API accepts, and
 * real clients logging in with Keystone v3 (python-swiftclient -V 3, rclone auth_version=3)
 * for stat, upload, list and download.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'

const run = promisify(execFile)

const passwordAuth = (user: Record<string, unknown>, scope?: Record<string, unknown>) => ({
  auth: { identity: { methods: ['password'], password: { user } }, ...(scope ? { scope } : {}) },
})
const TESTER_V3 = { name: 'tester', password: 'testing', domain: { name: 'Default' } }
const PROJECT_TEST = { project: { name: 'test', domain: { name: 'Default' } } }

describe('Keystone v3 subset', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let work: string
  const post = (body: unknown) => fetch(`${v.url}/v3/auth/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

  before(async () => {
    v = await startTestAppliance({
      users: [
        { account: 'test', user: 'tester', key: 'testing', admin: true },
        { account: 'test', user: 'tester3', key: 'testing3' },
        { account: 'test2', user: 'tester2', key: 'testing2', admin: true },
        { account: 'test', user: 'tester2', key: 'testing2', admin: true },
      ],
    })
    work = mkdtempSync(join(tmpdir(), 'velox-keystone-'))
  })
  after(async () => {
    await v?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('GET /v3 answers version discovery', async () => {
    const r = await fetch(`${v.url}/v3`)
    expect(r.status).to.equal(200)
    const doc = (await r.json()) as { version: { id: string; status: string; links: { href: string }[] } }
    expect(doc.version.status).to.equal('stable')
    expect(doc.version.id).to.match(/^v3\./)
    expect(doc.version.links[0].href).to.equal(`${v.url}/v3/`)
  })

  it('issues a project-scoped token with roles and an object-store catalog the Swift API accepts', async () => {
    const r = await post(passwordAuth(TESTER_V3, PROJECT_TEST))
    expect(r.status).to.equal(201)
    const token = r.headers.get('x-subject-token')!
    expect(token).to.match(/^AUTH_tk[0-9a-f]{32}$/)
    const doc = (await r.json()) as { token: Record<string, any> }
    expect(doc.token.user).to.include({ name: 'tester' })
    expect(doc.token.user.domain).to.deep.equal({ id: 'default', name: 'Default' })
    expect(doc.token.project).to.deep.equal({ domain: { id: 'default', name: 'Default' }, id: 'test', name: 'test' })
    expect(doc.token.roles.map((x: { name: string }) => x.name)).to.include('admin')
    expect(Date.parse(doc.token.expires_at) - Date.now()).to.be.within(86_000_000, 86_400_000)
    const [swift] = doc.token.catalog
    expect(swift.type).to.equal('object-store')
    expect(swift.endpoints.map((e: { interface: string }) => e.interface).sort()).to.deep.equal(['admin', 'internal', 'public'])
    for (const e of swift.endpoints) expect(e.url).to.equal(`${v.url}/v1/AUTH_test`)
    expect((await fetch(`${v.url}/v1/AUTH_test`, { method: 'HEAD', headers: { 'X-Auth-Token': token } })).status).to.be.oneOf([200, 204])
  })

  it('scopes by project id, and a non-admin user gets no admin role', async () => {
    const r = await post(passwordAuth({ name: 'tester3', password: 'testing3', domain: { id: 'default' } }, { project: { id: 'test' } }))
    expect(r.status).to.equal(201)
    const doc = (await r.json()) as { token: { roles: { name: string }[] } }
    expect(doc.token.roles.map((x) => x.name)).to.not.include('admin')
  })

  it('picks the user of the scoped project when two accounts have the same user name', async () => {
    const r = await post(passwordAuth({ name: 'tester2', password: 'testing2', domain: { name: 'Default' } }, { project: { name: 'test2', domain: { name: 'Default' } } }))
    expect(r.status).to.equal(201)
    const doc = (await r.json()) as { token: { project: { name: string }; catalog: { endpoints: { url: string }[] }[] } }
    expect(doc.token.project.name).to.equal('test2')
    expect(doc.token.catalog[0].endpoints[0].url).to.equal(`${v.url}/v1/AUTH_test2`)
  })

  it('issues an unscoped token without project or catalog', async () => {
    const r = await post(passwordAuth(TESTER_V3))
    expect(r.status).to.equal(201)
    const doc = (await r.json()) as { token: Record<string, unknown> }
    expect(doc.token).to.not.have.property('project')
    expect(doc.token).to.not.have.property('catalog')
  })

  it('refuses a wrong password, another domain, a project the user is not in, and an ambiguous unscoped name with 401', async () => {
    const cases = [
      passwordAuth({ ...TESTER_V3, password: 'nope' }, PROJECT_TEST),
      passwordAuth({ ...TESTER_V3, domain: { name: 'Other' } }, PROJECT_TEST),
      passwordAuth(TESTER_V3, { project: { name: 'test2', domain: { name: 'Default' } } }),
      passwordAuth({ name: 'tester2', password: 'testing2', domain: { name: 'Default' } }),
    ]
    for (const body of cases) {
      const r = await post(body)
      expect(r.status).to.equal(401)
      const doc = (await r.json()) as { error: { code: number; title: string } }
      expect(doc.error).to.include({ code: 401, title: 'Unauthorized' })
    }
  })

  it('refuses a body that is not JSON or has no identity with 400', async () => {
    const r = await fetch(`${v.url}/v3/auth/tokens`, { method: 'POST', body: '{' })
    expect(r.status).to.equal(400)
    expect((await post({ auth: {} })).status).to.equal(400)
  })

  it('validates X-Subject-Token with a valid X-Auth-Token', async () => {
    const t = (await post(passwordAuth(TESTER_V3, PROJECT_TEST))).headers.get('x-subject-token')!
    const ok = await fetch(`${v.url}/v3/auth/tokens`, { headers: { 'X-Auth-Token': t, 'X-Subject-Token': t } })
    expect(ok.status).to.equal(200)
    expect(ok.headers.get('x-subject-token')).to.equal(t)
    const doc = (await ok.json()) as { token: { project: { name: string } } }
    expect(doc.token.project.name).to.equal('test')
    const nocatalog = (await (await fetch(`${v.url}/v3/auth/tokens?nocatalog`, { headers: { 'X-Auth-Token': t, 'X-Subject-Token': t } })).json()) as { token: object }
    expect(nocatalog.token).to.not.have.property('catalog')
    const bad = 'AUTH_tk0123456789abcdef0123456789abcdef'
    expect((await fetch(`${v.url}/v3/auth/tokens`, { headers: { 'X-Auth-Token': t, 'X-Subject-Token': bad } })).status).to.equal(404)
    expect((await fetch(`${v.url}/v3/auth/tokens`, { headers: { 'X-Auth-Token': bad, 'X-Subject-Token': t } })).status).to.equal(401)
  })

  describe('python-swiftclient -V 3', () => {
    before(function () {
      if (!existsSync('/usr/bin/swift')) {
        console.log('    (skipped: Debian python3-swiftclient is not installed)')
        this.skip()
      }
    })
    const swift = (...args: string[]) =>
      run('/usr/bin/swift', ['-V', '3', '--os-auth-url', `${v.url}/v3`, '--os-username', 'tester', '--os-password', 'testing', '--os-project-name', 'test', '--os-user-domain-name', 'Default', '--os-project-domain-name', 'Default', ...args], { cwd: work })

    it('stat, upload, list and download', async () => {
      expect((await swift('stat')).stdout).to.match(/Account: AUTH_test/)
      writeFileSync(join(work, 'hello.txt'), 'hello keystone\n')
      await swift('upload', 'ks', 'hello.txt')
      expect((await swift('list', 'ks')).stdout.trim()).to.equal('hello.txt')
      await swift('download', 'ks', 'hello.txt', '-o', join(work, 'back.txt'))
      expect(readFileSync(join(work, 'back.txt'), 'utf8')).to.equal('hello keystone\n')
    })
  })

  describe('rclone auth_version=3', () => {
    before(function () {
      if (!existsSync('/usr/bin/rclone')) {
        console.log('    (skipped: Debian rclone is not installed)')
        this.skip()
      }
    })
    const remote = () => `:swift,auth='${v.url}/v3',user=tester,key=testing,auth_version=3,domain=Default,tenant=test,tenant_domain=Default:`
    const rclone = (...args: string[]) => run('/usr/bin/rclone', ['--config', '/dev/null', ...args], { cwd: work })

    it('mkdir, copy, ls and cat', async () => {
      writeFileSync(join(work, 'r.txt'), 'via rclone v3\n')
      await rclone('mkdir', `${remote()}rks`)
      await rclone('copyto', join(work, 'r.txt'), `${remote()}rks/dir/r.txt`)
      expect((await rclone('lsf', '-R', `${remote()}rks`)).stdout.split('\n')).to.include('dir/r.txt')
      expect((await rclone('cat', `${remote()}rks/dir/r.txt`)).stdout).to.equal('via rclone v3\n')
      const list = await fetch(`${v.url}/v1/AUTH_test/rks`, { headers: { 'X-Auth-Token': (await v.auth()).token } })
      expect((await list.text()).trim()).to.equal('dir/r.txt')
    })
  })
})
