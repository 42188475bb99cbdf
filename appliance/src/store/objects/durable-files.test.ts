/**
 * writeBody's periodic syncs: a sync that fails while the body streams in fails the write
 * (the kernel reports a writeback error once per open file, so the fsync at the end could
 * answer 0), and the temp file is gone.
 */
import { expect } from 'chai'
import { open, readdir, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { isVeloxError } from '../../errors.js'
import { chunked, patternBytes, scratchDir } from '../../../test/harness/objects/object-fixtures.js'
import { writeBody } from './durable-files.js'

/** `fh` whose datasync() fails with EIO the first time (a disk that failed a writeback). */
function failingFirstSync(fh: FileHandle): { fh: FileHandle; syncs: () => number } {
  let syncs = 0
  const wrapped = new Proxy(fh, {
    get(target, prop) {
      if (prop === 'datasync') {
        return () => {
          syncs++
          if (syncs === 1) return Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5 }))
          return target.datasync()
        }
      }
      const v = Reflect.get(target, prop, target) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return { fh: wrapped, syncs: () => syncs }
}

describe('writeBody (durable-files)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>
  beforeEach(async () => {
    scratch = await scratchDir()
  })
  afterEach(() => scratch.remove())

  for (const drop of [false, true]) {
    it(`fails the write when a sync fails while the body streams in (drop ${drop}), and removes the temp file`, async () => {
      const path = join(scratch.dir, 'body.tmp')
      const { fh, syncs } = failingFirstSync(await open(path, 'wx'))
      const body = patternBytes(20 * 1024 * 1024, 9)
      const err = await writeBody(path, fh, chunked(body, 65536), body.length, drop).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(syncs()).to.be.at.least(1)
      expect(isVeloxError(err, 'unavailable'), String(err)).to.equal(true)
      expect(await readdir(scratch.dir)).to.deep.equal([])
    })
  }

  it('writes the body when every sync succeeds', async () => {
    const path = join(scratch.dir, 'ok.tmp')
    const body = patternBytes(20 * 1024 * 1024, 10)
    const tmp = await writeBody(path, await open(path, 'wx'), chunked(body, 65536), body.length, true)
    await tmp.fh.close()
    expect(tmp.size).to.equal(body.length)
    expect(await readdir(scratch.dir)).to.deep.equal(['ok.tmp'])
  })
})
