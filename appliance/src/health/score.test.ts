import { expect } from 'chai'
import { parseSmart } from '../disks/smart.js'
import { RecordedSmartSource } from './smartctl.js'
import { scoreDisk } from './score.js'
import { DiskHealth } from './disk-health.js'
import { AlertBook, type AlertEvent } from './alerts.js'
import { Rules } from './rules.js'
import type { StateDb } from '../store/state-db.js'
import { sataWith, smartFixture, tempStateDb } from '../../test/harness/health-fixtures.js'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 0, 5)

describe('health/score: per-disk score with reasons', () => {
  it('scores healthy SATA, SAS and NVMe drives 100 with no reasons', () => {
    for (const f of ['sata-healthy', 'sas-healthy', 'nvme-healthy'] as const) {
      const s = scoreDisk({ now: parseSmart('d', smartFixture(f)), at: T0 })
      expect(s, f).to.deep.include({ score: 100, status: 'ok', reasons: [] })
    }
  })

  it('marks the failing SATA, SAS and NVMe drives failing and says why', () => {
    const sata = scoreDisk({ now: parseSmart('sdb', smartFixture('sata-failing')), at: T0 })
    expect(sata.status).to.equal('failing')
    expect(sata.reasons).to.include('SMART overall status FAILED')
    expect(sata.reasons).to.include('reallocated sectors 3912 (stable)')
    expect(sata.reasons).to.include('last self-test: Completed: read failure')
    const sas = scoreDisk({ now: parseSmart('sdd', smartFixture('sas-failing')), at: T0 })
    expect(sas.status).to.equal('failing')
    expect(sas.reasons).to.include('grown defects 2714 (stable)')
    const nvme = scoreDisk({ now: parseSmart('nvme1', smartFixture('nvme-failing')), at: T0 })
    expect(nvme.status).to.equal('failing')
    expect(nvme.reasons).to.include('available spare 4% below its threshold 10%')
    expect(nvme.reasons).to.include('104% of rated endurance used')
  })

  it('weighs a growing count far more than a stable one, and spells out the growth', () => {
    const stable = scoreDisk({ now: parseSmart('sda', sataWith({ reallocated: 24 })), baseline: { report: parseSmart('sda', sataWith({ reallocated: 24 })), at: T0 - 7 * DAY }, at: T0 })
    const growing = scoreDisk({ now: parseSmart('sda', sataWith({ reallocated: 24 })), baseline: { report: parseSmart('sda', sataWith({ reallocated: 0 })), at: T0 - 7 * DAY }, at: T0 })
    expect(stable.score).to.be.greaterThan(growing.score)
    expect(stable.status).to.equal('ok')
    expect(growing.reasons).to.include('reallocated sectors +24 in 7 days')
    expect(growing.rising).to.deep.equal(['reallocated sectors +24'])
  })

  it('counts I/O and auditor errors on the device and latency far above its siblings', () => {
    const s = scoreDisk({ now: parseSmart('sda', smartFixture('sata-healthy')), at: T0, ioErrors: 2, auditorErrors: 1, latencyRatio: 4.2 })
    expect(s.reasons).to.deep.equal(['2 I/O errors on this device', '1 auditor error on this device', "latency 4.2× its siblings'"])
    expect(s.score).to.equal(100 - 10 - 5 - 15)
  })

  describe('a disk degrading over a week of samples', () => {
    let db: StateDb
    tempStateDb((d) => (db = d))

    it('fires the rising-attribute alert once, not every sample, and the score falls with a reason', async function () {
      this.timeout(60_000)
      const src = new RecordedSmartSource({ sda: sataWith({}), sdb: sataWith({}) })
      const disks = new DiskHealth(db, src)
      const rules = new Rules()
      const book = new AlertBook(db, { clearMs: 10 * 60_000 })
      const events: AlertEvent[] = []
      book.onEvent((e) => events.push(e))
      // SMART every 30 minutes for 8 days: sda gains 3 reallocated sectors every 6 hours from day 1.
      for (let t = T0; t <= T0 + 8 * DAY; t += 30 * 60_000) {
        const day = (t - T0) / DAY
        src.set('sda', sataWith({ reallocated: day < 1 ? 0 : 3 * Math.floor((day - 1) * 4) }))
        await disks.poll(t)
        await book.update(t, rules.evaluate({ now: t, values: {}, disks: disks.disks(), devices: [] }))
      }
      const firing = events.filter((e) => e.type === 'firing')
      expect(firing.map((e) => e.alert.key)).to.deep.equal(['smart-rising:sda'])
      expect(book.list({ state: 'active' })).to.have.length(1)
      const sda = disks.disk('sda')!
      expect(sda.score.status).to.equal('warning')
      expect(sda.score.reasons.join()).to.match(/reallocated sectors \+\d+ in 7 days/)
      expect(disks.disk('sdb')!.score.score).to.equal(100)
    })
  })
})
