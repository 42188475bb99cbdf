/**
 * `velox disk` end to end as a process, on four loop devices (--only keeps it to them): list,
 * burn-in with progress, format with and without the typed confirmation, add, status, drain
 * refused below the replica count, replace, mount-units; human output and --json.
 * Needs root and loop devices (skips with the reason otherwise).
 */
import { expect } from 'chai'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { LoopDisks, skipWithoutLoopDevices } from '../../appliance/test/harness/loop-disks.js'

// dist/tools/cli/disk.test.js → dist/tools/cli/main.js
const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), 'main.js')
const run = promisify(execFile)

describe('velox disk (CLI)', function () {
  this.timeout(120_000)
  let disks: LoopDisks
  let data: string
  const ids: string[] = []
  const velox = (...args: string[]) => {
    const only = disks.devices.flatMap((d) => ['--only', d])
    const r = spawnSync(process.execPath, [MAIN, 'disk', ...args, '--data', data, ...only], { encoding: 'utf8', env: { ...process.env, VELOX_DEVICES_DIR: disks.devicesRoot } })
    return { code: r.status, out: r.stdout, err: r.stderr }
  }
  const json = (...args: string[]) => {
    const r = velox(...args, '--json')
    expect(r.code, r.err).to.equal(0)
    return JSON.parse(r.out)
  }

  before(async function () {
    await skipWithoutLoopDevices(this)
    disks = await LoopDisks.create(4, 320)
    data = mkdtempSync(join(tmpdir(), 'velox-disk-cli-'))
    // small rings that may move partitions at once, and a small burn-in sample
    writeFileSync(join(data, 'velox.json'), JSON.stringify({ embedded: { partPower: 8, minPartHours: 0 }, disks: { burnInSampleMiB: 16 } }))
    await run('mkfs.ext4', ['-q', '-F', disks.devices[3]!])
  })
  after(async () => {
    await disks?.destroy()
    if (data) rmSync(data, { recursive: true, force: true })
  })

  it('lists the disks as a table and as JSON', () => {
    const list = velox('list')
    expect(list.code, list.err).to.equal(0)
    const lines = list.out.trim().split('\n')
    expect(lines[0]).to.match(/^ID\s+PATH\s+SIZE\s+MEDIA\s+MODEL\s+SERIAL\s+STATE\s+DEVICE\s+SMART$/)
    expect(lines).to.have.length(5)
    expect(list.out).to.include('320 MiB').and.include('has data').and.include('blank')
    const body = json('list')
    for (const d of disks.devices) ids.push(body.disks.find((x: { path: string }) => x.path === d).id)
  })

  it('burns a disk in with progress lines and a verdict', () => {
    const r = velox('burn-in', ids[0]!)
    expect(r.code, r.err).to.equal(0)
    expect(r.out).to.match(/% (write|read-verify|smart-self-test)/)
    expect(r.out).to.match(/burn-in passed: \d+ MiB verified, write [\d.]+ MB\/s, read [\d.]+ MB\/s/)
  })

  it('formats, refusing a disk with data until its id is typed back, and adds three disks to the rings', () => {
    const refused = velox('format', ids[3]!)
    expect(refused.code).to.equal(1)
    expect(refused.err).to.include('has data on it').and.include(ids[3])
    expect(velox('format', ids[3]!, '--confirm', ids[3]!).code).to.equal(0)
    for (const id of ids.slice(0, 3)) {
      const f = velox('format', id)
      expect(f.code, f.err).to.equal(0)
      expect(f.out).to.match(/^formatted loop-\w+ as disk\d, mounted on .*disk\d \(UUID [0-9a-f-]{36}\)/)
    }
    expect(velox('add', ids[0]!).code).to.equal(0)
    const noBurnIn = velox('add', ids[1]!)
    expect(noBurnIn.code).to.equal(1)
    expect(noBurnIn.err).to.include('burn it in first')
    expect(velox('add', ids[1]!, '--skip-burn-in').code).to.equal(0)
    const third = velox('add', ids[2]!, '--skip-burn-in', '--ramp', '50')
    expect(third.out).to.match(/added disk\d to the rings: weight [\d.e-]+ of [\d.e-]+/)
  })

  it('shows the status, ramping the 50 % disk to full weight, and refuses to drain below three devices', () => {
    const s = json('status')
    expect(s.disks.map((d: { state: string }) => d.state).sort()).to.deep.equal(['formatted', 'in-ring', 'in-ring', 'in-ring'])
    s.disks = s.disks.filter((d: { state: string }) => d.state === 'in-ring')
    expect(s.ramped).to.have.length(1)
    for (const d of s.disks) expect(d).to.include({ state: 'in-ring', rampPercent: null })
    const human = velox('status')
    expect(human.out).to.match(/disk\d\s+in-ring\s+weight [\d.e-]+\/[\d.e-]+, \d+ object partitions/)
    const drain = velox('drain', ids[0]!)
    expect(drain.code).to.equal(1)
    expect(drain.err).to.include('would keep 2 devices for 3 replicas')
  })

  it('replaces a disk: shows the old serial/path and LED, the new one joins; writes mount units', () => {
    const r = json('replace', ids[0]!, '--with', ids[3]!, '--skip-burn-in')
    expect(r.old).to.include({ id: ids[0], state: 'draining', path: disks.devices[0] })
    expect(r.new.velox.state).to.equal('in-ring')
    const dir = join(data, 'units')
    const u = velox('mount-units', '--dir', dir)
    expect(u.code, u.err).to.equal(0)
    const files = u.out.trim().split('\n')
    expect(files).to.have.length(4)
    expect(readFileSync(files[0]!, 'utf8')).to.match(/What=\/dev\/disk\/by-uuid\/[0-9a-f-]{36}\n/)
  })
})
