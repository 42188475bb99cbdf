/**
 * What the replicator reads and removes on a device: suffix hashes that match exactly when two
 * devices hold the same object states and follow every write, per-object states, a handoff's
 * hash directory removed only while unchanged, and tombstones reclaimed after reclaim_age with
 * the directories they leave empty.
 */
import { expect } from 'chai'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { objectLoc, scratchDir, ts } from '../../../test/harness/objects/object-fixtures.js'
import { openDeviceObjects, type DeviceObjectStore } from './device-object-store.js'
import { hashDirOf } from './layout.js'
import { hashStates, readReplica, reclaimPartition, removeHashDirIfUnchanged } from './replica-files.js'

describe('replica files and suffix hashes', () => {
  let scratch: Array<Awaited<ReturnType<typeof scratchDir>>>
  let a: DeviceObjectStore
  let b: DeviceObjectStore
  beforeEach(async () => {
    scratch = [await scratchDir(), await scratchDir()]
    a = await openDeviceObjects(scratch[0].dir)
    b = await openDeviceObjects(scratch[1].dir)
  })
  afterEach(async () => Promise.all(scratch.map((s) => s.remove())))

  const put = (store: DeviceObjectStore, name: string, t: string, body = 'x') =>
    store.put(objectLoc(name), { timestamp: t, contentType: 'text/plain', headers: {} }, Readable.from([Buffer.from(body)]))
  const loc = objectLoc('o')

  it('gives equal suffix hashes for equal states and follows each write', async () => {
    await put(a, 'o', ts(1))
    await put(b, 'o', ts(1))
    const suffix = loc.hash.slice(-3)
    const first = await a.suffixHashes.get(loc.partition)
    expect(Object.keys(first)).to.deep.equal([suffix])
    expect(await b.suffixHashes.get(loc.partition)).to.deep.equal(first)
    await a.post(loc, ts(2), { 'x-object-meta-k': 'v' })
    const afterPost = await a.suffixHashes.get(loc.partition)
    expect(afterPost[suffix]).to.not.equal(first[suffix])
    await b.post(loc, ts(2), { 'x-object-meta-k': 'v' })
    expect(await b.suffixHashes.get(loc.partition)).to.deep.equal(afterPost)
    await a.delete(loc, ts(3))
    expect((await a.suffixHashes.get(loc.partition))[suffix]).to.not.equal(afterPost[suffix])
  })

  it('reports each object\'s state and opens its files with their own metadata', async () => {
    await put(a, 'o', ts(1), 'hello')
    await a.post(loc, ts(2), { 'x-object-meta-k': 'v' })
    const states = await hashStates(a, loc.partition, [loc.hash.slice(-3)])
    expect(Object.fromEntries(states)).to.deep.equal({ [loc.hash]: { data: ts(1), meta: ts(2), ts: undefined } })
    const files = await readReplica(a, loc.partition, loc.hash)
    try {
      expect(files?.name).to.equal(loc.name)
      expect(files?.data?.meta).to.include({ timestamp: ts(1), size: 5 })
      expect(files?.meta).to.deep.include({ timestamp: ts(2), headers: { 'x-object-meta-k': 'v' } })
    } finally {
      await files?.close()
    }
  })

  it('removes a handoff hash directory only while it holds what was pushed', async () => {
    await put(a, 'o', ts(1))
    expect(await removeHashDirIfUnchanged(a, loc.partition, loc.hash, [`${ts(0)}.data`])).to.equal(false)
    expect(await removeHashDirIfUnchanged(a, loc.partition, loc.hash, [`${ts(1)}.data`])).to.equal(true)
    expect(existsSync(hashDirOf(a.root, loc.partition, loc.hash))).to.equal(false)
    expect(await a.suffixHashes.get(loc.partition)).to.deep.equal({})
  })

  it('reclaims tombstones older than reclaim_age and the directories left empty', async () => {
    const old = objectLoc('old')
    await a.delete(old, ts(0))
    await a.delete(loc, ts(0, Math.floor(Date.now() / 1000)))
    const week = 7 * 86400
    const r = await reclaimPartition(a, old.partition, week)
    expect(r.tombstones).to.equal(1)
    expect(existsSync(hashDirOf(a.root, old.partition, old.hash))).to.equal(false)
    expect(existsSync(join(a.root, 'objects', String(old.partition), old.hash.slice(-3)))).to.equal(old.partition === loc.partition && old.hash.slice(-3) === loc.hash.slice(-3))
    expect(existsSync(hashDirOf(a.root, loc.partition, loc.hash))).to.equal(true)
  })
})
