import { expect } from 'chai'
import { appendFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { scratchDir, ts } from '../../../test/harness/objects/object-fixtures.js'
import { PendingJournal } from './pending-journal.js'

const update = (i: number) => ({ account: 'AUTH_a', container: 'c', object: `o${i}`, timestamp: ts(i) })

describe('PendingJournal (async_pending)', () => {
  it('gives back, after a reopen, exactly the entries not marked done; a torn last line is ignored', async () => {
    const scratch = await scratchDir('velox-pending-')
    try {
      const j = await PendingJournal.open(scratch.dir)
      expect(j.recovered).to.deep.equal([])
      // Recorded at once: one write and one fdatasync for all of them.
      const entries = await Promise.all(Array.from({ length: 20 }, (_, i) => j.record(update(i))))
      expect(new Set(entries.map((e) => e.id)).size).to.equal(20)
      for (const e of entries.filter((_, i) => i % 2 === 0)) await j.done(e.id)
      await j.close()
      const segment = (await readdir(join(scratch.dir, 'async_pending')))[0]
      await appendFile(join(scratch.dir, 'async_pending', segment), '+{"id":"1.99","acc')
      const again = await PendingJournal.open(scratch.dir)
      expect(again.recovered.map((e) => e.object).sort()).to.deep.equal(entries.filter((_, i) => i % 2 === 1).map((e) => e.object).sort())
      expect(again.recovered[0]).to.include({ account: 'AUTH_a', container: 'c' })
      // Done with the recovered ones too: their file goes, and a reopen finds nothing.
      for (const e of again.recovered) await again.done(e.id)
      const more = await again.record(update(100))
      await again.done(more.id)
      await again.close()
      const third = await PendingJournal.open(scratch.dir)
      expect(third.recovered).to.deep.equal([])
      expect(await readdir(join(scratch.dir, 'async_pending'))).to.have.length(1)
      await third.close()
    } finally {
      await scratch.remove()
    }
  })
})
