import { expect } from 'chai'
import { randomBytes } from 'node:crypto'
import { BlockCrc, CRC_BLOCK_BYTES, crcOf, decodeBlockCrcs } from './block-crc.js'

describe('BlockCrc', () => {
  it('gives one CRC32 per 1 MiB block whatever the chunking, the last block short', () => {
    const body = randomBytes(3 * CRC_BLOCK_BYTES + 12345)
    const whole = new BlockCrc()
    whole.update(body)
    const odd = new BlockCrc()
    for (let at = 0; at < body.length; at += 65_537) odd.update(body.subarray(at, at + 65_537))
    expect(odd.digest()).to.equal(whole.digest())
    const crcs = decodeBlockCrcs(whole.digest(), body.length) as Uint32Array
    expect(crcs).to.have.length(4)
    for (let i = 0; i < 4; i++) expect(crcs[i]).to.equal(crcOf(body.subarray(i * CRC_BLOCK_BYTES, (i + 1) * CRC_BLOCK_BYTES)))
  })

  it('keeps nothing for a body of one block or less, and refuses a list of the wrong length', () => {
    const one = new BlockCrc()
    one.update(randomBytes(CRC_BLOCK_BYTES))
    expect(one.digest()).to.equal(undefined)
    const two = new BlockCrc()
    two.update(randomBytes(CRC_BLOCK_BYTES + 1))
    expect(decodeBlockCrcs(two.digest(), 3 * CRC_BLOCK_BYTES)).to.equal(undefined)
    expect(decodeBlockCrcs(undefined, 10)).to.equal(undefined)
  })
})
