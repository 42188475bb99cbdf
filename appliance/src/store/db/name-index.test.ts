import { expect } from 'chai'
import fc from 'fast-check'
import type { ObjectRow } from '../types.js'
import { compareNames } from './keys.js'
import { indexable, NameIndex, NameIndexBuilder, NameIndexCache } from './name-index.js'
import { tempDevice, ts, type TempDevice } from './test-helpers.js'

const A = 'AUTH_t'
const row = (name: string, n: number, deleted = false): ObjectRow => ({ name, timestamp: ts(n), size: 3, contentType: 'text/plain', etag: deleted ? '' : `e${n}`, deleted })

/** What the keys-only scan answers (name-match.ts), computed plainly over sorted names. */
function scanAnswer(names: string[], needle: string, marker: string | undefined, limit: number, maxScanned: number) {
  const from = marker === undefined ? names : names.filter((n) => compareNames(n, marker) > 0)
  const hits: string[] = []
  let last: string | undefined
  for (const n of from.slice(0, maxScanned)) {
    last = n
    if (n.toLowerCase().includes(needle)) hits.push(n)
    if (hits.length >= limit) break
  }
  return { hits, last }
}

describe('store/db name index (search from memory)', () => {
  it('answers exactly as the scan: order, marker, limit, bound, any case, never across two names', () => {
    const name = fc.oneof(fc.constantFrom('ab', 'cd', 'ABC', 'İx', '\u212Aey', 'ΟΔΟΣ', 'é/É', '😀x', 'a\nb'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 5 }))
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 40 }), fc.constantFrom('b', 'bc', 'abc', 'i̇', 'k', 'ς', 'σ', 'é', '😀', 'x', '\n'), fc.nat(45), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 50 }), (raw, needle, at, limit, maxScanned) => {
        const names = [...raw].sort(compareNames)
        const marker = at < names.length ? names[at] : undefined
        // Built in two batches, one of which may need lower-casing name by name (İ).
        const builder = new NameIndexBuilder(1 + (at % 7))
        builder.add(names.slice(0, at % (names.length + 1)))
        builder.add(names.slice(at % (names.length + 1)))
        const got = builder.finish(1).match({ needle, marker, limit, maxScanned })
        const want = scanAnswer(names, needle, marker, limit, maxScanned)
        expect(got.names).to.deep.equal(want.hits)
        expect(got.last).to.equal(want.last)
      }),
      { numRuns: 500 },
    )
    expect(NameIndex.of(1, ['ab', 'cd']).match({ needle: 'bc', limit: 9, maxScanned: 9 }).names).to.deep.equal([])
  })

  it('is brought up to date by changes as if built anew, over many chunks', () => {
    const name = fc.oneof(fc.constantFrom('a', 'b', 'c', 'İ', 'ΟΔΟΣ', 'é'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }))
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 40 }), fc.array(fc.record({ name, live: fc.boolean() }), { maxLength: 30 }), fc.integer({ min: 1, max: 5 }), (raw, changes, chunk) => {
        const names = [...raw].sort(compareNames)
        const index = NameIndex.of(1, names, chunk)
        // (the change log holds each name once)
        const once = [...new Map(changes.map((c) => [c.name, c])).values()]
        index.apply(9, once)
        const now = new Set(names)
        for (const c of once) if (c.live) now.add(c.name)
        else now.delete(c.name)
        const want = [...now].sort(compareNames)
        expect(index.seq).to.equal(9)
        expect(index.size).to.equal(want.length)
        for (const needle of ['', 'a', 'ı', 'σ', 'é']) {
          const m = { needle, limit: 1000, maxScanned: 1000 }
          if (needle) expect(index.match(m).names, needle).to.deep.equal(NameIndex.of(1, want, chunk).match(m).names)
        }
        expect(index.match({ needle: '\u0000', marker: want[0], limit: 1, maxScanned: 1000 }).last).to.equal(want.length > 1 ? want[want.length - 1] : undefined)
      }),
      { numRuns: 300 },
    )
  })

  it('keeps at most its number of names, least recently used out', () => {
    const cache = new NameIndexCache(5)
    cache.put('1', NameIndex.of(7, ['a', 'b', 'c']))
    expect(cache.get('1')?.size).to.equal(3)
    cache.put('2', NameIndex.of(3, ['x', 'y', 'z']))
    expect(cache.get('1'), 'least recently used out').to.equal(undefined)
    expect(cache.get('2')?.seq).to.equal(3)
  })

  it('lets go of an index nobody searched for 15 minutes', () => {
    let now = 0
    const cache = new NameIndexCache(100, () => now)
    cache.put('a:1', NameIndex.of(1, ['a', 'b']))
    cache.put('b:1', NameIndex.of(1, ['c']))
    now = 10 * 60_000
    expect(cache.get('a:1')?.size).to.equal(2)
    now = 16 * 60_000
    cache.sweep()
    expect(cache.get('b:1'), 'unused since 0').to.equal(undefined)
    expect(cache.get('a:1')?.size, 'used at 10 min').to.equal(2)
    expect(cache.size).to.equal(2)
    now = 40 * 60_000
    cache.sweep()
    expect(cache.size).to.equal(0)
  })

  describe('in a container database', () => {
    let device: TempDevice
    before(async function () {
      this.timeout(60_000)
      device = await tempDevice()
      await device.dbs.putContainer(0, A, 'big', ts(1))
      expect(indexable(50_000)).to.equal(true)
      for (let i = 0; i < 50_000; i += 10_000) await device.dbs.mergeObjectRows(A, 'big', Array.from({ length: 10_000 }, (_, k) => row(`f${String(i + k).padStart(6, '0')}${(i + k) % 9999 === 0 ? '-Hit' : ''}`, 10 + i + k)))
    })
    after(() => device?.remove())

    it('searches a large container from its index and sees every change at once', async function () {
      this.timeout(30_000)
      const find = async () => (await device.dbs.matchObjectNames(A, 'big', { needle: 'hit', limit: 100, maxScanned: 1e9 })).rows.map((r) => r.name)
      const first = await find() // (a scan, while the index is built)
      expect(first).to.have.length(6)
      await device.dbs.nameIndexesBuilt()
      expect(await find(), 'from the index').to.deep.equal(first)
      await device.dbs.putObjectRow(A, 'big', row('new-HIT.txt', 1_000_000))
      await device.dbs.putObjectRow(A, 'big', row(first[0], 1_000_001, true))
      expect(await find()).to.deep.equal([...first.slice(1), 'new-HIT.txt'].sort(compareNames))
      const [hit] = (await device.dbs.matchObjectNames(A, 'big', { needle: 'new-hit', limit: 1, maxScanned: 1e9 })).rows
      expect(hit).to.deep.include({ name: 'new-HIT.txt', etag: 'e1000000', size: 3 })
    })
  })
})
