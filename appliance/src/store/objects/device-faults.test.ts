/**
 * DeviceObjectStore on real, small, loop-mounted filesystems: ext4's 4 KiB xattr room (sidecar
 * fallback), an immutable directory (EPERM → unavailable), a full device (ENOSPC →
 * insufficient-storage, nothing partial), a dead XFS (forced shutdown → unavailable), and a
 * power cut (XFS shutdown without log flush, then log recovery) keeping every acknowledged PUT.
 * Needs root and loop devices; skips with the reason otherwise (CI runs as root).
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { VeloxError, isVeloxError } from '../../errors.js'
import { chunked, objectLoc, patternBytes, readAll, ts, versionBody, rejection } from '../../../test/harness/objects/object-fixtures.js'
import { ScratchDisk, loopDevicesUnavailable } from '../../../test/harness/objects/scratch-disk.js'
import { openDeviceObjects, type DeviceObjectStore } from './device-object-store.js'
import { hashDirOf } from './layout.js'

const run = promisify(execFile)

const putBody = (store: DeviceObjectStore, name: string, body: Buffer, t: string, headers: Record<string, string> = {}) =>
  store.put(objectLoc(name), { timestamp: t, contentType: 'x', headers, size: body.length }, chunked(body))

async function readBack(store: DeviceObjectStore, name: string): Promise<Buffer> {
  const obj = await store.open(objectLoc(name))
  try {
    return await readAll(obj.stream())
  } finally {
    await obj.close()
  }
}

describe('DeviceObjectStore on loop-mounted filesystems', function () {
  this.timeout(120_000)

  before(async function () {
    const reason = await loopDevicesUnavailable()
    if (reason) {
      console.log(`      skipping loop-device tests: ${reason}`)
      this.skip()
    }
  })

  describe('ext4, 32 MiB, 4 KiB blocks', () => {
    let disk: ScratchDisk
    let store: DeviceObjectStore
    before(async () => {
      disk = await ScratchDisk.create({ fs: 'ext4', sizeMb: 32, mkfsArgs: ['-m', '0', '-b', '4096', '-I', '256'] })
      store = await openDeviceObjects(disk.dir)
    })
    after(() => disk?.destroy())

    it('keeps metadata too big for the inode xattr room in a sidecar, small metadata in the xattr', async () => {
      const big = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`x-object-meta-k${i}`, 'v'.repeat(250)]))
      await putBody(store, 'big-meta', Buffer.from('big'), ts(1), big)
      await putBody(store, 'small-meta', Buffer.from('small'), ts(1), { 'x-object-meta-a': 'b' })
      const files = async (name: string) => readdir(hashDirOf(disk.dir, objectLoc(name).partition, objectLoc(name).hash))
      expect((await files('big-meta')).sort()).to.deep.equal([`${ts(1)}.data`, `${ts(1)}.data.vxmeta`])
      expect(await files('small-meta')).to.deep.equal([`${ts(1)}.data`])
      const obj = await store.open(objectLoc('big-meta'))
      expect(obj.meta.headers).to.deep.equal(big)
      await obj.close()
      expect((await readBack(store, 'small-meta')).toString()).to.equal('small')
    })

    it('answers unavailable, not insufficient-storage, when the directory refuses the rename (EPERM)', async () => {
      await putBody(store, 'locked', Buffer.from('v1'), ts(1))
      const dir = hashDirOf(disk.dir, objectLoc('locked').partition, objectLoc('locked').hash)
      await run('chattr', ['+i', dir])
      try {
        const err = await rejection(putBody(store, 'locked', Buffer.from('v2'), ts(2)), 'unavailable')
        expect(err.detail).to.include({ code: 'EPERM' })
      } finally {
        await run('chattr', ['-i', dir])
      }
      expect((await readBack(store, 'locked')).toString()).to.equal('v1')
      expect(await readdir(store.tmpDir)).to.deep.equal([])
    })

    it('answers insufficient-storage on a full device and leaves no partial object', async () => {
      const stored: string[] = []
      let err: VeloxError | undefined
      for (let i = 0; i < 100 && !err; i++) {
        try {
          await putBody(store, `fill-${i}`, patternBytes(1024 * 1024, i + 1), ts(10))
          stored.push(`fill-${i}`)
        } catch (e) {
          if (!isVeloxError(e)) throw e
          err = e
        }
      }
      expect(err?.kind).to.equal('insufficient-storage')
      expect(stored.length).to.be.within(10, 40)
      await rejection(store.open(objectLoc(`fill-${stored.length}`)), 'not-found')
      expect(await readdir(store.tmpDir)).to.deep.equal([])
      for (const [i, name] of stored.entries()) expect((await readBack(store, name)).equals(patternBytes(1024 * 1024, i + 1))).to.equal(true)
      // Fill the last blocks with small objects; then big metadata needs a block for the xattr
      // and one for the sidecar, and neither exists → still 507, still nothing partial.
      for (let i = 0; i < 10_000; i++) {
        const small = await putBody(store, `small-${i}`, patternBytes(16 * 1024, i), ts(10)).catch((e: unknown) => e)
        if (isVeloxError(small, 'insufficient-storage')) break
        if (small instanceof Error) throw small
      }
      const big = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`x-object-meta-k${i}`, 'v'.repeat(250)]))
      await rejection(putBody(store, 'full-meta', Buffer.alloc(0), ts(10), big), 'insufficient-storage')
      await rejection(store.open(objectLoc('full-meta')), 'not-found')
      expect(await readdir(store.tmpDir)).to.deep.equal([])
      // Deleting frees space (cleanup removes the data files) and writes work again.
      for (const name of stored.slice(0, 3)) await store.delete(objectLoc(name), ts(11))
      await putBody(store, 'after-free', patternBytes(1024 * 1024, 99), ts(12))
      expect((await readBack(store, 'after-free')).equals(patternBytes(1024 * 1024, 99))).to.equal(true)
    })
  })

  describe('XFS, 320 MiB', () => {
    let disk: ScratchDisk
    beforeEach(async () => {
      disk = await ScratchDisk.create({ fs: 'xfs', sizeMb: 320 })
    })
    afterEach(() => disk?.destroy())

    it('answers unavailable for PUT and open once the filesystem is shut down (EIO)', async () => {
      const store = await openDeviceObjects(disk.dir)
      await putBody(store, 'before', Buffer.from('x'), ts(1))
      await disk.shutdown()
      const putErr = await rejection(putBody(store, 'after', Buffer.from('y'), ts(2)), 'unavailable')
      expect(putErr.detail).to.include({ code: 'EIO' })
      await rejection(store.open(objectLoc('before')), 'unavailable')
      await rejection(store.delete(objectLoc('before'), ts(3)), 'unavailable')
    })

    it('keeps every acknowledged PUT through a power cut (shutdown without log flush)', async () => {
      const store = await openDeviceObjects(disk.dir)
      const acked: Array<{ name: string; timestamp: string }> = []
      let stop = false
      let n = 0
      const worker = async () => {
        while (!stop) {
          const i = n++
          const name = `pc-${i % 50}`
          const timestamp = ts(i + 1)
          try {
            await store.put(objectLoc(name), { timestamp, contentType: 'x', headers: {} }, chunked(versionBody(name, timestamp)))
            acked.push({ name, timestamp })
          } catch (err) {
            if (!isVeloxError(err, 'unavailable') && !isVeloxError(err, 'conflict')) throw err
          }
        }
      }
      const workers = Array.from({ length: 8 }, worker)
      await new Promise((r) => setTimeout(r, 700))
      await disk.shutdown(false)
      stop = true
      await Promise.all(workers)
      await disk.remount()
      const recovered = await openDeviceObjects(disk.dir)
      await recovered.cleanStaleTempFiles()
      expect(acked.length).to.be.greaterThan(20)
      const newest = new Map<string, string>()
      for (const { name, timestamp } of acked) if (timestamp > (newest.get(name) ?? '')) newest.set(name, timestamp)
      for (const [name, timestamp] of newest) {
        const obj = await recovered.open(objectLoc(name))
        const body = await readAll(obj.stream())
        await obj.close()
        expect(obj.meta.timestamp >= timestamp, `${name}: ${obj.meta.timestamp} < acknowledged ${timestamp}`).to.equal(true)
        expect(body.equals(versionBody(name, obj.meta.timestamp))).to.equal(true)
      }
      expect(await readdir(join(disk.dir, 'quarantined')).catch(() => [])).to.deep.equal([])
    })
  })
})
