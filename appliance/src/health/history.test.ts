import { expect } from 'chai'
import type { StateDb } from '../store/state-db.js'
import { tempStateDb } from '../../test/harness/health-fixtures.js'
import { History } from './history.js'

const T0 = Date.UTC(2026, 0, 5)

describe('health/history: downsampled tiers of fixed size', () => {
  let db: StateDb
  tempStateDb((d) => (db = d))

  const count = async (prefix: string) => {
    let n = 0
    for await (const _ of db.namespace('health-history').entries(prefix)) n++
    return n
  }

  it('averages into 10 s, 1 min and 1 h buckets with min and max', async () => {
    const h = new History(db)
    for (let i = 0; i < 360; i++) h.record('cpu.load_pct', T0 + i * 10_000, i % 6) // an hour, 0..5 repeating each minute
    await h.flush()
    const fine = await h.query('cpu.load_pct', T0, T0 + 3_600_000, T0 + 3_600_000)
    expect(fine.stepMs).to.equal(10_000)
    expect(fine.points).to.have.length(360)
    const week = await h.query('cpu.load_pct', T0, T0 + 3_600_000, T0 + 3 * 86_400_000)
    expect(week.stepMs).to.equal(60_000)
    expect(week.points).to.have.length(60)
    expect(week.points[0]).to.deep.equal({ t: T0, avg: 2.5, min: 0, max: 5 })
    const year = await h.query('cpu.load_pct', T0, T0 + 3_600_000, T0 + 30 * 86_400_000)
    expect(year.stepMs).to.equal(3_600_000)
    expect(year.points).to.have.length(1)
  })

  it('never holds more than each tier\'s slots however long it runs, and skips the old lap', async function () {
    this.timeout(60_000)
    const h = new History(db, [{ stepMs: 10_000, slots: 60 }, { stepMs: 60_000, slots: 30 }])
    for (let i = 0; i < 600; i++) h.record('m', T0 + i * 10_000, i) // 100 min: 10 laps of tier 0, 3+ of tier 1
    await h.flush()
    expect(await count('m\x000\x00')).to.equal(60)
    expect(await count('m\x001\x00')).to.equal(30)
    const now = T0 + 599 * 10_000
    const q = await h.query('m', now - 600_000, now, now)
    expect(q.points).to.have.length(60)
    expect(q.points[0].t).to.equal(T0 + 540 * 10_000)
  })

  it('answers the bucket still open, and ignores names that are not metric names', async () => {
    const h = new History(db)
    h.record('mem.used_bytes', T0, 5)
    h.record('mem.used_bytes', T0 + 1000, 7)
    h.record('bad\x00name', T0, 1)
    const q = await h.query('mem.used_bytes', T0 - 1, T0 + 10_000, T0 + 2000)
    expect(q.points).to.deep.equal([{ t: T0, avg: 6, min: 5, max: 7 }])
    expect(h.metrics()).to.deep.equal(['mem.used_bytes'])
  })

  it('prunes metrics that stopped, tier by tier, so the history stays a fixed size on disk', async function () {
    this.timeout(60_000)
    const h = new History(db, [{ stepMs: 10_000, slots: 30 }, { stepMs: 60_000, slots: 30 }])
    const total = () => count('')
    // 'disk.sdz' is recorded for 10 minutes then its disk is pulled; 'cpu' goes on for 2 hours.
    for (let i = 0; i < 720; i++) {
      const t = T0 + i * 10_000
      h.record('cpu', t, i)
      if (i < 60) h.record('disk.sdz.score', t, 90)
      if (i % 30 === 0) await h.prune(t)
    }
    await h.flush()
    expect(await count('disk.sdz.score\x00')).to.equal(0)
    expect(await count('cpu\x00')).to.equal(60)
    expect(await total()).to.equal(60)
    expect(h.metrics()).to.deep.equal(['cpu'])
    // Between the two retentions only the coarse tier of a stopped metric is left.
    const h2 = new History(db, [{ stepMs: 10_000, slots: 30 }, { stepMs: 60_000, slots: 30 }])
    for (let i = 0; i < 60; i++) h2.record('net.eth9.rx', T0 + i * 10_000, 1)
    await h2.flush()
    await h2.prune(T0 + 60 * 10_000)
    const later = T0 + 60 * 10_000 + 600_000
    expect(await h2.prune(later)).to.equal(30)
    expect(await count('net.eth9.rx\x000\x00')).to.equal(0)
    expect(await count('net.eth9.rx\x001\x00')).to.equal(10)
    expect((await h2.query('net.eth9.rx', T0, later, later)).points).to.have.length(10)
  })
})
