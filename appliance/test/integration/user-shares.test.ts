/**
 * Issue 16: a container shared with another Velox user. A whole-container grant is the
 * container's Swift ACL, so python-swiftclient signed in as the grantee lists, downloads (and,
 * for read+write, uploads) exactly as the web app does; "Shared with me" lists it; revoking
 * takes the access away for the Swift client too. A folder (prefix) grant does not touch the
 * ACL (Swift clients do not see it; the web app's /api/shared route serves it, see
 * shared-folder.test.ts).
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { TESTER, startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'

const run = promisify(execFile)
const BOB = { account: 'other', user: 'bob', key: 'bobpass' }
/** Not an administrator of the account: Swift would not let her set ACLs. */
const CAROL = { account: 'test', user: 'carol', key: 'carolpass' }

describe('sharing a folder with another Velox user (issue 16)', function () {
  this.timeout(120_000)
  let v: TestAppliance
  let owner: WebClient
  let bob: WebClient
  let work: string

  /** python-swiftclient's CLI as bob, pointed at the owner's account. */
  const swiftAsBob = (...args: string[]) =>
    run('/usr/bin/swift', ['-A', `${v.url}/auth/v1.0`, '-U', `${BOB.account}:${BOB.user}`, '-K', BOB.key, '--os-storage-url', `${v.url}/v1/AUTH_test`, ...args], { cwd: work })
  const fails = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p
    } catch (err) {
      return String((err as { stderr?: string }).stderr ?? err)
    }
    throw new Error('expected the swift command to fail')
  }
  const grant = async (json: Record<string, unknown>) => {
    const r = await owner.fetch('/api/user-shares', { method: 'POST', json })
    expect(r.status, await r.clone().text()).to.equal(201)
    return (await r.json()) as { id: string }
  }

  before(async function () {
    if (!existsSync('/usr/bin/swift')) {
      console.log('    (skipped: Debian python3-swiftclient is not installed; make test installs it)')
      this.skip()
    }
    v = await startTestAppliance({ users: [TESTER, BOB, CAROL] })
    work = mkdtempSync(join(tmpdir(), 'velox-user-shares-'))
    owner = new WebClient(v.url)
    await owner.login()
    bob = new WebClient(v.url)
    await bob.login(BOB.account, BOB.user, BOB.key)
    for (const c of ['team', 'private']) expect((await owner.fetch(`/v1/AUTH_test/${c}`, { method: 'PUT' })).status).to.equal(201)
    expect((await owner.fetch('/v1/AUTH_test/team/docs/plan.txt', { method: 'PUT', body: 'the plan' })).status).to.equal(201)
    expect((await owner.fetch('/v1/AUTH_test/private/x.txt', { method: 'PUT', body: 'mine' })).status).to.equal(201)
  })
  after(async () => {
    await v?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('offers the other users to pick from, and refuses unknown users and foreign containers', async () => {
    const users = (await (await owner.fetch('/api/user-shares/users')).json()) as { users: string[] }
    expect(users.users).to.deep.equal(['other:bob', 'test:carol'])
    expect((await owner.fetch('/api/user-shares', { method: 'POST', json: { container: 'team', grantee: 'other:nobody' } })).status).to.equal(404)
    expect((await owner.fetch('/api/user-shares', { method: 'POST', json: { container: 'nope', grantee: 'other:bob' } })).status).to.equal(404)
    expect((await owner.fetch('/api/user-shares', { method: 'POST', json: { container: 'team', grantee: 'other:bob' }, csrf: false })).status).to.equal(403)
  })

  it('only an administrator of the account may share its containers (Swift\'s rule for ACLs)', async () => {
    const carol = new WebClient(v.url)
    await carol.login(CAROL.account, CAROL.user, CAROL.key)
    expect((await carol.fetch('/api/user-shares/users')).status, 'nor list the users').to.equal(403)
    const r = await carol.fetch('/api/user-shares', { method: 'POST', json: { container: 'team', grantee: 'other:bob' } })
    expect(r.status).to.equal(403)
    expect((await owner.fetch('/v1/AUTH_test/team', { method: 'HEAD' })).headers.get('x-container-read')).to.equal(null)
  })

  it('before any grant, the grantee cannot list the container', async () => {
    expect(await fails(swiftAsBob('list', 'team'))).to.match(/403|Forbidden/i)
  })

  it('a folder grant leaves the ACL alone: swiftclient as the grantee is still refused', async () => {
    const folder = await grant({ container: 'team', prefix: 'docs/', grantee: 'other:bob', write: true })
    expect((await owner.fetch('/v1/AUTH_test/team', { method: 'HEAD' })).headers.get('x-container-read')).to.equal(null)
    expect(await fails(swiftAsBob('list', 'team', '--prefix', 'docs/'))).to.match(/403|Forbidden/i)
    expect((await owner.fetch(`/api/user-shares/${folder.id}`, { method: 'DELETE' })).status).to.equal(204)
  })

  it('read: the grantee sees it under "Shared with me" and lists and downloads with swiftclient, but cannot upload', async () => {
    await grant({ container: 'team', grantee: 'other:bob', write: false })
    const mine = (await (await bob.fetch('/api/user-shares/with-me')).json()) as { shares: Array<Record<string, unknown>> }
    expect(mine.shares).to.have.length(1)
    expect(mine.shares[0]).to.include({ owner: 'test:tester', account: 'AUTH_test', container: 'team', prefix: '', write: false, viaAcl: true })
    const { stdout } = await swiftAsBob('list', 'team', '--prefix', 'docs/')
    expect(stdout.trim()).to.equal('docs/plan.txt')
    await swiftAsBob('download', 'team', 'docs/plan.txt', '-o', 'plan.txt')
    expect(readFileSync(join(work, 'plan.txt'), 'utf8')).to.equal('the plan')
    writeFileSync(join(work, 'up.txt'), 'from bob')
    expect(await fails(swiftAsBob('upload', 'team', 'up.txt', '--object-name', 'docs/up.txt'))).to.match(/403|Forbidden/i)
    expect(await fails(swiftAsBob('list', 'private'))).to.match(/403|Forbidden/i)
    // The web app's session of the grantee has the same access.
    expect((await bob.fetch('/v1/AUTH_test/team/docs/plan.txt')).status).to.equal(200)
    expect((await bob.fetch('/v1/AUTH_test/private/x.txt')).status).to.equal(403)
  })

  it('read+write: the grantee uploads with swiftclient; revoking it keeps the other container\'s grant', async () => {
    expect((await owner.fetch('/v1/AUTH_test/inbox', { method: 'PUT' })).status).to.equal(201)
    const rw = await grant({ container: 'inbox', grantee: 'other:bob', write: true })
    writeFileSync(join(work, 'up.txt'), 'from bob')
    await swiftAsBob('upload', 'inbox', 'up.txt', '--object-name', 'up.txt')
    expect(await (await owner.fetch('/v1/AUTH_test/inbox/up.txt')).text()).to.equal('from bob')
    const acl = await owner.fetch('/v1/AUTH_test/inbox', { method: 'HEAD' })
    expect(acl.headers.get('x-container-read')).to.equal('other:bob')
    expect(acl.headers.get('x-container-write')).to.equal('other:bob')
    expect((await owner.fetch(`/api/user-shares/${rw.id}`, { method: 'DELETE' })).status).to.equal(204)
    expect(await fails(swiftAsBob('upload', 'inbox', 'up.txt', '--object-name', 'again.txt'))).to.match(/403|Forbidden/i)
    const { stdout } = await swiftAsBob('list', 'team', '--prefix', 'docs/')
    expect(stdout.trim()).to.equal('docs/plan.txt')
  })

  it('revoking the last grant removes the ACL entry: the grantee loses access and the share leaves "Shared with me"', async () => {
    const mine = (await (await owner.fetch('/api/user-shares?container=team')).json()) as { shares: Array<{ id: string }> }
    expect(mine.shares).to.have.length(1)
    expect((await bob.fetch(`/api/user-shares/${mine.shares[0].id}`, { method: 'DELETE' })).status, 'only the owner revokes').to.equal(404)
    expect((await owner.fetch(`/api/user-shares/${mine.shares[0].id}`, { method: 'DELETE' })).status).to.equal(204)
    expect(await fails(swiftAsBob('list', 'team'))).to.match(/403|Forbidden/i)
    const head = await owner.fetch('/v1/AUTH_test/team', { method: 'HEAD' })
    expect(head.headers.get('x-container-read')).to.equal(null)
    const left = (await (await bob.fetch('/api/user-shares/with-me')).json()) as { shares: unknown[] }
    expect(left.shares).to.deep.equal([])
  })
})
