import { expect } from 'chai'
import { RecordedHardware, smartFixture, tempStateDb } from '../../test/harness/health-fixtures.js'
import { silentLog } from '../lib/log.js'
import type { StateDb } from '../store/state-db.js'
import { HealthService, type LiveEvent } from './service.js'
import { RecordedSmartSource } from './smartctl.js'
import { StorageCounters } from './storage-counters.js'

describe('health/service on recorded hardware', () => {
  let db: StateDb
  tempStateDb((d) => (db = d))

  const service = (counters = new StorageCounters(), ringDevicesOf?: (serial: string) => string[]) =>
    new HealthService({ db, hardware: new RecordedHardware(), smart: new RecordedSmartSource({ sdb: smartFixture('sata-failing'), sda: smartFixture('sata-healthy') }), counters, log: silentLog, intervalsMs: { cpu: 3_600_000 }, smartIntervalMs: 3_600_000, alertIntervalMs: 3_600_000, ringDevicesOf })

  it('counts the auditor and I/O errors of the ring devices a disk holds (matched by serial) in its score', async () => {
    const counters = new StorageCounters()
    counters.auditPass('d1', { quarantined: 1, errors: 2 })
    counters.ioError('d1')
    const s = service(counters, (serial) => (serial === 'WD-WCC7K0XXXXX1' ? ['d1'] : []))
    const sda = (await s.pollSmart()).find((d) => d.device === 'sda')!
    expect(sda.score.reasons).to.deep.equal(['1 I/O error on this device', '2 auditor errors on this device'])
  })

  it('samples, scores SMART, records history and publishes live events', async () => {
    const s = service()
    const events: LiveEvent['type'][] = []
    s.subscribe((e) => events.push(e.type))
    const v = await s.sampleAll()
    expect(v).to.include({ 'cpu.load_pct': 12.5, 'temp.cpu_c': 48 })
    const [sdb] = await s.pollSmart()
    expect(sdb.score.status).to.equal('failing')
    expect(s.values()['disk.sdb.score']).to.equal(sdb.score.score)
    expect((await s.evaluate()).map((e) => e.alert.key)).to.include.members(['smart-failed:sdb', 'fs-full:sda1'])
    expect(events).to.include.members(['sample', 'disks', 'alert'])
    const h = await s.history.query('cpu.load_pct', Date.now() - 60_000, Date.now())
    expect(h.points.at(-1)?.avg).to.equal(12.5)
  })

  it('a start after a stop that never happened raises one "restarted unexpectedly" alert', async () => {
    const first = service()
    await first.start()
    // no stop(): the process died
    const counters = new StorageCounters()
    counters.markFailed('d3')
    const second = service(counters)
    await second.start()
    const keys = (await second.evaluate()).map((e) => e.alert.key)
    expect(keys.filter((k) => k.startsWith('restart:'))).to.have.length(1)
    expect(keys).to.include('device-failed:d3')
    expect((await second.evaluate()).map((e) => e.alert.key)).to.deep.equal([])
    await second.stop()
    await first.stop()
    const third = service()
    await third.start()
    expect((await third.evaluate()).filter((e) => e.alert.key.startsWith('restart:'))).to.have.length(0)
    await third.stop()
  })
})
