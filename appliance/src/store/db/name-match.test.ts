import { expect } from 'chai'
import fc from 'fast-check'
import type { ObjectRow } from '../types.js'
import { tempDevice, ts, type TempDevice } from './test-helpers.js'

const A = 'AUTH_t'
const row = (name: string, n: number, deleted = false): ObjectRow => ({ name, timestamp: ts(n), size: deleted ? 0 : 3, contentType: 'text/plain', etag: deleted ? '' : `e${n}`, deleted })

/** Names whose case folding is not ASCII's: Kelvin sign → k, dotted capital I → i + U+0307, sigma, Latin-1, astral. */
const TRICKY = ['Report.PDF', 'kelvin.txt', '\u212Aelvin.txt', 'İstanbul.jpg', 'ΟΔΟΣ.txt', 'café/Été.png', '😀 smile.gif', 'a/b/c/deep.txt', 'zz']

describe('store/db search by name (keys only)', () => {
  let device: TempDevice
  beforeEach(async () => {
    device = await tempDevice()
  })
  afterEach(() => device.remove())

  /** Every live name containing the needle, as the listing-based search matched. */
  async function reference(container: string, needle: string): Promise<string[]> {
    const rows = await device.dbs.listObjects(A, container, { limit: 100_000 })
    return rows.flatMap((r) => ('name' in r && r.name.toLowerCase().includes(needle) ? [r.name] : []))
  }

  it('matches like toLowerCase().includes over live names only, in name order, and reads the matching rows', async () => {
    await device.dbs.putContainer(0, A, 'c', ts(1))
    await device.dbs.mergeObjectRows(A, 'c', TRICKY.map((name, i) => row(name, 10 + i)))
    await device.dbs.putObjectRow(A, 'c', row('zz', 100, true)) // deleted: never a hit
    for (const needle of ['k', 'kelvin', 'i̇stanbul', 'istanbul', 'οδος', 'été', '😀', '/', '.txt', 'zz', 'nothing']) {
      const page = await device.dbs.matchObjectNames(A, 'c', { needle, limit: 100, maxScanned: 100 })
      expect(page.rows.map((r) => r.name), needle).to.deep.equal(await reference('c', needle))
      expect(page.done).to.equal(true)
      expect(page.scanned).to.equal(TRICKY.length - 1)
    }
    const [hit] = (await device.dbs.matchObjectNames(A, 'c', { needle: 'report', limit: 1, maxScanned: 100 })).rows
    expect(hit).to.deep.include({ name: 'Report.PDF', size: 3, contentType: 'text/plain', etag: 'e10', timestamp: ts(10) })
  })

  it('stops at the limit or after maxScanned names and goes on after the marker', async () => {
    await device.dbs.putContainer(0, A, 'c', ts(1))
    await device.dbs.mergeObjectRows(A, 'c', Array.from({ length: 50 }, (_, i) => row(`f${String(i).padStart(2, '0')}${i % 5 === 0 ? '-hit' : ''}`, 10 + i)))
    const first = await device.dbs.matchObjectNames(A, 'c', { needle: 'hit', limit: 3, maxScanned: 1000 })
    expect(first.rows.map((r) => r.name)).to.deep.equal(['f00-hit', 'f05-hit', 'f10-hit'])
    expect(first).to.include({ last: 'f10-hit', done: false, scanned: 11 })
    const bounded = await device.dbs.matchObjectNames(A, 'c', { needle: 'hit', marker: first.last, limit: 100, maxScanned: 7 })
    expect(bounded.rows.map((r) => r.name)).to.deep.equal(['f15-hit'])
    expect(bounded).to.include({ last: 'f17', done: false, scanned: 7 })
    const rest = await device.dbs.matchObjectNames(A, 'c', { needle: 'hit', marker: bounded.last, limit: 100, maxScanned: 1000 })
    expect(rest.rows).to.have.length(6)
    expect(rest).to.include({ done: true, scanned: 32 })
  })

  it('reads names right in a database whose row prefix is not valid UTF-8 (ids 128 and up)', async function () {
    this.timeout(20_000)
    for (let i = 0; i < 200; i++) await device.dbs.putContainer(0, A, `c${i}`, ts(1))
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(129, 195, 199), fc.uniqueArray(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 30 }), fc.constantFrom('k', 'e', 'é', 'ı', '😀', '.'), async (c, names, needle) => {
        const container = `c${c}`
        await device.dbs.mergeObjectRows(A, container, names.map((name, i) => row(name, 1000 + i)))
        const page = await device.dbs.matchObjectNames(A, container, { needle, limit: 1000, maxScanned: 1000 })
        expect(page.rows.map((r) => r.name)).to.deep.equal(await reference(container, needle))
      }),
      { numRuns: 40 },
    )
  })

  it('answers not-found for a container that does not exist', async () => {
    try {
      await device.dbs.matchObjectNames(A, 'none', { needle: 'x', limit: 1, maxScanned: 1 })
      expect.fail('expected not-found')
    } catch (err) {
      expect((err as { kind?: string }).kind).to.equal('not-found')
    }
  })
})
