import { expect } from 'chai'
import { compareNames, recordKey, rowKey, ROW_LIVE, seqKey, successor, utf8 } from './keys.js'
import { compareCodePoints } from './listing-model.js'

describe('store/db keys', () => {
  it('orders names as UTF-8 bytes, not as JavaScript UTF-16 strings', () => {
    const astral = '\u{1F600}' // 😀, UTF-16 surrogates D83D DE00
    const privateUse = '\uE000'
    expect(astral < privateUse).to.equal(true) // JavaScript's order: wrong for Swift
    expect(compareNames(astral, privateUse)).to.be.greaterThan(0)
    expect(Buffer.compare(rowKey(1, ROW_LIVE, astral), rowKey(1, ROW_LIVE, privateUse))).to.be.greaterThan(0)
    expect(compareCodePoints(astral, privateUse)).to.be.greaterThan(0)
  })

  it('sorts a mixed set the way code points do', () => {
    const names = ['z', '\uFFFD', '\u{10000}', 'é', 'a/b', 'a', '\uE000x', '\u{1F600}', 'a0', 'a.']
    const byBytes = [...names].sort((a, b) => Buffer.compare(rowKey(7, ROW_LIVE, a), rowKey(7, ROW_LIVE, b)))
    expect(byBytes).to.deep.equal([...names].sort(compareCodePoints))
  })

  it('keeps rows of one database apart from the next database', () => {
    const last = rowKey(1, ROW_LIVE, '\u{10FFFF}\u{10FFFF}')
    expect(Buffer.compare(last, rowKey(2, ROW_LIVE, ''))).to.be.lessThan(0)
  })

  it('successor bounds exactly the strings with a prefix', () => {
    expect(successor(utf8('ab'))).to.deep.equal(utf8('ac'))
    expect(successor(Buffer.from([0x61, 0xff, 0xff]))).to.deep.equal(Buffer.from([0x62]))
    expect(successor(Buffer.from([0xff]))).to.equal(undefined)
    const s = successor(utf8('a\u00FF')) as Buffer // C3 BF → C3 C0: above every "aÿ…", below "a\u0100"
    expect(Buffer.compare(utf8('a\u00FF\u{10FFFF}'), s)).to.be.lessThan(0)
    expect(Buffer.compare(s, utf8('a\u0100'))).to.be.lessThan(0)
  })

  it('separates account and container records and orders sequences numerically', () => {
    expect(recordKey('account', 'a', '').equals(recordKey('container', 'a', ''))).to.equal(false)
    expect(recordKey('container', 'ab', 'c').equals(recordKey('container', 'a', 'bc'))).to.equal(false)
    expect(Buffer.compare(seqKey(3, 255), seqKey(3, 256))).to.be.lessThan(0)
    expect(Buffer.compare(seqKey(3, 2 ** 40), seqKey(4, 0))).to.be.lessThan(0)
  })
})
