/**
 * Access control and the features around it, end to end with real users (tempauth's SAIO
 * users: an owner, another account's admin, a non-admin user of the account, a reseller
 * admin, a user in the service group) on an appliance configured as the SAIO is
 * (reseller prefixes AUTH_ and SERVICE_, SERVICE_ requiring group "service", storage domain
 * example.net): container and account ACLs, service tokens, container and account quotas,
 * domain remap, and /info. The step table is shared with the differential test.
 */
import { expect } from 'chai'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { SAIO_LIKE_FLAGS, SAIO_USERS, STEPS, expected, observed, runStep, send, tokensAt, type Who } from './access-scenarios.js'

describe('Swift access: ACLs, service tokens, quotas, domain remap', function () {
  this.timeout(60_000)
  let v: TestAppliance
  let tokens: Record<Who, string | undefined>

  before(async () => {
    v = await startTestAppliance({ users: Object.values(SAIO_USERS), flags: SAIO_LIKE_FLAGS })
    tokens = await tokensAt(v.url)
  })
  after(() => v?.stop())

  describe('the step table', () => {
    for (const step of STEPS) {
      it(`${step.name} (${step.who} ${step.method} ${step.headers?.Host ?? ''}${step.path} → ${step.status})`, async () => {
        expect(observed(step, await runStep(v.url, tokens, step))).to.deep.equal(expected(step))
      })
    }
  })

  describe('beyond the table', () => {
    const owner = () => ({ 'X-Auth-Token': tokens.owner! })

    it('container quotas count what the container already holds', async () => {
      expect((await send(v.url, 'PUT', '/v1/AUTH_test/qq', { ...owner(), 'X-Container-Meta-Quota-Bytes': '10', 'X-Container-Meta-Quota-Count': '2' })).status).to.equal(201)
      expect((await send(v.url, 'PUT', '/v1/AUTH_test/qq/a', owner(), '123456')).status).to.equal(201)
      const over = await send(v.url, 'PUT', '/v1/AUTH_test/qq/b', owner(), '12345')
      expect([over.status, over.body]).to.deep.equal([413, 'Upload exceeds quota.'])
      expect((await send(v.url, 'PUT', '/v1/AUTH_test/qq/b', owner(), '1234')).status).to.equal(201)
      const count = await send(v.url, 'PUT', '/v1/AUTH_test/qq/c', owner(), '')
      expect([count.status, count.body]).to.deep.equal([413, 'Upload exceeds quota.'])
      const copy = await send(v.url, 'COPY', '/v1/AUTH_test/qq/a', { ...owner(), Destination: 'qq/d' })
      expect(copy.status).to.equal(413)
    })

    it('account quota counts what the account already holds', async () => {
      const used = Number((await send(v.url, 'HEAD', '/v1/AUTH_test', owner())).headers['x-account-bytes-used'])
      expect(used).to.be.greaterThan(0)
      const set = await send(v.url, 'POST', '/v1/AUTH_test', { 'X-Auth-Token': tokens.reseller!, 'X-Account-Meta-Quota-Bytes': String(used + 2) })
      expect(set.status).to.equal(204)
      expect((await send(v.url, 'PUT', '/v1/AUTH_test/priv/two', owner(), 'ab')).status).to.equal(201)
      const over = await send(v.url, 'PUT', '/v1/AUTH_test/priv/one', owner(), 'a')
      expect([over.status, over.body]).to.deep.equal([413, 'Upload exceeds quota.'])
      expect((await send(v.url, 'POST', '/v1/AUTH_test', { 'X-Auth-Token': tokens.reseller!, 'X-Account-Meta-Quota-Bytes': '' })).status).to.equal(204)
      expect((await send(v.url, 'PUT', '/v1/AUTH_test/priv/one', owner(), 'a')).status).to.equal(201)
    })

    it('a chunked upload counts as zero bytes against the quota, as Swift', async () => {
      expect((await send(v.url, 'PUT', '/v1/AUTH_test/qc', { ...owner(), 'X-Container-Meta-Quota-Bytes': '1' })).status).to.equal(201)
      const r = await send(v.url, 'PUT', '/v1/AUTH_test/qc/o', { ...owner(), 'Transfer-Encoding': 'chunked' })
      expect(r.status).to.equal(201)
    })

    it('a token from a removed user is 401 even on a public container', async () => {
      await v.app.users.add({ account: 'gone', user: 'u', key: 'k', admin: true })
      const t = await v.auth({ account: 'gone', user: 'u', key: 'k' })
      await v.app.users.remove('gone', 'u')
      await v.app.users.reload()
      expect((await send(v.url, 'GET', '/v1/AUTH_test/pub/o', { 'X-Auth-Token': t.token })).status).to.equal(401)
    })

    it('/info publishes tempauth, container_quotas, account_quotas and domain_remap as Swift', async () => {
      const info = JSON.parse((await send(v.url, 'GET', '/info', {})).body) as Record<string, unknown>
      expect(info.tempauth).to.deep.equal({ account_acls: true })
      expect(info.container_quotas).to.deep.equal({})
      expect(info.account_quotas).to.deep.equal({})
      expect(info.domain_remap).to.deep.equal({ default_reseller_prefix: null })
    })
  })
})

describe('Swift access: defaults', function () {
  this.timeout(60_000)
  it('without a storage domain there is no remap and no domain_remap in /info', async () => {
    const v = await startTestAppliance()
    try {
      const info = JSON.parse((await send(v.url, 'GET', '/info', {})).body) as Record<string, unknown>
      expect(info).to.not.have.property('domain_remap')
      expect(info).to.have.property('container_quotas')
      const { token } = await v.auth()
      expect((await send(v.url, 'PUT', '/v1/AUTH_test/c', { 'X-Auth-Token': token, 'X-Container-Read': '.r:*' })).status).to.equal(201)
      expect((await send(v.url, 'PUT', '/v1/AUTH_test/c/o', { 'X-Auth-Token': token }, 'remapped?')).status).to.equal(201)
      const r = await send(v.url, 'GET', '/o', { Host: 'c.AUTH-test.example.net' })
      expect(r.body).to.not.equal('remapped?')
      expect((await send(v.url, 'GET', '/v1/SERVICE_test', { 'X-Auth-Token': token })).status).to.equal(403)
    } finally {
      await v.stop()
    }
  })
})
