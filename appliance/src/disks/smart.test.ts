/**
 * The one SMART parser on two independently recorded sets of `smartctl --json -a` outputs
 * (SATA, SAS, NVMe; healthy, failing, a self-test running, a device without SMART), written
 * from smartctl's documented JSON: the summary of the disks service (fixtures/smart-disks), the
 * predictive report of the health console (fixtures/smart), and each set through the other
 * reading; once on the real smartctl against a loop device, whose "no SMART" answer it must accept.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { LoopDisks, skipWithoutLoopDevices } from '../../test/harness/loop-disks.js'
import { SystemCommands } from '../system/commands.js'
import { parseSmart, parseSmartctl } from './smart.js'

// dist/appliance/src/disks → appliance/test/fixtures/smart-disks in the source tree
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../appliance/test/fixtures/smart-disks')
const fixture = (name: string) => parseSmartctl(readFileSync(`${FIXTURES}/${name}.json`, 'utf8'))
const HEALTH_FIXTURES = resolve(FIXTURES, '../smart')
const smartFixture = (name: string): unknown => JSON.parse(readFileSync(`${HEALTH_FIXTURES}/${name}.json`, 'utf8'))
const run = promisify(execFile)

describe('disks/smart', () => {
  it('reads a healthy SATA disk: passed, temperature, hours, short self-test of 1 minute, last test passed', () => {
    const s = fixture('sata-healthy')
    expect(s).to.deep.include({ available: true, protocol: 'ATA', passed: true, temperatureC: 34, powerOnHours: 13456, failing: [] })
    expect(s.selfTest).to.deep.equal({ supported: true, shortMinutes: 1 })
    expect(s.lastSelfTest).to.deep.include({ running: false, passed: true })
  })

  it('says why a failing SATA disk is failing: overall FAILED, attribute below threshold, reallocated and pending sectors', () => {
    const s = fixture('sata-failing')
    expect(s.passed).to.equal(false)
    expect(s.failing).to.deep.equal([
      'SMART overall health: FAILED',
      'attribute 5 Reallocated_Sector_Ct below its threshold now',
      '3912 reallocated sectors',
      '18 pending sectors',
    ])
    expect(s.lastSelfTest).to.deep.include({ running: false, passed: false, text: 'completed: read failure' })
  })

  it('sees a SATA self-test in progress with the percentage left', () => {
    expect(fixture('sata-self-test-running').lastSelfTest).to.deep.equal({ running: true, remainingPercent: 60, passed: null, text: 'in progress, 60% remaining' })
  })

  it('reads SAS disks: healthy, and failing with grown defects and uncorrected read errors', () => {
    const ok = fixture('sas-healthy')
    expect(ok).to.deep.include({ available: true, protocol: 'SCSI', passed: true, temperatureC: 31, powerOnHours: 21044, failing: [] })
    expect(ok.lastSelfTest).to.deep.include({ passed: true, text: 'Completed' })
    const bad = fixture('sas-failing')
    expect(bad.failing).to.deep.equal(['SMART overall health: FAILED', '1204 grown defects', '27 uncorrected read errors'])
    expect(bad.lastSelfTest).to.deep.include({ passed: false })
  })

  it('reads NVMe disks: healthy with a self-test log, and failing on critical warning, spare and media errors', () => {
    const ok = fixture('nvme-healthy')
    expect(ok).to.deep.include({ available: true, protocol: 'NVMe', passed: true, temperatureC: 41, powerOnHours: 5210, failing: [] })
    expect(ok.selfTest.supported).to.equal(true)
    expect(ok.lastSelfTest).to.deep.include({ running: false, passed: true })
    const bad = fixture('nvme-failing')
    expect(bad.failing).to.deep.equal(['SMART overall health: FAILED', 'NVMe critical warning 0x04', 'available spare 3% below threshold 10%', '117 media errors'])
    expect(bad.selfTest.supported).to.equal(false)
  })

  it('answers unavailable, with smartctl’s reason, for a device without SMART and for garbage', () => {
    const s = fixture('loop-no-smart')
    expect(s).to.deep.include({ available: false, passed: null, failing: [] })
    expect(s.messages).to.deep.equal(['/dev/loop0: Unable to detect device type'])
    expect(parseSmartctl('not json').available).to.equal(false)
  })

  describe('the predictive report (parseSmart)', () => {
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

    it('reads each set through the other reading: the summaries of the health fixtures, the reports of the disks fixtures', () => {
      expect(parseSmartctl(JSON.stringify(smartFixture('sata-failing'))).failing).to.include('3912 reallocated sectors')
      expect(parseSmartctl(JSON.stringify(smartFixture('nvme-healthy')))).to.deep.include({ available: true, protocol: 'NVMe', failing: [] })
      expect(parseSmart('sdb', JSON.parse(readFileSync(`${FIXTURES}/sata-failing.json`, 'utf8')))).to.include({ passed: false, reallocatedSectors: 3912, pendingSectors: 18 })
    })
  })

  describe('the real smartctl on a loop device', function () {
    this.timeout(30_000)
    let disks: LoopDisks

    before(async function () {
      await skipWithoutLoopDevices(this)
      try {
        await run('smartctl', ['--version'])
      } catch {
        console.log('    skipped: needs smartctl (smartmontools)')
        this.skip()
      }
      disks = await LoopDisks.create(1, 16)
    })
    after(() => disks?.destroy())

    it('runs through system/ and is accepted as "no SMART"', async () => {
      const sys = new SystemCommands({ devicesRoot: disks.devicesRoot })
      await sys.lsblk()
      const r = await sys.smartctl(disks.devices[0]!, 'info')
      const s = parseSmartctl(r.stdout)
      expect(s.available).to.equal(false)
      expect(s.messages.join(' ')).to.match(/Unable to detect device type|SMART/i)
    })
  })
})
