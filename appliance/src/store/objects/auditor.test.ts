/** The auditor finds corrupted and truncated objects at a bounded rate, and can be stopped. */
import { expect } from 'chai'
import { open, readdir, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chunked, objectLoc, patternBytes, scratchDir, ts } from '../../../test/harness/objects/object-fixtures.js'
import { CRC_BLOCK_BYTES } from '../../lib/block-crc.js'
import { isVeloxError } from '../../errors.js'
import { ObjectAuditor, TokenBucket, type AuditQuarantine } from './auditor.js'
import { openDeviceObjects, type DeviceObjectStore } from './device-object-store.js'
import { hashDirOf, sidecarName } from './layout.js'
import { readMetadata, replaceXattrMetadata } from './metadata.js'

describe('ObjectAuditor', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>
  let store: DeviceObjectStore
  beforeEach(async () => {
    scratch = await scratchDir()
    store = await openDeviceObjects(scratch.dir)
  })
  afterEach(() => scratch.remove())

  const dataPath = (name: string, t: string) => {
    const loc = objectLoc(name)
    return join(hashDirOf(scratch.dir, loc.partition, loc.hash), `${t}.data`)
  }

  it('verifies every live object and quarantines a flipped byte and a truncated file', async () => {
    for (let i = 0; i < 20; i++) {
      await store.put(objectLoc(`o${i}`), { timestamp: ts(1), contentType: 'x', headers: {} }, chunked(patternBytes(10_000 + i, i + 1)))
    }
    await store.delete(objectLoc('o19'), ts(2))
    const fh = await open(dataPath('o3', ts(1)), 'r+')
    await fh.write(Buffer.from('!'), 0, 1, 5000)
    await fh.close()
    await truncate(dataPath('o7', ts(1)), 100)

    const told: AuditQuarantine[] = []
    const report = await new ObjectAuditor(store, { bytesPerSecond: 100e6, onQuarantined: (q) => told.push(q) }).runOnce()
    expect(report).to.include({ objects: 17, quarantined: 2, errors: 0, stopped: false })
    // Each with its name (found mid-read and found on open), for the cluster to re-create it.
    expect(told.map((q) => q.name).sort()).to.deep.equal([objectLoc('o3').name, objectLoc('o7').name])
    expect(report.bytes).to.equal(Array.from({ length: 19 }, (_, i) => 10_000 + i).filter((_, i) => i !== 3 && i !== 7).reduce((a, b) => a + b))
    expect((await readdir(join(scratch.dir, 'quarantined', 'objects'))).sort()).to.deep.equal([objectLoc('o3').hash, objectLoc('o7').hash].sort())
    const again = await new ObjectAuditor(store, { bytesPerSecond: 100e6 }).runOnce()
    expect(again).to.include({ objects: 17, quarantined: 0 })
  })

  for (const xattrs of [true, false]) {
    it(`gives an object written without block CRCs its CRCs once its MD5 has passed, so Range reads are checked (metadata in ${xattrs ? 'an xattr' : 'a sidecar'})`, async function () {
      const size = 3 * CRC_BLOCK_BYTES + 1000
      const loc = objectLoc('old')
      const st = xattrs ? store : await openDeviceObjects(scratch.dir, { xattrs: false })
      await st.put(loc, { timestamp: ts(1), contentType: 'x', headers: {} }, chunked(patternBytes(size, 7)))
      // As written before block CRCs existed: the same metadata without them.
      const path = dataPath('old', ts(1))
      const { blockCrc32: written, ...before } = (await readMetadata(path, path, { xattrs })) as { blockCrc32?: string }
      expect(written).to.be.a('string')
      if (!xattrs) await writeFile(sidecarName(path), JSON.stringify(before))
      else if (!(await replaceXattrMetadata(path, before, { xattrs: true }))) {
        console.log('      skipped: no user xattrs on this filesystem')
        this.skip()
      }
      const fresh = await openDeviceObjects(scratch.dir, { xattrs })
      const unchecked = await fresh.open(loc)
      expect(unchecked.meta.blockCrc32).to.equal(undefined)
      await unchecked.close()

      const report = await new ObjectAuditor(fresh, { bytesPerSecond: 1e9 }).runOnce()
      expect(report).to.include({ objects: 1, crcsAdded: 1, quarantined: 0, errors: 0 })
      const opened = await fresh.open(loc)
      expect(opened.meta.blockCrc32).to.equal(written)
      await opened.close()
      expect(await new ObjectAuditor(fresh, { bytesPerSecond: 1e9 }).runOnce()).to.include({ objects: 1, crcsAdded: 0 })
      expect(await readdir(join(scratch.dir, 'tmp'))).to.deep.equal([])

      // A flipped byte in block 2 now fails a Range read of that block (it was served before).
      const fh = await open(path, 'r+')
      await fh.write(Buffer.from([0x21]), 0, 1, 2 * CRC_BLOCK_BYTES + 10)
      await fh.close()
      const damaged = await fresh.open(loc)
      const read = async () => {
        for await (const _ of damaged.stream({ start: 2 * CRC_BLOCK_BYTES, end: 2 * CRC_BLOCK_BYTES + 99 })) void _
      }
      const err = await read().then(() => undefined, (e: unknown) => e)
      await damaged.close()
      expect(isVeloxError(err) && err.detail?.quarantined).to.equal(true)
    })
  }

  it('keeps to its byte rate and stops when asked', async () => {
    for (let i = 0; i < 4; i++) {
      await store.put(objectLoc(`slow${i}`), { timestamp: ts(1), contentType: 'x', headers: {} }, chunked(patternBytes(100_000, i + 1)))
    }
    const auditor = new ObjectAuditor(store, { bytesPerSecond: 200_000 })
    const started = performance.now()
    const passing = auditor.runOnce()
    await new Promise((r) => setTimeout(r, 900))
    await auditor.stop()
    const report = await passing
    const elapsed = performance.now() - started
    expect(report.stopped).to.equal(true)
    // 400 kB at 200 kB/s with a one-second bucket needs ~1 s; stopped at 0.9 s, before the end.
    expect(report.objects).to.be.lessThan(4)
    expect(elapsed).to.be.lessThan(1500)
  })

  it('token bucket: a burst of one second, then the rate', async () => {
    const bucket = new TokenBucket(1_000_000)
    const started = performance.now()
    await bucket.take(1_000_000)
    expect(performance.now() - started).to.be.lessThan(50)
    await bucket.take(200_000)
    expect(performance.now() - started).to.be.within(150, 400)
  })

  it('token bucket: a rate read at every take follows its conditions', async () => {
    let busy = false
    const bucket = new TokenBucket(() => (busy ? 100_000 : 1_000_000))
    await bucket.take(1_000_000)
    let started = performance.now()
    await bucket.take(100_000) // at the full rate: a tenth of a second
    expect(performance.now() - started).to.be.within(50, 300)
    busy = true
    started = performance.now()
    await bucket.take(50_000) // the debt left and this take, at a tenth of the rate: ~1.4 s
    expect(performance.now() - started).to.be.at.least(1000)
  })
})
