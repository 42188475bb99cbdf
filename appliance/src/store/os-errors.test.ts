/** The errno → ErrorKind table of store/os-errors.ts. */
import { expect } from 'chai'
import { VeloxError } from '../errors.js'
import { errnoCode, osErrorKind, translateOsError } from './os-errors.js'

function osError(code: string, errno?: number): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code, ...(errno === undefined ? {} : { errno }) })
}

describe('store/os-errors', () => {
  const table: Array<[string, string]> = [
    ['ENOSPC', 'insufficient-storage'],
    ['EDQUOT', 'insufficient-storage'],
    ['EIO', 'unavailable'],
    ['EROFS', 'unavailable'],
    ['EACCES', 'unavailable'],
    ['EPERM', 'unavailable'],
    ['EUCLEAN', 'unavailable'],
    ['EMFILE', 'internal'],
    ['ENOENT', 'internal'],
  ]
  for (const [code, kind] of table) {
    it(`${code} becomes ${kind}`, () => {
      const err = translateOsError(osError(code), 'write object', 'sdb1')
      expect(err).to.be.instanceOf(VeloxError)
      expect(err.kind).to.equal(kind)
      expect(err.detail).to.deep.equal({ code, device: 'sdb1' })
    })
  }

  it('never turns a permission error into insufficient-storage', () => {
    for (const code of ['EACCES', 'EPERM']) expect(osErrorKind(osError(code))).to.not.equal('insufficient-storage')
  })

  it('reads the errno number when the code is empty (fs-xattr and unusual errnos)', () => {
    expect(errnoCode(Object.assign(new Error('x'), { code: '', errno: 117 }))).to.equal('EUCLEAN')
    expect(osErrorKind(Object.assign(new Error('x'), { code: '', errno: -28 }))).to.equal('insufficient-storage')
  })

  it('passes VeloxErrors through unchanged', () => {
    const original = new VeloxError('conflict', 'newer exists')
    expect(translateOsError(original, 'put')).to.equal(original)
  })
})
