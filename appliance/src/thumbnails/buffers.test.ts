/**
 * Source buffers: reused from the pool (the smallest that fits), a body read whole into one,
 * and a body longer or shorter than its metadata says refused with the buffer handed back.
 */
import { expect } from 'chai'
import { Readable } from 'node:stream'
import { BufferPool, readWhole } from './buffers.js'

const body = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)))

describe('thumbnails/buffers', () => {
  it('hands back the smallest kept buffer that fits, and keeps a bounded number', () => {
    const pool = new BufferPool({ maxFree: 2, maxKeptBytes: 8 * 1024 * 1024 })
    const small = pool.take(10)
    const big = pool.take(3 * 1024 * 1024)
    expect(small.length).to.equal(1024 * 1024)
    expect(big.length).to.equal(3 * 1024 * 1024)
    pool.give(big)
    pool.give(small)
    expect(pool.take(100)).to.equal(small)
    expect(pool.take(2 * 1024 * 1024)).to.equal(big)
    pool.give(pool.take(1))
    pool.give(pool.take(1))
    pool.give(pool.take(1))
    expect(pool.kept).to.be.at.most(2)
    pool.give(Buffer.alloc(9 * 1024 * 1024))
    expect(pool.kept).to.be.at.most(2)
    pool.clear()
    expect(pool.kept).to.equal(0)
  })

  it('reads a body whole into a pooled buffer', async () => {
    const pool = new BufferPool({ maxFree: 4, maxKeptBytes: 8 * 1024 * 1024 })
    const { buffer, bytes } = await readWhole(body('hello ', 'world'), 11, pool)
    expect(bytes.toString()).to.equal('hello world')
    expect(bytes.buffer).to.equal(buffer.buffer)
    pool.give(buffer)
    expect(pool.kept).to.equal(1)
  })

  it('refuses a body longer or shorter than its size, giving the buffer back', async () => {
    const pool = new BufferPool({ maxFree: 4, maxKeptBytes: 8 * 1024 * 1024 })
    let err: Error | undefined
    await readWhole(body('hello ', 'world'), 8, pool).catch((e: Error) => (err = e))
    expect(err?.message).to.match(/more than the 8 bytes/)
    await readWhole(body('hello'), 8, pool).catch((e: Error) => (err = e))
    expect(err?.message).to.match(/has 5 bytes, its metadata says 8/)
    expect(pool.kept).to.equal(1)
  })
})
