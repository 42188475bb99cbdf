// Tables from Swift's test/unit/common/middleware/test_acl.py, plus format/parse of account ACLs.
import { expect } from 'chai'
import { isVeloxError } from '../errors.js'
import {
  cleanContainerAcl,
  formatAccountAcl,
  formatContainerAcl,
  parseAccountAcl,
  parseContainerAcl,
  referrerAllowed,
} from './acl.js'

function badRequest(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(isVeloxError(err, 'bad-request'), String(err)).to.equal(true)
    return (err as Error).message
  }
  throw new Error('expected bad-request')
}

describe('identity/acl', () => {
  describe('cleanContainerAcl (clean_acl)', () => {
    const cleaned: [string, string][] = [
      ['.r:*', '.r:*'],
      ['.r:specific.host', '.r:specific.host'],
      ['.r:.ending.with', '.r:.ending.with'],
      ['.r:*.ending.with', '.r:.ending.with'],
      ['.r:-*.ending.with', '.r:-.ending.with'],
      ['.r:one,.r:two', '.r:one,.r:two'],
      ['.r:*,.r:-specific.host', '.r:*,.r:-specific.host'],
      ['.r:*,.r:-.ending.with', '.r:*,.r:-.ending.with'],
      ['.r:one,.r:-two', '.r:one,.r:-two'],
      ['.r:one,.r:-two,account,account:user', '.r:one,.r:-two,account,account:user'],
      ['TEST_account', 'TEST_account'],
      ['.ref:*', '.r:*'],
      ['.referer:*', '.r:*'],
      ['.referrer:*', '.r:*'],
      [' .r : one , ,, .r:two , .r : - three ', '.r:one,.r:two,.r:-three'],
      ['bob, sue', 'bob,sue'],
      ['bob , sue', 'bob,sue'],
      ['bob,,,sue', 'bob,sue'],
      ['.referrer : *', '.r:*'],
      ['.ref:*.example.com', '.r:.example.com'],
      ['.r:*, .rlistings', '.r:*,.rlistings'],
    ]
    for (const [input, output] of cleaned) {
      it(`cleans ${JSON.stringify(input)} to ${JSON.stringify(output)}`, () => {
        expect(cleanContainerAcl('header', input)).to.equal(output)
      })
    }
    const invalid = ['.unknown:test', '.r:', '.r:*.', '.r : * . ', '.r:-*.', '.r : - * . ', ' .r : ', 'user , .r : ', '.r:-', ' .r : - ', 'user , .r : - ']
    for (const input of invalid) {
      it(`rejects ${JSON.stringify(input)}`, () => badRequest(() => cleanContainerAcl('header', input)))
    }
    it('rejects referrers in write ACLs', () => {
      expect(badRequest(() => cleanContainerAcl('write-header', '.r:r'))).to.include('Referrers not allowed')
      expect(cleanContainerAcl('X-Container-Write', 'acct:user')).to.equal('acct:user')
    })
  })

  describe('parseContainerAcl (parse_acl)', () => {
    const table: [string | undefined, string[], string[]][] = [
      [undefined, [], []],
      ['', [], []],
      ['.r:ref1', ['ref1'], []],
      ['.r:-ref1', ['-ref1'], []],
      ['account:user', [], ['account:user']],
      ['account', [], ['account']],
      ['acc1,acc2:usr2,.r:ref3,.r:-ref4', ['ref3', '-ref4'], ['acc1', 'acc2:usr2']],
      [
        'acc1,acc2:usr2,.r:ref3,acc3,acc4:usr4,.r:ref5,.r:-ref6',
        ['ref3', 'ref5', '-ref6'],
        ['acc1', 'acc2:usr2', 'acc3', 'acc4:usr4'],
      ],
      ['caf%C3%A9,a%2', [], ['café', 'a%2']],
    ]
    for (const [input, referrers, groups] of table) {
      it(`parses ${JSON.stringify(input)}`, () => {
        expect(parseContainerAcl(input)).to.deep.equal({ referrers, groups })
      })
    }
    it('formats groups then referrers', () => {
      expect(formatContainerAcl({ groups: ['a', 'b:c'], referrers: ['*', '-x.com'] })).to.equal('a,b:c,.r:*,.r:-x.com')
    })
  })

  describe('referrerAllowed (referrer_allowed)', () => {
    const table: [string | undefined, string[] | undefined, boolean][] = [
      ['host', undefined, false],
      ['host', [], false],
      [undefined, ['*'], true],
      ['', ['*'], true],
      [undefined, ['specific.host'], false],
      ['', ['specific.host'], false],
      ['http://www.example.com/index.html', ['.example.com'], true],
      ['http://user@www.example.com/index.html', ['.example.com'], true],
      ['http://user:pass@www.example.com/index.html', ['.example.com'], true],
      ['http://www.example.com:8080/index.html', ['.example.com'], true],
      ['http://user@www.example.com:8080/index.html', ['.example.com'], true],
      ['http://user:pass@www.example.com:8080/index.html', ['.example.com'], true],
      ['http://user:pass@www.example.com:8080', ['.example.com'], true],
      ['http://www.example.com', ['.example.com'], true],
      ['http://WWW.Example.COM/', ['.example.com'], true],
      ['http://thief.example.com', ['.example.com', '-thief.example.com'], false],
      ['http://thief.example.com', ['*', '-thief.example.com'], false],
      ['http://www.example.com', ['.other.com', 'www.example.com'], true],
      ['http://www.example.com', ['-.example.com', 'www.example.com'], true],
      ['http://www.example.com', ['www.example.com', '-.example.com'], false],
      ['http://example.com', ['.example.com'], false],
      ['www.example.com', ['.example.com'], false],
      ['../index.html', ['.example.com'], false],
      ['www.example.com', ['*'], true],
    ]
    for (const [referer, acl, allowed] of table) {
      it(`${allowed ? 'allows' : 'denies'} ${JSON.stringify(referer)} for ${JSON.stringify(acl)}`, () => {
        expect(referrerAllowed(referer, acl)).to.equal(allowed)
      })
    }
  })

  describe('account ACLs (X-Account-Access-Control)', () => {
    it('parses the three tempauth keys', () => {
      expect(parseAccountAcl('{"admin":["alice"],"read-write":["bob","carol"],"read-only":["AUTH_x"]}')).to.deep.equal({
        admin: ['alice'],
        readWrite: ['bob', 'carol'],
        readOnly: ['AUTH_x'],
      })
      expect(parseAccountAcl('')).to.deep.equal({ admin: [], readWrite: [], readOnly: [] })
      expect(parseAccountAcl('{}')).to.deep.equal({ admin: [], readWrite: [], readOnly: [] })
    })
    const invalid: [string, string][] = [
      ['not json', 'Syntax error in input'],
      ['["admin"]', 'Syntax error in input'],
      ['"admin"', 'Syntax error in input'],
      ['{"admins":["a"]}', 'Key "admins" not recognized'],
      ['{"admin":"alice"}', 'Value for key "admin" must be a list'],
      ['{"read-only":[1]}', 'Elements of "read-only" list must be strings'],
    ]
    for (const [input, message] of invalid) {
      it(`rejects ${input} with "${message}"`, () => {
        expect(badRequest(() => parseAccountAcl(input))).to.include(message)
      })
    }
    it('formats as compact, key-sorted, ASCII-only JSON without empty lists', () => {
      const text = formatAccountAcl({ readWrite: ['bob', 'carol'], admin: ['alice'], readOnly: [] })
      expect(text).to.equal('{"admin":["alice"],"read-write":["bob","carol"]}')
      expect(formatAccountAcl({ readOnly: ['josé'] })).to.equal('{"read-only":["jos\\u00e9"]}')
      expect(parseAccountAcl(formatAccountAcl({ readOnly: ['josé', '😀'] })).readOnly).to.deep.equal(['josé', '😀'])
    })
  })
})
