/** Swift's on-disk file rules (obj/diskfile.py get_ondisk_files, replicated policy) as a table. */
import { expect } from 'chai'
import { chooseOndiskFiles, hashDirOf, parseFileName } from './layout.js'

const T = (n: number) => `1700000000.0000${n}`

describe('store/objects layout', () => {
  const cases: Array<{ why: string; files: string[]; data?: string; meta?: string; ts?: string; obsolete: string[] }> = [
    { why: 'nothing', files: [], obsolete: [] },
    { why: 'one data file', files: [`${T(1)}.data`], data: `${T(1)}.data`, obsolete: [] },
    { why: 'newest data wins, older data obsolete', files: [`${T(1)}.data`, `${T(2)}.data`], data: `${T(2)}.data`, obsolete: [`${T(1)}.data`] },
    { why: 'a newer .meta applies', files: [`${T(1)}.data`, `${T(2)}.meta`], data: `${T(1)}.data`, meta: `${T(2)}.meta`, obsolete: [] },
    { why: 'a .meta older than the data is obsolete', files: [`${T(2)}.data`, `${T(1)}.meta`], data: `${T(2)}.data`, obsolete: [`${T(1)}.meta`] },
    { why: 'only the newest .meta is kept', files: [`${T(1)}.data`, `${T(2)}.meta`, `${T(3)}.meta`], data: `${T(1)}.data`, meta: `${T(3)}.meta`, obsolete: [`${T(2)}.meta`] },
    { why: 'a newer tombstone hides the data', files: [`${T(1)}.data`, `${T(2)}.ts`], ts: `${T(2)}.ts`, obsolete: [`${T(1)}.data`] },
    { why: 'newer data beats an older tombstone', files: [`${T(1)}.ts`, `${T(2)}.data`], data: `${T(2)}.data`, obsolete: [`${T(1)}.ts`] },
    { why: 'a tombstone makes an older .meta obsolete', files: [`${T(1)}.data`, `${T(2)}.meta`, `${T(3)}.ts`], ts: `${T(3)}.ts`, obsolete: [`${T(1)}.data`, `${T(2)}.meta`] },
    { why: 'a .meta newer than a tombstone stays but shows nothing', files: [`${T(1)}.data`, `${T(2)}.ts`, `${T(3)}.meta`], ts: `${T(2)}.ts`, obsolete: [`${T(1)}.data`] },
    { why: 'only the newest tombstone is kept', files: [`${T(1)}.ts`, `${T(2)}.ts`], ts: `${T(2)}.ts`, obsolete: [`${T(1)}.ts`] },
    { why: 'data and tombstone at the same time: tombstone wins', files: [`${T(1)}.data`, `${T(1)}.ts`], ts: `${T(1)}.ts`, obsolete: [`${T(1)}.data`] },
    { why: 'sidecars follow their files', files: [`${T(1)}.data`, `${T(1)}.data.vxmeta`, `${T(2)}.data`, `${T(2)}.data.vxmeta`, `${T(9)}.ts.vxmeta`], data: `${T(2)}.data`, obsolete: [`${T(1)}.data`, `${T(1)}.data.vxmeta`, `${T(9)}.ts.vxmeta`] },
    { why: 'strays are neither chosen nor removed', files: [`${T(1)}.data`, 'junk', `${T(2)}.durable`, 'x.data'], data: `${T(1)}.data`, obsolete: [] },
    { why: 'offsets order after the same instant', files: [`${T(1)}.data`, `${T(1)}_0000000000000001.data`], data: `${T(1)}_0000000000000001.data`, obsolete: [`${T(1)}.data`] },
  ]
  for (const c of cases) {
    it(`chooses files: ${c.why}`, () => {
      const got = chooseOndiskFiles(c.files)
      expect(got.data?.name, 'data').to.equal(c.data)
      expect(got.meta?.name, 'meta').to.equal(c.meta)
      expect(got.ts?.name, 'ts').to.equal(c.ts)
      expect([...got.obsolete].sort(), 'obsolete').to.deep.equal([...c.obsolete].sort())
    })
  }

  it('parses only normal-form timestamps with a known kind', () => {
    expect(parseFileName(`${T(1)}.data`)?.kind).to.equal('data')
    expect(parseFileName('1700000000.1.data')).to.equal(undefined)
    expect(parseFileName(`${T(1)}.tmp`)).to.equal(undefined)
  })

  it('lays hash directories out by partition and suffix, and rejects non-hashes', () => {
    expect(hashDirOf('/srv/d1', 7, 'd41d8cd98f00b204e9800998ecf8427e')).to.equal('/srv/d1/objects/7/27e/d41d8cd98f00b204e9800998ecf8427e')
    expect(() => hashDirOf('/srv/d1', 7, '../../etc')).to.throw(/not an object hash/)
  })
})
