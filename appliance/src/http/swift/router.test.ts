import { expect } from 'chai'
import { isSwiftPath } from './router.js'

describe('http/swift/router (which paths the Swift surface answers)', () => {
  it('answers /v1, the auth paths, /info, /healthcheck and every version-like first segment', () => {
    for (const p of ['/v1', '/v1/', '/v1/AUTH_test/c/o', '/v1.0/AUTH_test', '/auth/v1.0', '/info', '/healthcheck', '/v2', '/v2/', '/v2/AUTH_test/c', '/v1.1/AUTH_test', '/v10/x']) {
      expect(isSwiftPath(p), p).to.equal(true)
    }
  })

  it("leaves the web app's routes and Keystone's /v3 alone", () => {
    for (const p of ['/', '/files', '/files/c/dir', '/api', '/api/session', '/s/tok', '/s/tok/file.txt', '/auth', '/auth/login', '/admin', '/admin/disks', '/shares', '/assets/index.js', '/favicon.ico', '/metrics', '/v3', '/v3/', '/v3/auth/tokens', '/video', '/vx/AUTH_test']) {
      expect(isSwiftPath(p), p).to.equal(false)
    }
  })
})
