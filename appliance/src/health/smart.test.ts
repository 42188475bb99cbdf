import { expect } from 'chai'
import { disksSmartFixtures, smartFixture } from '../../test/harness/health-fixtures.js'
import { scoreDisk } from './score.js'
import { parseSmart } from './smart.js'
import { SystemSmartSource, validDeviceName } from './smartctl.js'
import { SystemCommands } from '../system/commands.js'

describe('health/smart: smartctl --json documents', () => {
  it('reads a healthy SATA drive: status, sectors, hours, temperature, self-test', () => {
    const r = parseSmart('sda', smartFixture('sata-healthy'))
    expect(r).to.include({ protocol: 'ATA', passed: true, reallocatedSectors: 0, pendingSectors: 0, offlineUncorrectable: 0, crcErrors: 0, powerOnHours: 28790, temperatureC: 35, model: 'WDC WD40EFRX-68N32N0' })
    expect(r.selfTests[0]).to.include({ type: 'Short offline', passed: true })
    expect(r.attributes.map((a) => a.id)).to.include.members([5, 9, 194, 197, 198, 199])
  })

  it('reads a failing SATA drive: FAILED status, grown counters, failed self-test', () => {
    const r = parseSmart('sdb', smartFixture('sata-failing'))
    expect(r).to.include({ passed: false, reallocatedSectors: 3912, pendingSectors: 1688, offlineUncorrectable: 1688, reportedUncorrect: 412, crcErrors: 2, temperatureC: 43 })
    expect(r.selfTests[0]).to.include({ passed: false, status: 'Completed: read failure' })
  })

  it('reads SAS drives: grown defects and uncorrected errors of the error counter log', () => {
    expect(parseSmart('sdc', smartFixture('sas-healthy'))).to.include({ protocol: 'SCSI', passed: true, grownDefects: 0, uncorrectedErrors: 0, temperatureC: 31, powerOnHours: 41220 })
    const bad = parseSmart('sdd', smartFixture('sas-failing'))
    expect(bad).to.include({ passed: false, grownDefects: 2714, uncorrectedErrors: 41 })
    expect(bad.selfTests[0]).to.include({ passed: false, status: 'Failed in read element' })
  })

  it('reads NVMe drives: media errors, percentage used, spare against threshold', () => {
    expect(parseSmart('nvme0', smartFixture('nvme-healthy'))).to.include({ protocol: 'NVMe', passed: true, nvmeMediaErrors: 0, nvmePercentageUsed: 3, nvmeAvailableSpare: 100, temperatureC: 41, powerOnHours: 6120 })
    expect(parseSmart('nvme1', smartFixture('nvme-failing'))).to.include({ passed: false, nvmeMediaErrors: 188, nvmePercentageUsed: 104, nvmeAvailableSpare: 4, nvmeSpareThreshold: 10, nvmeCriticalWarning: 1 })
  })

  it('gives undefined, not zero, for what a document lacks (a VM disk without SMART)', () => {
    const r = parseSmart('vda', { smartctl: { exit_status: 1, messages: [{ string: '/dev/vda: Unable to detect device type' }] } })
    expect(r.protocol).to.equal('unknown')
    expect(r.passed).to.equal(undefined)
    expect(r.reallocatedSectors).to.equal(undefined)
  })

  it('agrees with the disks service\'s independently recorded documents: failing ones fail, healthy ones score 100', () => {
    const seen: string[] = []
    for (const { name, doc } of disksSmartFixtures()) {
      const s = scoreDisk({ now: parseSmart(name, doc), at: Date.now() })
      if (name.includes('failing')) expect(s.status, name).to.equal('failing')
      else if (name.includes('no-smart')) expect(s.status, name).to.equal('unknown')
      else expect(s.score, name).to.equal(100)
      seen.push(name)
    }
    expect(seen.length).to.be.at.least(6)
  })

  it('only passes block device names to smartctl', async () => {
    for (const ok of ['sda', 'nvme0', 'nvme0n1', 'vdb']) expect(validDeviceName(ok), ok).to.equal(true)
    for (const bad of ['../etc/passwd', 'sda;rm', '-a', '', 'sda1 --x', 'loop3']) expect(validDeviceName(bad), bad).to.equal(false)
    let err: unknown
    await new SystemSmartSource(new SystemCommands({ devicesRoot: '/tmp/velox-nowhere' })).read('../../etc/shadow').catch((e) => (err = e))
    expect(err).to.have.property('kind', 'bad-request')
  })

  it('runs the real smartctl through system/ on this machine\'s disks and accepts their answer (no SMART in a VM)', async function () {
    this.timeout(60_000)
    const src = new SystemSmartSource(new SystemCommands({ devicesRoot: '/tmp/velox-nowhere' }))
    const devices = await src.devices()
    expect(devices).to.be.an('array')
    if (!devices.length) {
      console.log('      note: lsblk lists no whole disk here (or smartctl is missing); only the listing ran')
      return
    }
    const r = parseSmart(devices[0], await src.read(devices[0]))
    expect(['unknown', 'ATA', 'SCSI', 'NVMe']).to.include(r.protocol)
  })
})
