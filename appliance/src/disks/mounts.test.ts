/**
 * What firmware/ writes for the appliance's disks: systemd mount units (name escaped as
 * systemd-escape --path does, by UUID, noatime, nofail, before velox.service); and the
 * burn-in's sample regions, spread over the whole disk.
 */
import { expect } from 'chai'
import { sampleRegions } from './burn-in.js'
import { systemdEscapePath, systemdMountUnit } from './mounts.js'

describe('disks/mounts: systemd units; burn-in regions', () => {
  it('escapes paths like systemd-escape --path', () => {
    expect(systemdEscapePath('/srv/velox/disk1')).to.equal('srv-velox-disk1')
    expect(systemdEscapePath('/srv/velox/my-disk')).to.equal('srv-velox-my\\x2ddisk')
    expect(systemdEscapePath('/srv/velox/.hidden')).to.equal('srv-velox-\\x2ehidden')
    expect(systemdEscapePath('/')).to.equal('-')
  })

  it('writes a mount unit by UUID with noatime and nofail, ordered before velox.service', () => {
    const u = systemdMountUnit('/srv/velox', { deviceName: 'disk3', uuid: '0d45765f-82b3-47b1-8bdc-03b7277c99a5', serial: 'ZDH1ABCD' })
    expect(u.name).to.equal('srv-velox-disk3.mount')
    expect(u.text).to.include('What=/dev/disk/by-uuid/0d45765f-82b3-47b1-8bdc-03b7277c99a5\n')
    expect(u.text).to.include('Where=/srv/velox/disk3\n')
    expect(u.text).to.include('Type=xfs\n')
    expect(u.text).to.include('Options=noatime,nofail\n')
    expect(u.text).to.include('Before=velox.service\n')
    expect(u.text).to.include('serial ZDH1ABCD')
  })

  it('spreads burn-in regions from the first to the last byte, 4 KiB aligned', () => {
    const disk = 4000787030016
    const r = sampleRegions(disk, 256 * 2 ** 20, 8)
    expect(r).to.have.length(8)
    expect(r[0]!.offset).to.equal(0)
    for (const x of r) {
      expect(x.offset % 4096).to.equal(0)
      expect(x.length).to.equal(32 * 2 ** 20)
      expect(x.offset + x.length).to.be.at.most(disk)
    }
    expect(r[7]!.offset + r[7]!.length).to.be.greaterThan(disk - 4096 - 32 * 2 ** 20)
    expect(sampleRegions(8 * 2 ** 20, 256 * 2 ** 20, 8).reduce((n, x) => n + x.length, 0)).to.be.at.most(8 * 2 ** 20)
  })
})
