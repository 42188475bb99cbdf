/**
 * settledFromStatusFile: how `velox disk status` (another process) tells whether the running
 * appliance's replicator has moved everything the current rings ask for, before a ramp step.
 */
import { expect } from 'chai'
import { settledFromStatusFile, type ReplicationReport, type StatusFile } from './replicator.js'

const report = (startedAt: string, idle: boolean) => ({ startedAt, idle }) as ReplicationReport
const file = (reports: ReplicationReport[], pid = 4242): StatusFile => ({ writtenAt: '2026-01-01T00:10:00Z', pid, reports })
const changed = Date.parse('2026-01-01T00:05:00Z')
const alive = (pid: number) => pid === 4242

describe('settledFromStatusFile', () => {
  it('is settled when an idle pass began after the rings changed', () => {
    expect(settledFromStatusFile(file([report('2026-01-01T00:04:00Z', false), report('2026-01-01T00:06:00Z', true)]), changed, alive)).to.equal(true)
  })

  it('is not settled while the newest pass moved data, or began on the older rings', () => {
    expect(settledFromStatusFile(file([report('2026-01-01T00:06:00Z', true), report('2026-01-01T00:07:00Z', false)]), changed, alive)).to.equal(false)
    expect(settledFromStatusFile(file([report('2026-01-01T00:04:00Z', true)]), changed, alive)).to.equal(false)
    expect(settledFromStatusFile(file([]), changed, alive)).to.equal(false)
  })

  it('waits for nothing when no appliance runs (nothing would move the data)', () => {
    expect(settledFromStatusFile(undefined, changed, alive)).to.equal(true)
    expect(settledFromStatusFile(file([report('2026-01-01T00:04:00Z', false)], 99), changed, alive)).to.equal(true)
  })
})
