import { expect } from 'chai'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isVeloxError } from '../errors.js'
import { loadUsersFile, UserDirectory, usersFilePath } from './users.js'

async function rejects(p: Promise<unknown>, kind: string): Promise<Error> {
  try {
    await p
  } catch (err) {
    expect(isVeloxError(err), String(err)).to.equal(true)
    expect((err as { kind: string }).kind).to.equal(kind)
    return err as Error
  }
  throw new Error(`expected a ${kind} error`)
}

describe('identity/users', () => {
  let dataDir: string
  let path: string
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'velox-users-'))
    path = usersFilePath(dataDir)
  })
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

  it('names the users file under <data>/etc', () => {
    expect(usersFilePath('/srv/velox')).to.equal('/srv/velox/etc/users.json')
  })

  it('adds, lists, gets and removes users', async () => {
    const dir = new UserDirectory(path)
    const added = await dir.add({ account: 'test', user: 'tester', key: 'testing', admin: true, groups: ['service'] })
    expect(added).to.include({ account: 'test', user: 'tester', admin: true, resellerAdmin: false })
    expect(added.groups).to.deep.equal(['service'])
    await dir.add({ account: 'admin', user: 'admin', key: 'admin', resellerAdmin: true })
    expect((await dir.list()).map((u) => `${u.account}:${u.user}`)).to.deep.equal(['admin:admin', 'test:tester'])
    expect(await dir.get('test', 'tester')).to.deep.include({ admin: true })
    await dir.remove('test', 'tester')
    expect(await dir.get('test', 'tester')).to.equal(undefined)
    await rejects(dir.remove('test', 'tester'), 'not-found')
  })

  it('refuses to add a user that exists', async () => {
    const dir = new UserDirectory(path)
    await dir.add({ account: 'test', user: 'tester', key: 'testing' })
    await rejects(dir.add({ account: 'test', user: 'tester', key: 'other' }), 'conflict')
  })

  it('writes the file with mode 0600 and only a bcrypt hash of the key', async () => {
    await new UserDirectory(path).add({ account: 'test', user: 'tester', key: 'sekrit-key' })
    expect(statSync(path).mode & 0o777).to.equal(0o600)
    const text = readFileSync(path, 'utf8')
    expect(text).not.to.include('sekrit-key')
    expect(JSON.parse(text).users[0].keyHash).to.match(/^\$2b\$10\$/)
  })

  it('verifies the right key and rejects wrong keys and unknown users', async () => {
    const dir = new UserDirectory(path)
    await dir.add({ account: 'test', user: 'tester', key: 'testing' })
    expect(await dir.verify('test:tester', 'testing')).to.include({ account: 'test', user: 'tester' })
    expect(await dir.verify('test:tester', 'Testing')).to.equal(undefined)
    expect(await dir.verify('test:nobody', 'testing')).to.equal(undefined)
    expect(await dir.verify('malformed', 'testing')).to.equal(undefined)
  })

  it('changes a key and the fingerprint with it', async () => {
    const dir = new UserDirectory(path)
    const before = await dir.add({ account: 'test', user: 'tester', key: 'old' })
    const after = await dir.setKey('test', 'tester', 'new')
    expect(after.keyFingerprint).not.to.equal(before.keyFingerprint)
    expect(await dir.verify('test:tester', 'old')).to.equal(undefined)
    expect(await dir.verify('test:tester', 'new')).to.not.equal(undefined)
    await rejects(dir.setKey('test', 'nobody', 'x'), 'not-found')
  })

  it('sees changes another instance writes, after at most one stat interval', async () => {
    let now = 0
    const server = new UserDirectory(path, { nowMs: () => now })
    const cli = new UserDirectory(path)
    expect(await server.get('test', 'tester')).to.equal(undefined)
    await cli.add({ account: 'test', user: 'tester', key: 'testing' })
    // Within the interval the server does not even stat the file.
    now += 500
    expect(await server.get('test', 'tester')).to.equal(undefined)
    now += 600
    expect(await server.get('test', 'tester')).to.not.equal(undefined)
    await cli.setKey('test', 'tester', 'changed')
    now += 1001
    expect(await server.verify('test:tester', 'changed')).to.not.equal(undefined)
    await cli.remove('test', 'tester')
    now += 1001
    expect(await server.get('test', 'tester')).to.equal(undefined)
  })

  it('keeps a change made by one instance when another writes next', async () => {
    const a = new UserDirectory(path)
    const b = new UserDirectory(path)
    await a.list()
    await b.add({ account: 'test', user: 'one', key: 'k1' })
    await a.add({ account: 'test', user: 'two', key: 'k2' })
    expect((await new UserDirectory(path).list()).map((u) => u.user)).to.deep.equal(['one', 'two'])
  })

  const badNames: [string, Record<string, unknown>][] = [
    ['empty account', { account: '', user: 'u' }],
    ["':' in account", { account: 'a:b', user: 'u' }],
    ["'/' in user", { account: 'a', user: 'u/v' }],
    ['control char in user', { account: 'a', user: 'u\n' }],
    ["',' in account", { account: 'a,b', user: 'u' }],
    ['dot account', { account: '.expiring', user: 'u' }],
    ['account over 256 bytes', { account: 'é'.repeat(129), user: 'u' }],
    ['reserved group', { account: 'a', user: 'u', groups: ['.admin'] }],
    ["':' in group", { account: 'a', user: 'u', groups: ['a:b'] }],
    ['key over 72 bytes', { account: 'a', user: 'u', key: 'k'.repeat(73) }],
    ['empty key', { account: 'a', user: 'u', key: '' }],
  ]
  for (const [what, fields] of badNames) {
    it(`rejects a user with ${what}`, async () => {
      const dir = new UserDirectory(path)
      const err = await rejects(dir.add({ key: 'k', ...fields } as never), 'bad-request')
      if (typeof fields.key === 'string' && fields.key) expect(err.message).not.to.include(fields.key)
    })
  }

  it('accepts a 256-byte account and a ":" in a user name', async () => {
    const dir = new UserDirectory(path)
    await dir.add({ account: 'a'.repeat(256), user: 'svc:backup', key: 'k' })
    expect(await dir.verify(`${'a'.repeat(256)}:svc:backup`, 'k')).to.not.equal(undefined)
  })

  it('merges a --users file, hashing keys and keeping hashes of unchanged keys', async () => {
    const seed = join(dataDir, 'seed.json')
    writeFileSync(
      seed,
      JSON.stringify([
        { account: 'test', user: 'tester', key: 'testing', admin: true, resellerAdmin: false, groups: ['service'] },
        { account: 'test2', user: 'tester2', key: 'testing2' },
      ]),
    )
    const dir = new UserDirectory(path)
    expect(await loadUsersFile(seed, dir)).to.deep.equal({ created: 2, updated: 0 })
    const first = await dir.get('test', 'tester')
    expect(first).to.include({ admin: true })
    expect(first!.groups).to.deep.equal(['service'])
    expect(readFileSync(path, 'utf8')).not.to.include('testing')
    expect(await loadUsersFile(seed, dir)).to.deep.equal({ created: 0, updated: 2 })
    expect((await dir.get('test', 'tester'))!.keyFingerprint).to.equal(first!.keyFingerprint)
    expect(await dir.verify('test2:tester2', 'testing2')).to.not.equal(undefined)
  })

  it('rejects a malformed --users file without echoing keys', async () => {
    const seed = join(dataDir, 'seed.json')
    writeFileSync(seed, JSON.stringify([{ account: 'a:b', user: 'u', key: 'topsecret' }]))
    const err = await rejects(loadUsersFile(seed, new UserDirectory(path)), 'bad-request')
    expect(err.message).to.include('entry 0').and.not.include('topsecret')
    writeFileSync(seed, '{"not": "a list"}')
    await rejects(loadUsersFile(seed, new UserDirectory(path)), 'bad-request')
  })

  it('reports a corrupt users file as internal', async () => {
    const dir = new UserDirectory(path)
    await dir.add({ account: 'a', user: 'u', key: 'k' })
    writeFileSync(path, '{ broken')
    await rejects(new UserDirectory(path).list(), 'internal')
  })
})
