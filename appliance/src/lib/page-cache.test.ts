import { expect } from 'chai'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { diskScratchDir, residentBytes } from '../../test/harness/page-cache.js'
import { available, dropCache } from './page-cache.js'

const MiB = 1024 * 1024

describe('lib/page-cache (posix_fadvise DONTNEED through the native module)', () => {
  let scratch: Awaited<ReturnType<typeof diskScratchDir>>
  before(async () => {
    scratch = await diskScratchDir()
  })
  after(() => scratch.remove())

  async function syncedFile(name: string, size: number) {
    const path = join(scratch.dir, name)
    const fh = await open(path, 'w')
    await fh.write(Buffer.alloc(size, 7))
    await fh.datasync()
    return { path, fh }
  }

  it('is built (make build compiles appliance/native/page-cache.c)', () => {
    expect(available).to.equal(true)
  })

  it('drops a synced file from the page cache, whole (length 0) or a range of it', async () => {
    const { path, fh } = await syncedFile('whole', 8 * MiB)
    try {
      expect(residentBytes(path)).to.equal(8 * MiB)
      // (A range drops whole folios only: 4 MiB is aligned for any folio size.)
      expect(await dropCache(fh.fd, 0, 4 * MiB)).to.equal(0)
      expect(residentBytes(path)).to.equal(4 * MiB)
      expect(await dropCache(fh.fd, 0, 0)).to.equal(0)
      expect(residentBytes(path)).to.equal(0)
    } finally {
      await fh.close()
    }
  })

  it('answers an errno instead of throwing: no such fd, a negative offset', async () => {
    expect(await dropCache(2 ** 30, 0, 0)).to.equal(9) // EBADF
    expect(await dropCache(0, -1, 0)).to.equal(-1)
  })
})
