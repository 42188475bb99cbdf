import { expect } from 'chai'
import { disksSmartFixtures } from '../../test/harness/health-fixtures.js'
import { scoreDisk } from './score.js'
import { parseSmart } from '../disks/smart.js'
import { SystemSmartSource, validDeviceName } from './smartctl.js'
import { SystemCommands } from '../system/commands.js'

describe('health/smartctl: SMART sources and the score over both fixture sets', () => {
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
