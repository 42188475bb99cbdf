import { expect } from 'chai'
import { createSocket } from 'node:dgram'
import { VeloxError } from '../errors.js'
import { ntpAnswer, queryNtp } from '../lib/sntp.js'
import { SetupCode, normaliseCode } from './setup-code.js'

function kindOf(fn: () => void): string | undefined {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as VeloxError).kind
  }
}

describe('setup/setup-code', () => {
  it('makes a 12-character code that is accepted however it is typed', () => {
    const c = new SetupCode()
    expect(c.code).to.match(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/)
    expect(kindOf(() => c.check(c.code.toLowerCase().replace(/-/g, ' '), 'a'))).to.equal(undefined)
    expect(normaliseCode('ab-IL o')).to.equal('AB110')
  })

  it('rate-limits wrong codes per client and in total, then lets the client try again after the window', () => {
    let now = 0
    const c = new SetupCode({ perClient: 3, total: 5, windowMs: 60_000, nowMs: () => now })
    for (let i = 0; i < 3; i++) expect(kindOf(() => c.check('WRONG', '10.0.0.1'))).to.equal('unauthorized')
    try {
      c.check(c.code, '10.0.0.1')
      expect.fail('a blocked client was let in')
    } catch (err) {
      expect((err as VeloxError).kind).to.equal('forbidden')
      expect((err as Error).message).to.match(/too many failed setup codes; try again in 60 s/)
    }
    for (let i = 0; i < 2; i++) expect(kindOf(() => c.check('WRONG', `10.0.1.${i}`))).to.equal('unauthorized')
    expect(kindOf(() => c.check(c.code, '10.0.2.1'))).to.equal('forbidden') // everyone's budget is spent
    now = 61_000
    expect(kindOf(() => c.check(c.code, '10.0.0.1'))).to.equal(undefined)
  })

  it('dies when setup completes', () => {
    const c = new SetupCode()
    c.expire()
    expect(c.alive).to.equal(false)
    expect(kindOf(() => c.check(c.code, 'a'))).to.equal('not-found')
  })
})

describe('lib/sntp', () => {
  it('measures the offset to a local NTP server and times out on a silent one', async () => {
    const server = createSocket('udp4')
    server.on('message', (_m, r) => server.send(ntpAnswer(Date.now() - 5000), r.port, r.address))
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()))
    const silent = createSocket('udp4')
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()))
    try {
      const s = await queryNtp(`127.0.0.1:${server.address().port}`)
      expect(s.offsetMs).to.be.within(-5500, -4500)
      const err = await queryNtp(`127.0.0.1:${silent.address().port}`, 300).catch((e: Error) => e)
      expect(String(err)).to.match(/no answer .* in 300 ms/)
    } finally {
      server.close()
      silent.close()
    }
  })
})
