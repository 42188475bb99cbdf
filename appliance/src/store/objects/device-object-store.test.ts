/**
 * Behaviour of DeviceObjectStore on a real directory: round trips, Swift's timestamp rules,
 * fast POST, range reads, quarantine, sidecar metadata, temp-file hygiene and races.
 */
import { expect } from 'chai'
import { open as openFile, readdir, readFile, readlink, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { setAttribute } from 'fs-xattr'
import { VeloxError, isVeloxError } from '../../errors.js'
import { chunked, md5Hex, objectLoc, patternBytes, readAll, scratchDir, seededRandom, ts, rejection } from '../../../test/harness/objects/object-fixtures.js'
import { openDeviceObjects, type DeviceObjectStore } from './device-object-store.js'
import type { DigestedBody } from '../types.js'
import { hashDirOf } from './layout.js'
import { XATTR_NAME } from './metadata.js'

describe('DeviceObjectStore', () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>
  let store: DeviceObjectStore
  const quarantined: string[] = []

  beforeEach(async () => {
    scratch = await scratchDir()
    quarantined.length = 0
    store = await openDeviceObjects(scratch.dir, { onQuarantine: (e) => quarantined.push(e.reason) })
  })
  afterEach(() => scratch.remove())

  const put = (name: string, body: Buffer, t: string, extra: Partial<Parameters<DeviceObjectStore['put']>[1]> = {}) =>
    store.put(objectLoc(name), { timestamp: t, contentType: 'application/octet-stream', headers: {}, ...extra }, chunked(body, 1000))
  const filesOf = async (name: string) => {
    const loc = objectLoc(name)
    return (await readdir(hashDirOf(scratch.dir, loc.partition, loc.hash))).sort()
  }

  it('stores an object and reads it back with its metadata', async () => {
    const body = patternBytes(200_000, 1)
    const headers = { 'x-object-meta-colour': 'blue', 'content-disposition': 'inline' }
    const meta = await put('o', body, ts(1), { contentType: 'image/png', headers, etag: md5Hex(body), size: body.length })
    expect(meta).to.deep.equal({ name: '/a/c/o', timestamp: ts(1), contentType: 'image/png', etag: md5Hex(body), size: body.length, headers })
    const obj = await store.open(objectLoc('o'))
    expect(obj.meta).to.deep.equal(meta)
    expect(obj.metaTimestamp).to.equal(undefined)
    expect((await readAll(obj.stream())).equals(body)).to.equal(true)
    await obj.close()
    expect(await filesOf('o')).to.deep.equal([`${ts(1)}.data`])
    expect(await readdir(store.tmpDir)).to.deep.equal([])
  })

  it('stores an empty object', async () => {
    await put('empty', Buffer.alloc(0), ts(1), { size: 0 })
    const obj = await store.open(objectLoc('empty'))
    expect(obj.meta.etag).to.equal(md5Hex(''))
    expect((await readAll(obj.stream())).length).to.equal(0)
    await obj.close()
  })

  it('serves byte ranges, clamping the end and refusing a start past the end', async () => {
    const body = patternBytes(150_000, 2)
    await put('r', body, ts(1))
    const obj = await store.open(objectLoc('r'))
    for (const [start, end] of [[0, 0], [1, 99], [65_535, 65_537], [100_000, 149_999], [149_999, 200_000]]) {
      const got = await readAll(obj.stream({ start, end }))
      expect(got.equals(body.subarray(start, end + 1)), `${start}-${end}`).to.equal(true)
    }
    expect(() => obj.stream({ start: 150_000, end: 150_001 })).to.throw(VeloxError).with.property('kind', 'range-not-satisfiable')
    expect(() => obj.stream({ start: 5, end: 4 })).to.throw(VeloxError).with.property('kind', 'range-not-satisfiable')
    await obj.close()
  })

  it('close() releases the descriptor at once when a stream was made but never read, and after a stream being read ends', async () => {
    const body = patternBytes(3_000_000, 5)
    await put('fd', body, ts(1))
    // Descriptors open on this store's files (a hashing thread starting meanwhile opens others).
    const fds = async () => {
      const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')))
      return links.filter((l) => l.startsWith(scratch.dir)).length
    }
    const before = await fds()
    const unread = await store.open(objectLoc('fd'))
    unread.stream()
    expect(await fds()).to.equal(before + 1)
    await unread.close()
    await new Promise((r) => setImmediate(r))
    expect(await fds()).to.equal(before)
    const reading = await store.open(objectLoc('fd'))
    const s = reading.stream()
    const first = await s[Symbol.asyncIterator]().next()
    expect(first.done).to.equal(false)
    await reading.close()
    // Still open for the reader that has started; closed once it is done with the stream.
    expect(await fds()).to.equal(before + 1)
    s.destroy()
    await new Promise((r) => setTimeout(r, 20))
    expect(await fds()).to.equal(before)
  })

  it('refuses an ETag mismatch, a short body and a failing body, leaving nothing behind', async () => {
    const body = patternBytes(5000, 3)
    await rejection(put('bad', body, ts(1), { etag: md5Hex('other') }), 'etag-mismatch')
    await rejection(put('bad', body, ts(2), { size: 6000 }), 'client-disconnected')
    await rejection(put('bad', body, ts(3), { size: 10 }), 'bad-request')
    const failing = Readable.from((async function* () {
      yield Buffer.from('partial')
      throw new Error('socket reset')
    })())
    await rejection(store.put(objectLoc('bad'), { timestamp: ts(4), contentType: 'x', headers: {} }, failing), 'client-disconnected')
    await rejection(store.open(objectLoc('bad')), 'not-found')
    expect(await readdir(store.tmpDir)).to.deep.equal([])
  })

  it('takes the MD5 of a DigestedBody instead of hashing again, and still checks it against the ETag', async () => {
    const body = patternBytes(300_000, 4)
    const digested = (md5: string): DigestedBody => ({ [Symbol.asyncIterator]: () => chunked(body, 65536)[Symbol.asyncIterator](), md5: async () => md5 })
    const meta = await store.put(objectLoc('d'), { timestamp: ts(1), contentType: 'x', headers: {}, etag: md5Hex(body), size: body.length }, digested(md5Hex(body)))
    expect(meta.etag).to.equal(md5Hex(body))
    const obj = await store.open(objectLoc('d'))
    expect((await readAll(obj.stream())).equals(body)).to.equal(true)
    await obj.close()
    // The producer's digest is what the store records and checks: a wrong one is refused.
    const wrong = md5Hex('other')
    await rejection(store.put(objectLoc('d'), { timestamp: ts(2), contentType: 'x', headers: {}, etag: md5Hex(body) }, digested(wrong)), 'etag-mismatch')
    expect(await readdir(store.tmpDir)).to.deep.equal([])
  })

  it('never lets an older or equal timestamp replace a newer one', async () => {
    await put('t', Buffer.from('new'), ts(10))
    const err = await rejection(put('t', Buffer.from('old'), ts(5)), 'conflict')
    expect(err.detail).to.deep.equal({ timestamp: ts(10) })
    await rejection(put('t', Buffer.from('same'), ts(10)), 'conflict')
    await rejection(store.delete(objectLoc('t'), ts(10)), 'conflict')
    const obj = await store.open(objectLoc('t'))
    expect((await readAll(obj.stream())).toString()).to.equal('new')
    await obj.close()
    expect(await readdir(store.tmpDir)).to.deep.equal([])
  })

  it('deletes with a tombstone that hides the data and reports the version it covered', async () => {
    const first = await put('d', Buffer.from('body'), ts(1))
    expect(await store.delete(objectLoc('d'), ts(2))).to.deep.equal(first)
    const err = await rejection(store.open(objectLoc('d')), 'not-found')
    expect(err.detail).to.deep.equal({ timestamp: ts(2) })
    expect(await filesOf('d')).to.deep.equal([`${ts(2)}.ts`])
    await rejection(put('d', Buffer.from('older'), ts(2)), 'conflict')
    expect(await store.delete(objectLoc('gone'), ts(3))).to.equal(undefined)
    expect(await filesOf('gone')).to.deep.equal([`${ts(3)}.ts`])
    await put('d', Buffer.from('again'), ts(3))
    expect(await filesOf('d')).to.deep.equal([`${ts(3)}.data`])
  })

  it('applies a newer fast POST and keeps the data file sysmeta; a newer PUT removes the .meta', async () => {
    const headers = { 'x-object-meta-a': '1', 'x-object-sysmeta-slo': 'yes', 'content-encoding': 'gzip' }
    await put('p', Buffer.from('body'), ts(1), { headers })
    await store.post(objectLoc('p'), ts(2), { 'x-object-meta-b': '2' })
    await rejection(store.post(objectLoc('p'), ts(2), { 'x-object-meta-c': '3' }), 'conflict')
    await store.post(objectLoc('p'), ts(3), { 'x-object-meta-b': '3' })
    let obj = await store.open(objectLoc('p'))
    expect(obj.meta.headers).to.deep.equal({ 'x-object-meta-b': '3', 'x-object-sysmeta-slo': 'yes' })
    expect(obj.meta.timestamp).to.equal(ts(1))
    expect(obj.metaTimestamp).to.equal(ts(3))
    await obj.close()
    expect(await filesOf('p')).to.deep.equal([`${ts(1)}.data`, `${ts(3)}.meta`])
    await put('p', Buffer.from('v2'), ts(4), { headers: { 'x-object-meta-z': 'z' } })
    expect(await filesOf('p')).to.deep.equal([`${ts(4)}.data`])
    obj = await store.open(objectLoc('p'))
    expect(obj.meta.headers).to.deep.equal({ 'x-object-meta-z': 'z' })
    expect(obj.metaTimestamp).to.equal(undefined)
    await obj.close()
    await rejection(store.post(objectLoc('nothing'), ts(5), {}), 'not-found')
    await store.delete(objectLoc('p'), ts(6))
    const err = await rejection(store.post(objectLoc('p'), ts(7), {}), 'not-found')
    expect(err.detail).to.deep.equal({ timestamp: ts(6) })
  })

  it('ignores a .meta older than the data file and cleans it up on the next write', async () => {
    await put('m', Buffer.from('body'), ts(5))
    const loc = objectLoc('m')
    const dir = hashDirOf(scratch.dir, loc.partition, loc.hash)
    await writeFile(join(dir, `${ts(4)}.meta`), '')
    await setAttribute(join(dir, `${ts(4)}.meta`), XATTR_NAME, JSON.stringify({ name: loc.name, timestamp: ts(4), headers: { 'x-object-meta-old': '1' } }))
    const obj = await store.open(loc)
    expect(obj.meta.headers).to.deep.equal({})
    expect(obj.metaTimestamp).to.equal(undefined)
    await obj.close()
    await store.post(loc, ts(6), { 'x-object-meta-new': '1' })
    expect(await filesOf('m')).to.deep.equal([`${ts(5)}.data`, `${ts(6)}.meta`])
  })

  it('keeps serving an opened object through an overwrite and a delete', async () => {
    const body = patternBytes(300_000, 4)
    await put('h', body, ts(1))
    const obj = await store.open(objectLoc('h'))
    await put('h', Buffer.from('new'), ts(2))
    await store.delete(objectLoc('h'), ts(3))
    expect((await readAll(obj.stream())).equals(body)).to.equal(true)
    await obj.close()
  })

  it('quarantines on a corrupted byte when a whole-body read ends, and serves it no more', async () => {
    const body = patternBytes(100_000, 5)
    await put('q', body, ts(1))
    const loc = objectLoc('q')
    const dir = hashDirOf(scratch.dir, loc.partition, loc.hash)
    const fh = await openFile(join(dir, `${ts(1)}.data`), 'r+')
    await fh.write(Buffer.from([body[77_777]! ^ 0xff]), 0, 1, 77_777)
    await fh.close()
    const obj = await store.open(loc)
    const ranged = await readAll(obj.stream({ start: 0, end: 99 }))
    expect(ranged.equals(body.subarray(0, 100))).to.equal(true)
    const err = await rejection(readAll(obj.stream()), 'internal')
    expect(err.detail).to.include({ quarantined: true })
    await obj.close()
    expect(quarantined).to.have.length(1)
    await rejection(store.open(loc), 'not-found')
    expect(await readdir(join(scratch.dir, 'quarantined', 'objects'))).to.deep.equal([loc.hash])
  })

  it('quarantines a truncated data file on open and answers not-found', async () => {
    await put('tr', patternBytes(10_000, 6), ts(1))
    const loc = objectLoc('tr')
    await truncate(join(hashDirOf(scratch.dir, loc.partition, loc.hash), `${ts(1)}.data`), 9_999)
    const err = await rejection(store.open(loc), 'not-found')
    expect(err.detail).to.include({ quarantined: true })
    expect(await readdir(join(scratch.dir, 'quarantined', 'objects'))).to.deep.equal([loc.hash])
    // A second quarantine of the same hash goes beside the first.
    await put('tr', patternBytes(10, 6), ts(2))
    await truncate(join(hashDirOf(scratch.dir, loc.partition, loc.hash), `${ts(2)}.data`), 1)
    await rejection(store.open(loc), 'not-found')
    expect(await readdir(join(scratch.dir, 'quarantined', 'objects'))).to.have.length(2)
  })

  it('quarantines a data file whose metadata is unreadable', async () => {
    await put('bm', Buffer.from('x'), ts(1))
    const loc = objectLoc('bm')
    await setAttribute(join(hashDirOf(scratch.dir, loc.partition, loc.hash), `${ts(1)}.data`), XATTR_NAME, '{"name": tru')
    const err = await rejection(store.open(loc), 'not-found')
    expect(err.detail).to.include({ quarantined: true })
  })

  it('answers not-found for a hash directory that holds another name', async () => {
    await put('x', Buffer.from('x'), ts(1))
    const err = await rejection(store.open({ ...objectLoc('x'), name: '/a/c/y' }), 'not-found')
    expect(err.detail).to.deep.equal({ collision: '/a/c/x' })
  })

  it('keeps metadata in sidecar files when xattrs are off, and reads them back', async () => {
    const sidecars = await openDeviceObjects(scratch.dir, { xattrs: false })
    const body = patternBytes(1000, 7)
    const headers = { 'x-object-meta-big': 'v'.repeat(8000) }
    await sidecars.put(objectLoc('s'), { timestamp: ts(1), contentType: 'text/plain', headers }, chunked(body))
    await sidecars.post(objectLoc('s'), ts(2), { 'x-object-meta-after': 'post' })
    expect(await filesOf('s')).to.deep.equal([`${ts(1)}.data`, `${ts(1)}.data.vxmeta`, `${ts(2)}.meta`, `${ts(2)}.meta.vxmeta`])
    const obj = await sidecars.open(objectLoc('s'))
    expect(obj.meta.contentType).to.equal('text/plain')
    expect(obj.meta.headers).to.deep.equal({ 'x-object-meta-after': 'post' })
    expect((await readAll(obj.stream())).equals(body)).to.equal(true)
    await obj.close()
    await sidecars.delete(objectLoc('s'), ts(3))
    expect(await filesOf('s')).to.deep.equal([`${ts(3)}.ts`, `${ts(3)}.ts.vxmeta`])
    const meta = JSON.parse(await readFile(join(hashDirOf(scratch.dir, objectLoc('s').partition, objectLoc('s').hash), `${ts(3)}.ts.vxmeta`), 'utf8'))
    expect(meta).to.deep.equal({ name: '/a/c/s', timestamp: ts(3) })
  })

  it('removes stale temp files at startup', async () => {
    await writeFile(join(store.tmpDir, 'left-by-a-crash.tmp'), 'partial')
    await writeFile(join(store.tmpDir, 'left-by-a-crash.tmp.vxmeta'), '{}')
    expect(await store.cleanStaleTempFiles(60_000)).to.equal(0)
    expect(await store.cleanStaleTempFiles()).to.equal(2)
    expect(await readdir(store.tmpDir)).to.deep.equal([])
  })

  it('settles concurrent PUT, DELETE and POST with different timestamps to the newest', async () => {
    const seed = Date.now() % 1_000_000
    const random = seededRandom(seed)
    for (let round = 0; round < 40; round++) {
      const loc = objectLoc(`race-${round}`)
      const ops = Array.from({ length: 12 }, (_, i) => ({ t: ts(i + 1), kind: (['put', 'put', 'delete', 'post'] as const)[Math.floor(random() * 4)]! }))
      ops.sort(() => random() - 0.5)
      const posted: string[] = []
      await Promise.all(
        ops.map(async ({ t, kind }) => {
          try {
            if (kind === 'put') await store.put(loc, { timestamp: t, contentType: 'x', headers: {} }, chunked(Buffer.from(`body@${t}`), 3))
            else if (kind === 'delete') await store.delete(loc, t)
            else {
              await store.post(loc, t, { 'x-object-meta-t': t })
              posted.push(t)
            }
          } catch (err) {
            if (!isVeloxError(err, 'conflict') && !isVeloxError(err, 'not-found')) throw err
          }
        }),
      )
      const why = `seed ${seed} round ${round}: ${JSON.stringify(ops)}`
      const winner = ops.filter((o) => o.kind !== 'post').sort((a, b) => (a.t < b.t ? 1 : -1))[0]
      if (!winner || winner.kind === 'delete') {
        const err = await rejection(store.open(loc), 'not-found')
        if (winner) expect(err.detail, why).to.deep.equal({ timestamp: winner.t })
        continue
      }
      const obj = await store.open(loc)
      expect((await readAll(obj.stream())).toString(), why).to.equal(`body@${winner.t}`)
      const newerPosts = posted.filter((t) => t > winner.t).sort()
      expect(obj.metaTimestamp, why).to.equal(newerPosts.at(-1))
      expect(obj.meta.headers, why).to.deep.equal(newerPosts.length ? { 'x-object-meta-t': newerPosts.at(-1) } : {})
      await obj.close()
      expect(await filesOf(`race-${round}`), why).to.deep.equal([`${winner.t}.data`, ...newerPosts.slice(-1).map((t) => `${t}.meta`)])
    }
    expect(await readdir(store.tmpDir)).to.deep.equal([])
  })
})
