import { expect } from 'chai'
import { isVeloxError } from '../errors.js'
import { DomainRemap } from './domain-remap.js'

describe('domain remap (domain_remap.py rules)', () => {
  const remap = new DomainRemap({ storageDomain: ['example.net', '.example.org'] })
  const table: Array<[string, string, string | undefined]> = [
    ['c.AUTH-test.example.net', '/o', '/v1/AUTH_test/c/o'],
    ['c.AUTH_test.example.net', '/', '/v1/AUTH_test/c/'],
    ['auth-test.example.net', '/c/o', '/v1/AUTH_test/c/o'],
    ['Auth_test.example.net:8080', '/c', '/v1/AUTH_test/c'],
    ['AUTH-te-st.example.org', '/c', '/v1/AUTH_te-st/c'],
    ['test.example.net', '/c', undefined], // no reseller prefix, no default: left alone
    ['example.net', '/c', undefined],
    ['c.AUTH-test.other.net', '/o', undefined],
  ]
  for (const [host, path, want] of table) {
    it(`${host} ${path} → ${want ?? 'unchanged'}`, () => expect(remap.remap(host, path)).to.equal(want))
  }

  it('refuses more than container.account with 400', () => {
    try {
      remap.remap('a.b.AUTH-test.example.net', '/')
      expect.fail('no error')
    } catch (err) {
      expect(isVeloxError(err, 'bad-request') && err.message).to.equal('Bad domain in host header')
    }
  })

  it('gives the default reseller prefix to a bare account, and is off without storage domains', () => {
    expect(new DomainRemap({ storageDomain: ['example.net'], defaultResellerPrefix: 'AUTH' }).remap('test.example.net', '/c')).to.equal('/v1/AUTH_test/c')
    const off = new DomainRemap({ storageDomain: [] })
    expect([off.enabled, off.remap('c.AUTH-test.example.net', '/o')]).to.deep.equal([false, undefined])
  })
})
