/**
 * Differential test of access control against a real Swift 2.30 (harness/saio.ts): the
 * step table of access-scenarios.ts (container ACLs, 401 vs 403, account ACLs, service
 * tokens, quotas, domain remap) runs in order on the appliance (configured as the SAIO's
 * tempauth: reseller prefixes AUTH and SERVICE, SERVICE requiring group "service", storage
 * domain example.net) and on the SAIO; each step must observe the same status, bodies and
 * headers on both, and what the table says.
 */
import { expect } from 'chai'
import { saioUnavailableReason, startSaio, type Saio } from '../harness/saio.js'
import { startTestAppliance, type TestAppliance } from '../harness/test-appliance.js'
import { SAIO_LIKE_FLAGS, SAIO_USERS, STEPS, expected, observed, runStep, send, tokensAt, type Who } from './access-scenarios.js'

describe('Swift access parity with a real Swift (SAIO)', function () {
  this.timeout(240_000)
  let v: TestAppliance
  let saio: Saio
  let veloxTokens: Record<Who, string | undefined>
  let saioTokens: Record<Who, string | undefined>

  before(async function () {
    const why = saioUnavailableReason()
    if (why) {
      console.log(`    (skipped: ${why})`)
      this.skip()
    }
    ;[v, saio] = await Promise.all([startTestAppliance({ users: Object.values(SAIO_USERS), flags: SAIO_LIKE_FLAGS }), startSaio()])
    ;[veloxTokens, saioTokens] = await Promise.all([tokensAt(v.url), tokensAt(saio.url)])
  })
  after(async () => {
    await Promise.all([v?.stop(), saio?.stop()])
  })

  for (const step of STEPS) {
    it(`${step.name} (${step.who} ${step.method} ${step.path})`, async () => {
      const [mine, theirs] = await Promise.all([runStep(v.url, veloxTokens, step), runStep(saio.url, saioTokens, step)])
      expect(observed(step, mine), 'Velox vs Swift').to.deep.equal(observed(step, theirs))
      expect(observed(step, theirs), 'Swift vs the table').to.deep.equal(expected(step))
    })
  }

  it('/info has the same tempauth, quota and domain_remap sections', async () => {
    const sections = ['tempauth', 'container_quotas', 'account_quotas', 'domain_remap']
    const pick = (body: string) => {
      const info = JSON.parse(body) as Record<string, unknown>
      return Object.fromEntries(sections.map((k) => [k, info[k]]))
    }
    const [mine, theirs] = await Promise.all([send(v.url, 'GET', '/info', {}), send(saio.url, 'GET', '/info', {})])
    expect(pick(mine.body)).to.deep.equal(pick(theirs.body))
  })
})
