import { expect } from 'chai'
import type { StateDb } from '../store/state-db.js'
import { AlertBook, type AlertEvent } from './alerts.js'
import { Rules, type Condition, type RuleInput } from './rules.js'
import { parseSmart } from '../disks/smart.js'
import { scoreDisk } from './score.js'
import { smartFixture, tempStateDb } from '../../test/harness/health-fixtures.js'

const T0 = Date.UTC(2026, 0, 5)
const MIN = 60_000
const cond = (key: string, severity: Condition['severity'] = 'warning', sticky = false): Condition => ({ key, rule: key.split(':')[0], severity, subject: key, link: '/admin', message: `${key} ${severity}`, sticky })
const input = (o: Partial<RuleInput>): RuleInput => ({ now: T0, values: {}, disks: [], devices: [], ...o })

describe('health/alerts: lifecycle', () => {
  let db: StateDb
  let book: AlertBook
  let events: AlertEvent[]
  tempStateDb((d) => (db = d))
  beforeEach(async () => {
    book = new AlertBook(db, { clearMs: 5 * MIN })
    events = []
    book.onEvent((e) => events.push(e))
  })

  it('fires once, keeps first and last seen, escalates, and resolves after the hold time', async () => {
    await book.update(T0, [cond('fs-full:sda1')])
    await book.update(T0 + MIN, [cond('fs-full:sda1')])
    await book.update(T0 + 2 * MIN, [cond('fs-full:sda1', 'critical')])
    expect(events.map((e) => e.type)).to.deep.equal(['firing', 'escalated'])
    const [a] = book.list()
    expect(a).to.include({ state: 'firing', severity: 'critical', firstSeen: T0, lastSeen: T0 + 2 * MIN })
    await book.update(T0 + 3 * MIN, []) // gone for less than the hold time: a flap, not a resolution
    await book.update(T0 + 4 * MIN, [cond('fs-full:sda1', 'critical')])
    await book.update(T0 + 5 * MIN, [])
    await book.update(T0 + 11 * MIN, [])
    expect(events.map((e) => e.type)).to.deep.equal(['firing', 'escalated', 'resolved'])
    expect(book.list({ state: 'resolved' })[0]).to.include({ resolvedAt: T0 + 11 * MIN })
  })

  it('acknowledged alerts stay until they resolve; a new occurrence fires a new alert', async () => {
    const [e] = await book.update(T0, [cond('link-down:eth1', 'critical')])
    const ack = await book.acknowledge(e.alert.id, 'test:admin', T0 + 1000)
    expect(ack).to.include({ state: 'acknowledged', acknowledgedBy: 'test:admin' })
    expect(book.firingCount()).to.equal(0)
    await book.update(T0 + MIN, [cond('link-down:eth1', 'critical')])
    expect(book.list({ state: 'active' })[0].state).to.equal('acknowledged')
    await book.update(T0 + 10 * MIN, [])
    await book.update(T0 + 16 * MIN, [])
    await book.update(T0 + 20 * MIN, [cond('link-down:eth1', 'critical')])
    expect(events.filter((x) => x.type === 'firing')).to.have.length(2)
    let err: unknown
    await book.acknowledge('nope', 'x', T0).catch((x) => (err = x))
    expect(err).to.have.property('kind', 'not-found')
  })

  it('sticky (event) alerts do not resolve on their own but once acknowledged, and survive a reload', async () => {
    const [e] = await book.update(T0, [cond('restart:1', 'warning', true)])
    await book.update(T0 + 60 * MIN, [])
    const again = new AlertBook(db)
    await again.load()
    expect(again.list({ state: 'active' }).map((a) => a.id)).to.deep.equal([e.alert.id])
    expect((await again.acknowledge(e.alert.id, 'a', T0 + 61 * MIN)).state).to.equal('resolved')
  })
})

describe('health/rules: defaults that do not spam', () => {
  const disk = (f: Parameters<typeof smartFixture>[0], device: string) => {
    const report = parseSmart(device, smartFixture(f))
    return { device, at: T0, report, score: scoreDisk({ now: report, at: T0 }) }
  }

  it('names a SMART failure per disk, with a link to the disk', () => {
    const c = new Rules().evaluate(input({ disks: [disk('sata-failing', 'sdb'), disk('nvme-healthy', 'nvme0')] }))
    expect(c.map((x) => x.key)).to.deep.equal(['smart-failed:sdb'])
    expect(c[0]).to.include({ severity: 'critical', link: '/admin/disks/sdb' })
  })

  it('fires temperature only after it has held over the threshold for the duration', () => {
    const r = new Rules({ cpuTempMaxC: 80, diskTempMaxC: 55, tempForMs: 5 * MIN, fsWarnPct: 80, fsCritPct: 90, certWarnDays: 30, expectedSpeedMbps: {} })
    expect(r.evaluate(input({ now: T0, values: { 'temp.cpu_c': 90 } }))).to.have.length(0)
    expect(r.evaluate(input({ now: T0 + 4 * MIN, values: { 'temp.cpu_c': 90 } }))).to.have.length(0)
    expect(r.evaluate(input({ now: T0 + 5 * MIN, values: { 'temp.cpu_c': 91 } })).map((x) => x.key)).to.deep.equal(['cpu-temp'])
    expect(r.evaluate(input({ now: T0 + 6 * MIN, values: { 'temp.cpu_c': 70 } }))).to.have.length(0)
    expect(r.evaluate(input({ now: T0 + 7 * MIN, values: { 'temp.cpu_c': 90 } }))).to.have.length(0)
  })

  it('warns at 80 % and is critical at 90 % full', () => {
    const c = new Rules().evaluate(input({ values: { 'fs.sda1.used_pct': 85, 'fs.sdb1.used_pct': 93, 'fs.sdc1.used_pct': 40 } }))
    expect(c.map((x) => [x.key, x.severity])).to.deep.equal([['fs-full:sda1', 'warning'], ['fs-full:sdb1', 'critical']])
  })

  it('a link that was up and went down, or negotiated below its best; never-up links stay quiet', () => {
    const r = new Rules()
    expect(r.evaluate(input({ values: { 'net.eth0.up': 1, 'net.eth0.speed_mbps': 10000, 'net.eth9.up': 0 } }))).to.have.length(0)
    expect(r.evaluate(input({ values: { 'net.eth0.up': 1, 'net.eth0.speed_mbps': 1000 } })).map((x) => x.key)).to.deep.equal(['link-slow:eth0'])
    expect(r.evaluate(input({ values: { 'net.eth0.up': 0 } })).map((x) => x.key)).to.deep.equal(['link-down:eth0'])
  })

  it('device errors, replicas below the ring, certificates and an unexpected restart', () => {
    const c = new Rules().evaluate(input({
      devices: [{ device: 'd1', quarantined: 3, ioErrors: 0 }, { device: 'd2', quarantined: 0, ioErrors: 0, failed: true }, { device: 'd3', quarantined: 0, ioErrors: 0 }],
      replicas: { wanted: 3, available: 2 },
      certificates: [{ name: 'https', notAfter: T0 + 5 * 86_400_000 }, { name: 'other', notAfter: T0 + 90 * 86_400_000 }],
      restartedUnexpectedly: { at: T0 },
    }))
    expect(c.map((x) => [x.key, x.severity])).to.deep.equal([
      ['device-errors:d1', 'warning'],
      ['device-failed:d2', 'critical'],
      ['replicas-below-ring', 'critical'],
      ['cert-expiring:https', 'critical'],
      [`restart:${T0}`, 'warning'],
    ])
  })
})
