/**
 * Discovery on a recorded lsblk answer (a SATA disk, a SAS disk, an NVMe OS disk with LVM, a
 * loop device, and things that are not disks) with fixture /sys and /dev/disk/by-id trees;
 * then lsblk for real through system/, which must at least find the machine's own disk.
 */
import { expect } from 'chai'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SystemCommands } from '../system/commands.js'
import { parseLsblk, withProbe } from './discovery.js'

const dev = (o: Record<string, unknown>) => ({ rota: false, rm: false, ro: false, mountpoints: [null], ...o })

const LSBLK = JSON.stringify({
  blockdevices: [
    dev({ name: 'loop0', kname: 'loop0', path: '/dev/loop0', type: 'loop', size: 335544320, rota: true }),
    dev({ name: 'loop1', kname: 'loop1', path: '/dev/loop1', type: 'loop', size: 0 }),
    dev({ name: 'sda', kname: 'sda', path: '/dev/sda', type: 'disk', size: 4000787030016, model: 'ST4000VN008-2DR166', serial: 'ZDH1ABCD', wwn: '0x5000c500cafebabe', rota: true, tran: 'sata', hctl: '2:0:0:0', vendor: 'ATA     ' }),
    dev({ name: 'sdb', kname: 'sdb', path: '/dev/sdb', type: 'disk', size: 8001563222016, model: 'ST8000NM0075', serial: 'ZA1B2C3D', rota: true, tran: 'sas', pttype: 'gpt', children: [dev({ name: 'sdb1', path: '/dev/sdb1', type: 'part', size: 8001562173440, fstype: 'ext4', label: 'old', uuid: 'u1' })] }),
    dev({
      name: 'nvme0n1', kname: 'nvme0n1', path: '/dev/nvme0n1', type: 'disk', size: 512110190592, model: 'Samsung SSD 980 PRO 512GB', serial: 'S6B0NL0W1', tran: 'nvme', pttype: 'gpt',
      children: [
        dev({ name: 'nvme0n1p1', path: '/dev/nvme0n1p1', type: 'part', size: 536870912, fstype: 'vfat', mountpoints: ['/boot/efi'] }),
        dev({ name: 'nvme0n1p2', path: '/dev/nvme0n1p2', type: 'part', size: 511571197952, fstype: 'LVM2_member', children: [dev({ name: 'vg-root', path: '/dev/mapper/vg-root', type: 'lvm', size: 500000000000, fstype: 'ext4', mountpoints: ['/'] })] }),
      ],
    }),
    dev({ name: 'zram0', kname: 'zram0', path: '/dev/zram0', type: 'disk', size: 0 }),
    dev({ name: 'sr0', kname: 'sr0', path: '/dev/sr0', type: 'rom', size: 1073741312, rm: true }),
  ],
})

describe('disks/discovery', () => {
  let root: string
  let opts: { sysRoot: string; byIdDir: string }

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'velox-discovery-'))
    mkdirSync(join(root, 'sys/block/loop0/loop'), { recursive: true })
    writeFileSync(join(root, 'sys/block/loop0/loop/backing_file'), '/srv/images/disk1.img\n')
    mkdirSync(join(root, 'dev'))
    writeFileSync(join(root, 'dev/sdb'), '')
    mkdirSync(join(root, 'by-id'))
    symlinkSync(join(root, 'dev/sdb'), join(root, 'by-id/scsi-35000c500a1b2c3d4'))
    opts = { sysRoot: join(root, 'sys'), byIdDir: join(root, 'by-id') }
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  it('lists disks and bound loop devices only, with stable ids that do not depend on sdX names', () => {
    const disks = parseLsblk(LSBLK, opts)
    expect(disks.map((d) => [d.path, d.id, d.stable])).to.deep.equal([
      ['/dev/loop0', 'loop-' + disks[0]!.id.slice(5), true],
      ['/dev/nvme0n1', 'nvme-Samsung_SSD_980_PRO_512GB_S6B0NL0W1', true],
      ['/dev/sda', 'wwn-0x5000c500cafebabe', true],
      ['/dev/sdb', 'sas-ST8000NM0075_ZA1B2C3D', true],
    ])
    expect(disks[0]!.id).to.match(/^loop-[0-9a-f]{16}$/)
    expect(disks[0]).to.include({ kind: 'loop', backingFile: '/srv/images/disk1.img', media: 'virtual', hasData: false, holdsOs: false })
  })

  it('describes each disk: model, serial, size, media, transport, bay, partitions and filesystems', () => {
    const [, nvme, sda, sdb] = parseLsblk(LSBLK, opts)
    expect(sda).to.deep.include({ model: 'ST4000VN008-2DR166', vendor: 'ATA', serial: 'ZDH1ABCD', sizeBytes: 4000787030016, rotational: true, media: 'hdd', transport: 'sata', hctl: '2:0:0:0', hasData: false })
    expect(nvme).to.include({ media: 'nvme', rotational: false })
    expect(sdb!.partitions).to.deep.equal([{ path: '/dev/sdb1', sizeBytes: 8001562173440, fstype: 'ext4', label: 'old', uuid: 'u1', mountpoints: [] }])
    expect(sdb).to.include({ hasData: true, holdsOs: false })
    expect(sdb!.byId).to.deep.equal([])
  })

  it('knows which disk holds the operating system, through partitions and LVM', () => {
    const nvme = parseLsblk(LSBLK, opts).find((d) => d.transport === 'nvme')!
    expect(nvme.mountpoints).to.have.members(['/boot/efi', '/'])
    expect(nvme).to.include({ holdsOs: true, hasData: true })
  })

  it('fills in a filesystem lsblk could not see from blkid’s probe', () => {
    const loop = parseLsblk(LSBLK, opts)[0]!
    const probed = withProbe(loop, { TYPE: 'xfs', LABEL: 'vx-disk1', UUID: '0d45765f-82b3-47b1-8bdc-03b7277c99a5' })
    expect(probed).to.deep.include({ hasData: true, veloxDevice: 'disk1', filesystem: { fstype: 'xfs', label: 'vx-disk1', uuid: '0d45765f-82b3-47b1-8bdc-03b7277c99a5' } })
    expect(withProbe(loop, { TYPE: 'xfs', LABEL: 'data' }).veloxDevice).to.equal(null)
    expect(withProbe(loop, { PTTYPE: 'gpt' }).hasData).to.equal(true)
    expect(withProbe(loop, {})).to.equal(loop)
  })

  it('runs the real lsblk through system/', async () => {
    const text = await new SystemCommands({ devicesRoot: root }).lsblk()
    const all = parseLsblk(text)
    expect(all.length).to.be.greaterThan(0)
    for (const d of all) expect(d.sizeBytes).to.be.greaterThan(0)
  })
})
