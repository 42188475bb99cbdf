import { expect } from 'chai'
import { ERROR_KINDS, VeloxError } from '../errors.js'
import { REASONS, STATUS_OF, swiftErrorResponse } from './error-response.js'

describe('error-response', () => {
  it('maps every error kind to a status with a Swift reason phrase', () => {
    for (const kind of ERROR_KINDS) {
      const status = STATUS_OF[kind]
      expect(status, kind).to.be.a('number')
      expect(REASONS[status], `${kind} → ${status}`).to.be.an('array')
    }
  })

  it('never shows a 5xx message to the client', () => {
    const r = swiftErrorResponse(new VeloxError('internal', 'disk /dev/sdb exploded', { explain: true }))
    expect(r.status).to.equal(500)
    expect(r.body).not.to.contain('sdb')
  })

  it('sends clients 503, not 507, when storage is full', () => {
    expect(swiftErrorResponse(new VeloxError('insufficient-storage', 'full')).status).to.equal(503)
  })

  it('uses the plain explanation for 4xx errors that carry one', () => {
    const r = swiftErrorResponse(new VeloxError('bad-request', 'Metadata name too long', { explain: true }))
    expect(r).to.include({ status: 400, body: 'Metadata name too long' })
  })
})
