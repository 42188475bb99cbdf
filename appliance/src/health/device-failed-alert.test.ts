/**
 * Issue 11 item 11 as the health console sees it: a device the request path finds failing
 * (cluster/nodes.ts → device-health.ts) raises "device failed" at the next evaluation, and
 * the alert resolves once requests reach the device again; a device that did not open at
 * start stays failed whatever the request path says.
 */
import { expect } from 'chai'
import { RecordedHardware, smartFixture, tempStateDb } from '../../test/harness/health-fixtures.js'
import { NodeDirectory, type StorageNode } from '../cluster/nodes.js'
import { silentLog } from '../lib/log.js'
import type { RingDevice } from '../ring/types.js'
import type { StateDb } from '../store/state-db.js'
import { HealthService } from './service.js'
import { RecordedSmartSource } from './smartctl.js'
import { StorageCounters } from './storage-counters.js'

describe('health: device failed and back, from the request path', () => {
  let db: StateDb
  tempStateDb((d) => (db = d))

  const dev = (device: string): RingDevice => ({ id: 0, device, ip: '127.0.0.1', port: 6200, replicationIp: '127.0.0.1', replicationPort: 6200, region: 1, zone: 1, weight: 1, meta: '' })

  it('fires "device failed" while requests fail on a device and resolves it once one succeeds', async () => {
    const local = new Map<string, StorageNode>([['d1', {} as StorageNode], ['d2', {} as StorageNode]])
    const directory = new NodeDirectory(local)
    const counters = new StorageCounters()
    counters.followDeviceStates(() => directory.localDeviceStates())
    counters.markFailed('d3') // did not open at start
    const s = new HealthService({ db, hardware: new RecordedHardware(), smart: new RecordedSmartSource({ sda: smartFixture('sata-healthy') }), counters, log: silentLog, intervalsMs: { cpu: 3_600_000 }, smartIntervalMs: 3_600_000, alertIntervalMs: 3_600_000, alertClearMs: 0 })
    const active = async () => {
      await s.evaluate()
      return s.alerts.list({ state: 'active' }).map((a) => a.key).filter((k) => k.startsWith('device-failed:')).sort()
    }
    expect(await active()).to.deep.equal(['device-failed:d3'])

    directory.markError(dev('d1'), new Error('EIO: i/o error, read'))
    expect(await active()).to.deep.equal(['device-failed:d1', 'device-failed:d3'])

    directory.markOk(dev('d1'))
    expect(await active()).to.deep.equal(['device-failed:d3'])
    expect(s.alerts.list({ state: 'resolved' }).map((a) => a.key)).to.include('device-failed:d1')

    // Back to failed: the same key fires again.
    directory.markError(dev('d1'), new Error('EIO'))
    expect(await active()).to.deep.equal(['device-failed:d1', 'device-failed:d3'])
    // A device the request path finds working is not taken out of "failed at start".
    directory.markOk(dev('d3'))
    expect(await active()).to.include('device-failed:d3')
  })
})
