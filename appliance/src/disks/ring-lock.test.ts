/**
 * The ring-edit lock shared by the appliance and the CLI: a disk ring edit (RingPlacement) and
 * `velox ring` (a real process) wait while another live process holds it, go on when it is
 * released, fail with a message naming the holder when it is not, and take over the lock of
 * a holder that died.
 */
import { expect } from 'chai'
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RING_LOCK_FILE, ringLockHolder, withRingLock } from './ring-lock.js'
import { RingPlacement } from './ring-placement.js'

// dist/appliance/src/disks/ring-lock.test.js → dist/tools/cli/main.js
const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../tools/cli/main.js')

function velox(...args: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  const started = Date.now()
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8' }, (err, out, errOut) => done({ code: err ? Number(err.code) : 0, out, err: errOut, ms: Date.now() - started }))
  })
}

/** A pid that is certainly not running: a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)
}

describe('ring-edit lock (appliance and CLI)', function () {
  this.timeout(60_000)
  let dir: string
  const lockFile = () => join(dir, RING_LOCK_FILE)
  /** A lock held by another live process (pid 1 never edits rings, and is always there). */
  const holdAsOther = (pid = 1) => writeFileSync(lockFile(), JSON.stringify({ pid, what: 'velox disk: add disk7', since: new Date().toISOString() }))
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'velox-ring-lock-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('is held during an edit, reentrant within the process, and released after', () => {
    const seen = withRingLock(dir, 'outer', () => {
      const inner = withRingLock(dir, 'inner', () => ringLockHolder(dir))
      return { inner, after: ringLockHolder(dir) }
    })
    expect(seen.inner).to.include({ pid: process.pid, what: 'outer' })
    expect(seen.after).to.include({ pid: process.pid })
    expect(existsSync(lockFile())).to.equal(false)
    expect(() => withRingLock(dir, 'x', () => {
      throw new Error('boom')
    })).to.throw('boom')
    expect(existsSync(lockFile())).to.equal(false)
  })

  it('makes a disk ring edit fail with the holder named when another process keeps it', () => {
    const rings = new RingPlacement({ swiftDir: dir, region: 1, zone: 1, ip: '127.0.0.1', port: 6200, partPower: 4, replicas: 1, minPartHours: 0, lockWaitMs: 300 })
    holdAsOther()
    expect(() => rings.add('disk1', 1)).to.throw(/rings are being changed by process 1 \(velox disk: add disk7, since .*\); try again when it is done/)
    expect(existsSync(join(dir, 'object.builder'))).to.equal(false)
    rmSync(lockFile())
    expect(rings.add('disk1', 1)).to.deep.equal({ account: 0, container: 0, object: 0 })
    expect(existsSync(lockFile())).to.equal(false)
  })

  it('takes over the lock of a holder that died', () => {
    writeFileSync(lockFile(), JSON.stringify({ pid: deadPid(), what: 'velox ring add', since: new Date().toISOString() }))
    expect(withRingLock(dir, 'after a crash', () => ringLockHolder(dir)?.what, 300)).to.equal('after a crash')
  })

  it('makes `velox ring` wait while the lock is held briefly, then go on', async () => {
    holdAsOther(process.pid)
    const cli = velox('ring', join(dir, 'object.builder'), 'create', '4', '3', '1')
    setTimeout(() => rmSync(lockFile()), 700)
    const r = await cli
    expect(r.code, r.err).to.equal(0)
    expect(r.ms).to.be.at.least(600)
    expect(existsSync(join(dir, 'object.builder'))).to.equal(true)
  })

  it('makes `velox ring` fail with a clear message when the lock stays held', async () => {
    holdAsOther(process.pid)
    const r = await velox('ring', join(dir, 'object.builder'), 'create', '4', '3', '1')
    expect(r.code).to.equal(2)
    expect(r.err).to.match(new RegExp(`velox ring: the rings are being changed by process ${process.pid} \\(velox disk: add disk7`))
    expect(existsSync(join(dir, 'object.builder'))).to.equal(false)
    expect(ringLockHolder(dir)?.pid).to.equal(process.pid) // another's lock is never removed
  })
})
