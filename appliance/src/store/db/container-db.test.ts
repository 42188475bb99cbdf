import { expect } from 'chai'
import fc from 'fast-check'
import { isVeloxError } from '../../errors.js'
import type { ObjectRow } from '../types.js'
import { decodeObjectRow, encodeObjectRow, listedObjectRow } from './records.js'
import { tempDevice, ts, type TempDevice } from './test-helpers.js'

const A = 'AUTH_t'
const row = (name: string, n: number, size = 100, deleted = false): ObjectRow => ({
  name,
  timestamp: ts(n),
  size: deleted ? 0 : size,
  contentType: 'application/octet-stream',
  etag: deleted ? '' : `etag-${n}`,
  deleted,
})

async function expectError(promise: Promise<unknown>, kind: 'not-found' | 'conflict' | 'bad-request'): Promise<void> {
  try {
    await promise
  } catch (err) {
    expect(isVeloxError(err, kind), String(err)).to.equal(true)
    return
  }
  expect.fail(`expected ${kind}`)
}

describe('store/db container databases', () => {
  let device: TempDevice
  beforeEach(async () => {
    device = await tempDevice()
  })
  afterEach(() => device.remove())

  it('creates a container once and reports existing on the next put', async () => {
    expect(await device.dbs.putContainer(5, A, 'c', ts(10))).to.deep.equal({ created: true })
    expect(await device.dbs.putContainer(5, A, 'c', ts(20))).to.deep.equal({ created: false })
    const info = await device.dbs.getContainer(A, 'c')
    expect(info).to.include({ account: A, container: 'c', putTimestamp: ts(20), createdAt: ts(10), objectCount: 0, bytesUsed: 0, storagePolicyIndex: 0 })
  })

  it('refuses to delete a non-empty container and a missing one', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(10))
    await device.dbs.putObjectRow(A, 'c', row('o', 11))
    await expectError(device.dbs.deleteContainer(A, 'c', ts(12)), 'conflict')
    await expectError(device.dbs.deleteContainer(A, 'nope', ts(12)), 'not-found')
    await device.dbs.putObjectRow(A, 'c', row('o', 13, 0, true))
    await device.dbs.deleteContainer(A, 'c', ts(14))
    expect(await device.dbs.getContainer(A, 'c')).to.equal(undefined)
    await expectError(device.dbs.deleteContainer(A, 'c', ts(15)), 'not-found')
    await expectError(device.dbs.listObjects(A, 'c', { limit: 10 }), 'not-found')
  })

  it('re-creates a deleted container, with blank metadata, and refuses a put older than the delete', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(10), { 'x-container-meta-color': { value: 'red', timestamp: ts(10) } })
    await device.dbs.deleteContainer(A, 'c', ts(20))
    await expectError(device.dbs.putContainer(1, A, 'c', ts(15)), 'conflict')
    await expectError(device.dbs.updateContainerMetadata(A, 'c', { 'x-container-meta-a': { value: '1', timestamp: ts(21) } }), 'not-found')
    expect(await device.dbs.putContainer(1, A, 'c', ts(30), undefined, 2)).to.deep.equal({ created: true })
    const info = await device.dbs.getContainer(A, 'c')
    expect(info).to.include({ putTimestamp: ts(30), deleteTimestamp: ts(20), createdAt: ts(30), storagePolicyIndex: 2 })
    expect(info?.metadata).to.deep.equal({})
  })

  it('refuses a delete older than the last put', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(10))
    await expectError(device.dbs.deleteContainer(A, 'c', ts(5)), 'conflict')
    expect(await device.dbs.getContainer(A, 'c')).to.not.equal(undefined)
  })

  it('merges metadata per key, newest wins, empty value removes', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(10), { 'x-container-meta-a': { value: '1', timestamp: ts(10) } })
    await device.dbs.updateContainerMetadata(A, 'c', {
      'x-container-meta-a': { value: 'old', timestamp: ts(9) },
      'x-container-meta-b': { value: '2', timestamp: ts(11) },
    })
    expect((await device.dbs.getContainer(A, 'c'))?.metadata).to.deep.equal({
      'x-container-meta-a': { value: '1', timestamp: ts(10) },
      'x-container-meta-b': { value: '2', timestamp: ts(11) },
    })
    await device.dbs.updateContainerMetadata(A, 'c', { 'x-container-meta-a': { value: '', timestamp: ts(12) } })
    await device.dbs.updateContainerMetadata(A, 'c', { 'x-container-meta-a': { value: 'stale', timestamp: ts(11) } })
    expect((await device.dbs.getContainer(A, 'c'))?.metadata).to.deep.equal({ 'x-container-meta-b': { value: '2', timestamp: ts(11) } })
    await expectError(device.dbs.updateContainerMetadata(A, 'nope', {}), 'not-found')
  })

  it('ignores an older update that arrives after a newer one', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(1))
    await device.dbs.putObjectRow(A, 'c', row('o', 30, 300))
    await device.dbs.putObjectRow(A, 'c', row('o', 20, 200))
    await device.dbs.putObjectRow(A, 'c', row('o', 25, 0, true))
    await device.dbs.putObjectRow(A, 'c', row('o', 30, 999))
    expect(await device.dbs.listObjects(A, 'c', { limit: 10 })).to.deep.equal([row('o', 30, 300)])
    expect(await device.dbs.getContainer(A, 'c')).to.include({ objectCount: 1, bytesUsed: 300 })
    await device.dbs.putObjectRow(A, 'c', row('o', 40, 0, true))
    await device.dbs.putObjectRow(A, 'c', row('o', 35, 350))
    expect(await device.dbs.getContainer(A, 'c')).to.include({ objectCount: 0, bytesUsed: 0 })
  })

  it('keeps stats exact under concurrent updates in any order', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(1))
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), n: fc.integer({ min: 2, max: 500 }), size: fc.nat(1000), deleted: fc.boolean() }), { maxLength: 40 }), async (ops) => {
        const container = `c${Math.random().toString(36).slice(2)}`
        await device.dbs.putContainer(1, A, container, ts(1))
        await Promise.all(ops.map((op) => device.dbs.putObjectRow(A, container, row(op.name, op.n, op.size, op.deleted))))
        const newest = new Map<string, ObjectRow>()
        for (const op of ops) {
          const r = row(op.name, op.n, op.size, op.deleted)
          const old = newest.get(op.name)
          if (!old || old.timestamp < r.timestamp) newest.set(op.name, r)
        }
        const live = [...newest.values()].filter((r) => !r.deleted)
        expect(await device.dbs.getContainer(A, container)).to.include({ objectCount: live.length, bytesUsed: live.reduce((s, r) => s + r.size, 0) })
        expect((await device.dbs.listObjects(A, container, { limit: 100 })).length).to.equal(live.length)
      }),
      { numRuns: 60 },
    )
  })

  it('revives a deleted container when a live row arrives, as Swift does', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(10))
    await device.dbs.deleteContainer(A, 'c', ts(20))
    await device.dbs.putObjectRow(A, 'c', row('late', 15))
    expect(await device.dbs.getContainer(A, 'c')).to.include({ objectCount: 1 })
    await expectError(device.dbs.putObjectRow(A, 'never', row('o', 1)), 'not-found')
  })

  it('keeps everything across a reopen', async () => {
    await device.dbs.putAccount(3, A, ts(1))
    await device.dbs.putContainer(3, A, 'c', ts(2), { 'x-container-meta-k': { value: 'v', timestamp: ts(2) } })
    await device.dbs.mergeObjectRows(A, 'c', [row('x', 3), row('y', 4, 0, true), row('\u{1F600}', 5, 7)])
    await device.dbs.putContainer(3, A, 'd', ts(6))
    const before = await device.dbs.getContainer(A, 'c')
    const listed = await device.dbs.listObjects(A, 'c', { limit: 10 })
    const changes = await device.dbs.objectChangesSince(A, 'c', 0, 10)
    const dbs = await device.reopen()
    expect(await dbs.getContainer(A, 'c')).to.deep.equal(before)
    expect(await dbs.listObjects(A, 'c', { limit: 10 })).to.deep.equal(listed)
    expect(await dbs.objectChangesSince(A, 'c', 0, 10)).to.deep.equal(changes)
    await dbs.putContainer(3, A, 'e', ts(7))
    const ids = new Set(await Promise.all(['c', 'd', 'e'].map(async (c) => (await dbs.getDatabaseRecord(A, c))?.id)))
    expect(ids.size).to.equal(3)
    expect((await dbs.databasesInPartition(3)).map((d) => `${d.kind}:${d.container}`).sort()).to.deep.equal(['account:', 'container:c', 'container:d', 'container:e'])
  })

  it('logs each row change with a new sequence, tombstones included, superseded entries dropped', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(1))
    await device.dbs.putObjectRow(A, 'c', row('a', 10))
    await device.dbs.putObjectRow(A, 'c', row('b', 11))
    await device.dbs.putObjectRow(A, 'c', row('a', 12, 0, true))
    await device.dbs.putObjectRow(A, 'c', row('b', 5))
    const changes = await device.dbs.objectChangesSince(A, 'c', 0, 100)
    expect(changes).to.deep.equal([
      { seq: 2, row: row('b', 11) },
      { seq: 3, row: row('a', 12, 0, true) },
    ])
    expect(await device.dbs.objectChangesSince(A, 'c', 2, 100)).to.deep.equal([changes[1]])
    expect((await device.dbs.getDatabaseRecord(A, 'c'))?.seq).to.equal(3)
  })

  it('keeps a row\'s own mtime through listing and the change log, and reads five-element rows without one', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(1))
    await device.dbs.putObjectRow(A, 'c', { ...row('a', 10), mtime: '1500000000.25' })
    await device.dbs.putObjectRow(A, 'c', row('b', 11))
    expect(await device.dbs.listObjects(A, 'c', { limit: 10 })).to.deep.equal([{ ...row('a', 10), mtime: '1500000000.25' }, row('b', 11)])
    const changes = await device.dbs.objectChangesSince(A, 'c', 0, 10)
    expect(changes.map((c) => c.row)).to.deep.equal([{ ...row('a', 10), mtime: '1500000000.25' }, row('b', 11)])
    // A row value written before the mtime was kept has five elements and decodes without one.
    expect(decodeObjectRow('x', JSON.stringify([ts(3), 1, 'text/plain', 'e', 7]), false)).to.deep.equal({ name: 'x', timestamp: ts(3), size: 1, contentType: 'text/plain', etag: 'e', deleted: false, seq: 7 })
    expect(listedObjectRow('x', encodeObjectRow({ ...row('x', 3), mtime: '1' }, 7))).to.deep.equal({ ...row('x', 3), mtime: '1' })
  })

  it('moves a database to its new partition in the index', async () => {
    await device.dbs.putContainer(1, A, 'c', ts(1))
    await device.dbs.putContainer(2, A, 'c', ts(2))
    expect(await device.dbs.databasesInPartition(1)).to.deep.equal([])
    expect(await device.dbs.databasesInPartition(2)).to.deep.equal([{ kind: 'container', account: A, container: 'c' }])
  })

  it('rejects a malformed timestamp as a bad request', async () => {
    await expectError(device.dbs.putContainer(1, A, 'c', 'yesterday'), 'bad-request')
  })
})
