import { expect } from 'chai'
import { tempDevice, ts, type TempDevice } from '../store/db/test-helpers.js'
import type { ObjectRow } from '../store/types.js'
import { NameSearch, type SearchResult } from './name-search.js'

const A = 'AUTH_t'
const row = (name: string, n: number, extra: Partial<ObjectRow> = {}): ObjectRow => ({ name, timestamp: ts(n), size: 5, contentType: 'image/jpeg', etag: `e${n}`, deleted: false, ...extra })

describe('search by name (substring over names only)', () => {
  let device: TempDevice
  const all = { canRead: () => true }
  const names = (r: SearchResult) => r.hits.map((h) => `${h.container}/${h.name}`)

  beforeEach(async () => {
    device = await tempDevice()
    await device.dbs.putAccount(0, A, ts(1))
    const containers: Record<string, ObjectRow[]> = {
      a: [row('Beach-1.jpg', 1), row('city.jpg', 2), row('beach-2.jpg', 3)],
      b: [row('big-BEACH.mov', 4, { size: 0, contentType: 'video/mp4;swift_bytes=3000000000', etag: 'e4' }), row('gone-beach.jpg', 5)],
      c: Array.from({ length: 30 }, (_, i) => row(`n${String(i).padStart(2, '0')}${i % 10 === 3 ? '-beach' : ''}`, 10 + i)),
      private: [row('beach-secret.jpg', 6)],
      '\u0000versions': [row('beach-old.jpg', 7)],
    }
    for (const [c, rows] of Object.entries(containers)) {
      await device.dbs.putContainer(0, A, c, ts(1))
      await device.dbs.mergeObjectRows(A, c, rows)
      await device.dbs.putContainerRow(A, { name: c, putTimestamp: ts(1), deleteTimestamp: '0', objectCount: rows.length, bytesUsed: 0, deleted: false })
    }
    await device.dbs.putObjectRow(A, 'b', row('gone-beach.jpg', 50, { deleted: true, size: 0, etag: '' }))
  })
  afterEach(() => device.remove())

  it('finds in any case across readable containers, skipping deleted rows and hidden containers, with large-object sizes', async () => {
    const r = await new NameSearch(device.dbs).search(A, 'BeAcH', { mode: 'substring', limit: 100, canRead: (c) => c !== 'private' })
    expect(names(r)).to.deep.equal(['a/Beach-1.jpg', 'a/beach-2.jpg', 'b/big-BEACH.mov', 'c/n03-beach', 'c/n13-beach', 'c/n23-beach'])
    expect(r.hits[2]).to.deep.include({ bytes: 3_000_000_000, contentType: 'video/mp4' })
    expect(r).to.include({ complete: true, scanned: 3 + 1 + 30 })
  })

  it('goes on from where it stopped (limit, then a scan bound) and ends with the same hits as one search', async () => {
    const search = new NameSearch(device.dbs)
    const whole = await search.search(A, 'beach', { mode: 'substring', limit: 100, ...all })
    const got: string[] = []
    let resume: SearchResult['resume']
    let rounds = 0
    for (;;) {
      const r = await search.search(A, 'beach', { mode: 'substring', limit: 2, maxScanned: 7, resume, ...all })
      got.push(...names(r))
      rounds++
      if (r.complete) break
      resume = r.resume
    }
    expect(got).to.deep.equal(names(whole))
    expect(rounds).to.be.greaterThan(3)
  })

  it('stops when the time budget is spent and says where', async () => {
    let clock = 0
    const r = await new NameSearch(device.dbs, () => (clock += 1000)).search(A, 'beach', { mode: 'substring', limit: 100, budgetMs: 1500, ...all })
    expect(r.complete).to.equal(false)
    // (the clock is read once per slice of names: container a is read whole, b not begun)
    expect(r.resume).to.deep.equal({ container: 'b', marker: '' })
    expect(names(r)).to.deep.equal(['a/Beach-1.jpg', 'a/beach-2.jpg'])
    const rest = await new NameSearch(device.dbs).search(A, 'beach', { mode: 'substring', limit: 100, resume: r.resume, ...all })
    expect(names(rest)[0]).to.equal('b/big-BEACH.mov')
  })

  it('keeps prefix search on the key range', async () => {
    const r = await new NameSearch(device.dbs).search(A, 'n1', { mode: 'prefix', limit: 3, ...all })
    expect(names(r)).to.deep.equal(['c/n10', 'c/n11', 'c/n12'])
    expect(r).to.deep.include({ complete: false, scanned: 3, resume: { container: 'c', marker: 'n12' } })
  })
})
