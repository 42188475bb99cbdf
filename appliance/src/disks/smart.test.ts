/**
 * The SMART reader on recorded `smartctl --json -a` outputs (SATA, SAS, NVMe; healthy, failing,
 * a self-test running, a device without SMART), written from smartctl's documented JSON, and
 * once on the real smartctl against a loop device, whose "no SMART" answer it must accept.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { LoopDisks, skipWithoutLoopDevices } from '../../test/harness/loop-disks.js'
import { SystemCommands } from '../system/commands.js'
import { parseSmartctl } from './smart.js'

// dist/appliance/src/disks → appliance/test/fixtures/smart-disks in the source tree
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../appliance/test/fixtures/smart-disks')
const fixture = (name: string) => parseSmartctl(readFileSync(`${FIXTURES}/${name}.json`, 'utf8'))
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
