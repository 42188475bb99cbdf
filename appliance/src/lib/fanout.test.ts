import { expect } from 'chai'
import { fanout } from './fanout.js'

async function* chunks(n: number, fail = -1) {
  for (let i = 0; i < n; i++) {
    if (i === fail) throw new Error('source broke')
    await new Promise((r) => setImmediate(r))
    yield Buffer.from([i])
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = []
  for await (const c of it) out.push(c[0])
  return out
}

describe('fanout', () => {
  it('delivers every chunk, in order, to every branch', async () => {
    const got = await Promise.all(fanout(chunks(100), 3, 4).map(collect))
    for (const g of got) expect(g).to.deep.equal([...Array(100).keys()])
  })

  it('lets the other branches finish when one stops early', async () => {
    const [a, b] = fanout(chunks(50), 2, 2)
    const early = (async () => {
      for await (const c of a) if (c[0] === 3) break
    })()
    const [, rest] = await Promise.all([early, collect(b)])
    expect(rest).to.have.length(50)
  })

  it('delivers a source failure to every branch', async () => {
    const results = await Promise.allSettled(fanout(chunks(10, 5), 3).map(collect))
    for (const r of results) expect(r.status).to.equal('rejected')
  })

  it('shows every source chunk to observe once, in order, before a branch gets it', async () => {
    const seen: number[] = []
    const branches = fanout(chunks(40), 3, 4, (c) => seen.push(c[0]))
    const got = await Promise.all(
      branches.map(async (b) => {
        const out: number[] = []
        for await (const c of b) {
          expect(seen).to.include(c[0])
          out.push(c[0])
        }
        return out
      }),
    )
    expect(seen).to.deep.equal([...Array(40).keys()])
    for (const g of got) expect(g).to.deep.equal(seen)
  })
})
