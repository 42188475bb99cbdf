import { expect } from 'chai'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StateDb } from '../store/state-db.js'
import { userGroups } from './groups.js'
import { TokenService } from './tokens.js'
import { UserDirectory, usersFilePath, type User } from './users.js'

describe('identity/groups', () => {
  const tester = { account: 'test', user: 'tester', admin: true, resellerAdmin: false, groups: ['service'] }

  it('builds tempauth groups for an admin: account, account:user, custom groups, account id', () => {
    expect(userGroups(tester, ['AUTH_'])).to.deep.equal(['test', 'test:tester', 'service', 'AUTH_test'])
  })

  it('adds one account id per non-empty reseller prefix', () => {
    expect(userGroups(tester, ['AUTH_', 'SERVICE_'])).to.deep.equal([
      'test',
      'test:tester',
      'service',
      'AUTH_test',
      'SERVICE_test',
    ])
    expect(userGroups(tester, [''])).to.deep.equal(['test', 'test:tester', 'service'])
  })

  it('keeps .reseller_admin as a group and gives no account id to a non-admin', () => {
    expect(userGroups({ ...tester, admin: false, resellerAdmin: true, groups: [] }, ['AUTH_'])).to.deep.equal([
      'test',
      'test:tester',
      '.reseller_admin',
    ])
  })
})

describe('identity/tokens', () => {
  let dir: string
  let db: StateDb
  let users: UserDirectory
  let now: number
  let tester: User

  const service = (opts: Partial<ConstructorParameters<typeof TokenService>[0]> = {}) =>
    new TokenService({ db, users, nowSec: () => now, tokenLifeSec: 3600, ...opts })

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'velox-tokens-'))
    db = await StateDb.open(join(dir, 'state'))
    users = new UserDirectory(usersFilePath(dir), { statIntervalMs: 0 })
    tester = await users.add({ account: 'test', user: 'tester', key: 'testing', admin: true })
    now = 1_700_000_000
  })
  afterEach(async () => {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('issues AUTH_tk tokens that validate to the identity and its groups', async () => {
    const tokens = service()
    const issued = await tokens.issue(tester)
    expect(issued.token).to.match(/^AUTH_tk[0-9a-f]{32}$/)
    expect(issued.expiresAt).to.equal(now + 3600)
    const id = await tokens.validate(issued.token)
    expect(id).to.deep.equal({
      account: 'test',
      user: 'tester',
      groups: ['test', 'test:tester', 'AUTH_test'],
      expiresAt: now + 3600,
    })
  })

  it('defaults the lifetime to 86400 s', async () => {
    const issued = await service({ tokenLifeSec: undefined }).issue(tester)
    expect(issued.expiresAt).to.equal(now + 86400)
  })

  it('rejects unknown and malformed tokens', async () => {
    const tokens = service()
    expect(await tokens.validate('AUTH_tk' + '0'.repeat(32))).to.equal(undefined)
    expect(await tokens.validate('AUTH_tkxyz')).to.equal(undefined)
    expect(await tokens.validate('')).to.equal(undefined)
    expect(await tokens.validate('OTHER_tk' + '0'.repeat(32))).to.equal(undefined)
  })

  it('stores records under the token hash, never the token itself', async () => {
    const issued = await service().issue(tester)
    const keys: string[] = []
    for await (const [key, value] of db.namespace<object>('tokens').entries()) {
      keys.push(key)
      expect(JSON.stringify(value)).not.to.include(issued.token)
    }
    expect(keys).to.have.length(1)
    expect(keys[0]).to.match(/^[0-9a-f]{64}$/).and.not.include(issued.token)
  })

  it('expires tokens and deletes the expired record', async () => {
    const tokens = service()
    const issued = await tokens.issue(tester)
    now += 3599
    expect(await tokens.validate(issued.token)).to.not.equal(undefined)
    now += 1
    expect(await tokens.validate(issued.token)).to.equal(undefined)
    let left = 0
    for await (const _ of db.namespace('tokens').entries()) left++
    expect(left).to.equal(0)
  })

  it('reuses a valid token for the same user, and issues a new one after expiry', async () => {
    const tokens = service()
    const first = await tokens.issue(tester)
    now += 100
    expect(await tokens.issue(tester)).to.deep.equal(first)
    now += 3600
    const second = await tokens.issue(tester)
    expect(second.token).not.to.equal(first.token)
    expect(second.expiresAt).to.equal(now + 3600)
  })

  it('issues a new token when the groups changed', async () => {
    const tokens = service()
    const first = await tokens.issue(tester)
    const withGroup = { ...tester, groups: ['service'] }
    const second = await tokens.issue(withGroup)
    expect(second.token).not.to.equal(first.token)
  })

  it('keeps tokens across a close and reopen of the state database', async () => {
    const issued = await service().issue(tester)
    await db.close()
    db = await StateDb.open(join(dir, 'state'))
    const tokens = service()
    expect(await tokens.validate(issued.token)).to.include({ account: 'test', user: 'tester' })
    expect(await tokens.issue(tester)).to.deep.equal(issued)
  })

  it('stops validating when the user is removed', async () => {
    const tokens = service()
    const issued = await tokens.issue(tester)
    await new UserDirectory(usersFilePath(dir)).remove('test', 'tester')
    expect(await tokens.validate(issued.token)).to.equal(undefined)
  })

  it('stops validating when the key changes, even if the user is re-added', async () => {
    const tokens = service()
    const issued = await tokens.issue(tester)
    const other = new UserDirectory(usersFilePath(dir))
    await other.setKey('test', 'tester', 'new-key')
    expect(await tokens.validate(issued.token)).to.equal(undefined)
    const rekeyed = (await users.get('test', 'tester'))!
    const fresh = await tokens.issue(rekeyed)
    expect(fresh.token).not.to.equal(issued.token)
    expect(await tokens.validate(fresh.token)).to.not.equal(undefined)
  })

  it('reflects flag changes at once (groups come from the current user)', async () => {
    const tokens = service()
    const issued = await tokens.issue(tester)
    // merge() with the same key keeps the key hash and changes only the flags.
    await users.merge([{ account: 'test', user: 'tester', key: 'testing', admin: false }])
    expect((await tokens.validate(issued.token))?.groups).to.deep.equal(['test', 'test:tester'])
  })

  it('revokes a token and purges expired ones', async () => {
    const tokens = service()
    const a = await tokens.issue(tester)
    await tokens.revoke(a.token)
    expect(await tokens.validate(a.token)).to.equal(undefined)
    const b = await tokens.issue(tester)
    expect(b.token).not.to.equal(a.token)
    const bob = await users.add({ account: 'test', user: 'bob', key: 'k' })
    now += 1800
    await tokens.issue(bob)
    now += 1800
    expect(await tokens.purgeExpired()).to.equal(1)
    expect(await service().validate(b.token)).to.equal(undefined)
  })

  it('names tokens after the first reseller prefix', async () => {
    const issued = await service({ resellerPrefixes: ['SERVICE_', 'AUTH_'] }).issue(tester)
    expect(issued.token).to.match(/^SERVICE_tk[0-9a-f]{32}$/)
  })
})
