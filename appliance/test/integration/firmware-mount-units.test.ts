/**
 * firmware/install-mount-units: the systemd mount units of the appliance's disks, written from
 * the mount table into a temporary root (never this machine's /etc), enabled through
 * velox.service.wants/, units of disks that left the table removed while units Velox did not
 * write are left alone; each unit checked by `systemd-analyze verify` where it is installed
 * (the unit name must match Where=, the options must parse), with firmware/systemd/velox.service;
 * and the path unit that runs the installer on every change of the mount table.
 */
import { expect } from 'chai'
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { DiskRegistry, type DiskRecord } from '../../src/disks/registry.js'
import { systemdEscapePath } from '../../src/disks/mounts.js'

// dist/appliance/test/integration/x.test.js → the repository
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
const INSTALLER = join(REPO, 'firmware', 'install-mount-units')
const run = promisify(execFile)
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0

describe('firmware: install-mount-units', function () {
  this.timeout(60_000)
  let data: string
  let root: string
  const units = () => join(root, 'etc', 'systemd', 'system')
  const devicesRoot = () => join(data, 'devices')
  const record = (n: number, state: DiskRecord['state']): DiskRecord => ({
    id: `ata-TEST_DISK_S${n}`,
    deviceName: `disk${n}`,
    serial: `S${n}`,
    model: 'TEST DISK',
    sizeBytes: 4 * 2 ** 40,
    uuid: `0d45765f-82b3-47b1-8bdc-03b7277c99a${n}`,
    state,
    formattedAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  })
  const install = () => run(INSTALLER, ['--data', data, '--root', root], { env: { ...process.env, VELOX_DEVICES_DIR: devicesRoot() } })
  const unitName = (n: number) => `${systemdEscapePath(join(devicesRoot(), `disk${n}`))}.mount`

  before(() => {
    data = mkdtempSync(join(tmpdir(), 'velox fw-')) // a space: the escaping is exercised
    root = mkdtempSync(join(tmpdir(), 'velox-fw-root-'))
    const reg = new DiskRegistry(join(data, 'etc'))
    reg.put(record(1, 'in-ring'))
    reg.put(record(2, 'draining'))
    reg.put(record(3, 'removed'))
  })
  after(() => {
    rmSync(data, { recursive: true, force: true })
    rmSync(root, { recursive: true, force: true })
  })

  it('writes and enables one unit per mounted disk of the table', async () => {
    const { stdout } = await install()
    expect(stdout).to.match(/mount units: 2 installed, 0 removed/)
    const names = readdirSync(units()).filter((n) => n.endsWith('.mount')).sort()
    expect(names).to.deep.equal([unitName(1), unitName(2)].sort())
    expect(unitName(1)).to.include('\\x20') // "velox fw-…": the space escaped as systemd does
    const text = readFileSync(join(units(), unitName(1)), 'utf8')
    expect(text).to.include(`What=/dev/disk/by-uuid/${record(1, 'in-ring').uuid}\n`)
    expect(text).to.include(`Where=${join(devicesRoot(), 'disk1')}\n`)
    expect(text).to.include('Options=noatime,nofail\n').and.include('Before=velox.service\n')
    for (const n of [1, 2]) expect(readlinkSync(join(units(), 'velox.service.wants', unitName(n)))).to.equal(`../${unitName(n)}`)
  })

  it('passes systemd-analyze verify', async function () {
    if (!hasAnalyze) this.skip() // systemd-analyze not installed: the text checks above still ran
    // velox.service as the image installs it, started from this checkout.
    const service = readFileSync(join(REPO, 'firmware', 'systemd', 'velox.service'), 'utf8').replaceAll('/opt/velox', REPO)
    writeFileSync(join(units(), 'velox.service'), service)
    const files = [unitName(1), unitName(2), 'velox.service'].map((n) => join(units(), n))
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...files], { encoding: 'utf8' })
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stderr).to.not.match(/bad unit file setting|Refusing/)
  })

  it('runs again on every change of the mount table: the path unit and its service pass systemd-analyze verify', function () {
    if (!hasAnalyze) this.skip()
    const dir = mkdtempSync(join(tmpdir(), 'velox-fw-path-'))
    try {
      const files = ['velox-mount-units.path', 'velox-mount-units.service'].map((n) => {
        const text = readFileSync(join(REPO, 'firmware', 'systemd', n), 'utf8').replaceAll('/opt/velox', REPO)
        writeFileSync(join(dir, n), text)
        return { n, text, path: join(dir, n) }
      })
      // The table the appliance writes (disks/registry.ts) and the installer it runs.
      expect(files[0].text).to.include('PathChanged=/var/lib/velox/etc/disks.json\n').and.include('Unit=velox-mount-units.service')
      expect(files[1].text).to.include(`ExecStart=${INSTALLER} --data /var/lib/velox\n`).and.include('Type=oneshot')
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...files.map((f) => f.path)], { encoding: 'utf8' })
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stderr).to.not.match(/bad unit file setting|Refusing|Unknown/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('removes the units of disks that left the table, and never a unit it did not write', async () => {
    const foreign = join(units(), 'mnt-backup.mount')
    writeFileSync(foreign, '[Unit]\nDescription=Backups\n\n[Mount]\nWhat=/dev/sdz1\nWhere=/mnt/backup\n')
    new DiskRegistry(join(data, 'etc')).update(record(2, 'removed').id, { state: 'removed' })
    const { stdout } = await install()
    expect(stdout).to.match(/mount units: 1 installed, 1 removed/)
    expect(readdirSync(units()).filter((n) => n.endsWith('.mount')).sort()).to.deep.equal([unitName(1), 'mnt-backup.mount'].sort())
    expect(existsSync(join(units(), 'velox.service.wants', unitName(2)))).to.equal(false)
    expect(existsSync(foreign)).to.equal(true)
  })
})
