import { expect } from 'chai'
import { headerFromWire, headerToWire, metaFromWire } from './header-bytes.js'

/** A Unicode string as Node's parser hands its UTF-8 bytes over: one latin-1 character per byte. */
const wire = (s: string) => Buffer.from(s, 'utf8').toString('latin1')

describe('http/swift/header-bytes (UTF-8 header values at the Swift edge)', () => {
  it('decodes UTF-8 bytes of a request header and leaves ASCII alone', () => {
    for (const s of ['plain', 'Zürich', '日本語 😀', 'quelle-ü/ö.txt']) expect(headerFromWire(wire(s))).to.equal(s)
  })

  it('keeps bytes that are not UTF-8 as they came', () => {
    expect(headerFromWire('caf\xe9')).to.equal('caf\xe9')
  })

  it('encodes a response header as its UTF-8 bytes, and round-trips', () => {
    for (const s of ['plain', 'Zürich', 'é', '日本語 😀']) {
      expect(Buffer.from(headerToWire(s), 'latin1').toString('utf8')).to.equal(s)
      expect(headerFromWire(headerToWire(s))).to.equal(s)
    }
  })

  it('keeps metadata bytes that are not UTF-8 through JSON and sends them back as they came', () => {
    for (const w of ['caf\xe9', 'a\xffb\xc3', `${wire('Zürich')}\xe9\x80`, '\xed\xa0\x80']) {
      const stored = JSON.parse(JSON.stringify(metaFromWire(w))) as string
      expect(headerToWire(stored)).to.equal(w)
    }
    expect(metaFromWire(wire('Zürich'))).to.equal('Zürich')
  })

  it('sends a value stored in wire form (before decoding was done here) unchanged', () => {
    expect(headerToWire(wire('Zürich'))).to.equal(wire('Zürich'))
  })
})
