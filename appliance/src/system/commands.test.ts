/**
 * The door's checks: argv values are validated before anything runs, device paths must come
 * from the last discovery, mount points must sit directly under the devices root.
 */
import { expect } from 'chai'
import { isVeloxError } from '../errors.js'
import { SystemCommands } from './commands.js'
import { checkDevicePath, checkLabel, checkMountPoint, checkUuid } from './validate.js'

function badRequest(f: () => unknown): void {
  try {
    f()
  } catch (err) {
    expect(isVeloxError(err, 'bad-request'), String(err)).to.equal(true)
    return
  }
  expect.fail('expected bad-request')
}

describe('system/ commands and their argument checks', () => {
  it('accepts device paths under /dev only, without .. or shell characters', () => {
    for (const ok of ['/dev/sda', '/dev/nvme0n1', '/dev/disk/by-id/wwn-0x5000c500cafebabe', '/dev/loop7']) expect(checkDevicePath(ok)).to.equal(ok)
    for (const bad of ['/etc/passwd', '/dev/../etc/passwd', '/dev/sda;reboot', 'sda', '/dev/', '/dev/sda b', '-/dev/sda', '/dev/$(x)']) badRequest(() => checkDevicePath(bad))
  })

  it('accepts a mount point only directly under the devices root', () => {
    expect(checkMountPoint('/srv/velox', '/srv/velox/disk1')).to.equal('/srv/velox/disk1')
    for (const bad of ['/srv/velox', '/srv/velox/a/b', '/srv/velox/../etc', '/', '/srv/veloxx/disk1', '/srv/velox/-x']) badRequest(() => checkMountPoint('/srv/velox', bad))
  })

  it('checks XFS labels (≤ 12 characters) and filesystem UUIDs', () => {
    expect(checkLabel('disk12')).to.equal('disk12')
    badRequest(() => checkLabel('a-label-too-long'))
    badRequest(() => checkLabel('-L x'.replace(' ', '')))
    expect(checkUuid('0D45765F-82B3-47B1-8BDC-03B7277C99A5')).to.equal('0d45765f-82b3-47b1-8bdc-03b7277c99a5')
    badRequest(() => checkUuid('0d45765f; rm -rf /'))
  })

  it('refuses a device the last discovery did not see, before running anything', async () => {
    const sys = new SystemCommands({ devicesRoot: '/tmp/velox-nowhere' })
    for (const op of [() => sys.wipefs('/dev/sdz'), () => sys.mkfsXfs('/dev/sdz', 'disk1'), () => sys.smartctl('/dev/sdz', 'info'), () => sys.blkidProbe('/dev/sdz')]) {
      try {
        await op()
        expect.fail('ran a command on an undiscovered device')
      } catch (err) {
        expect((err as Error).message).to.match(/not a discovered block device/)
      }
    }
    await sys.lsblk()
    try {
      await sys.umount('/mnt')
      expect.fail('unmounted outside the devices root')
    } catch (err) {
      expect(isVeloxError(err, 'bad-request')).to.equal(true)
    }
  })
})
