import { expect } from 'chai'
import fc from 'fast-check'
import { isVeloxError } from '../../errors.js'
import type { ContainerRow } from '../types.js'
import { tempDevice, ts, type TempDevice } from './test-helpers.js'

const A = 'AUTH_t'
const crow = (name: string, put: number, del: number, objects: number, bytes: number): ContainerRow => ({
  name,
  putTimestamp: ts(put),
  deleteTimestamp: ts(del),
  objectCount: objects,
  bytesUsed: bytes,
  deleted: del > put && objects === 0,
})

describe('store/db account databases', () => {
  let device: TempDevice
  beforeEach(async () => {
    device = await tempDevice()
  })
  afterEach(() => device.remove())

  it('creates an account once and keeps the newest put timestamp', async () => {
    expect(await device.dbs.putAccount(4, A, ts(10), { 'x-account-meta-q': { value: '1', timestamp: ts(10) } })).to.deep.equal({ created: true })
    expect(await device.dbs.putAccount(4, A, ts(5))).to.deep.equal({ created: false })
    expect(await device.dbs.getAccount(A)).to.deep.equal({
      account: A,
      putTimestamp: ts(10),
      deleteTimestamp: '0000000000.00000',
      createdAt: ts(10),
      containerCount: 0,
      objectCount: 0,
      bytesUsed: 0,
      metadata: { 'x-account-meta-q': { value: '1', timestamp: ts(10) } },
      policyStats: {},
    })
    expect(await device.dbs.getAccount('AUTH_other')).to.equal(undefined)
  })

  it('keeps totals per storage policy, moving a re-created container to its new policy', async () => {
    await device.dbs.putAccount(1, A, ts(1))
    await device.dbs.putContainerRow(A, { ...crow('gold', 10, 0, 2, 20), storagePolicyIndex: 0 })
    await device.dbs.putContainerRow(A, { ...crow('silver', 11, 0, 1, 5), storagePolicyIndex: 1 })
    await device.dbs.putContainerRow(A, { ...crow('silver2', 12, 0, 3, 7), storagePolicyIndex: 1 })
    expect((await device.dbs.getAccount(A))?.policyStats).to.deep.equal({
      0: { containerCount: 1, objectCount: 2, bytesUsed: 20 },
      1: { containerCount: 2, objectCount: 4, bytesUsed: 12 },
    })
    await device.dbs.putContainerRow(A, { ...crow('silver2', 12, 20, 0, 0), storagePolicyIndex: 1 })
    await device.dbs.putContainerRow(A, { ...crow('silver2', 30, 20, 0, 0), storagePolicyIndex: 0 })
    expect((await device.dbs.getAccount(A))?.policyStats).to.deep.equal({
      0: { containerCount: 2, objectCount: 2, bytesUsed: 20 },
      1: { containerCount: 1, objectCount: 1, bytesUsed: 5 },
    })
    expect(await device.dbs.getAccount(A)).to.include({ containerCount: 3, objectCount: 3, bytesUsed: 25 })
  })

  it('merges account metadata newest-wins and hides removed keys', async () => {
    await device.dbs.putAccount(1, A, ts(1))
    await device.dbs.updateAccountMetadata(A, { 'x-account-meta-a': { value: 'x', timestamp: ts(3) } })
    await device.dbs.updateAccountMetadata(A, { 'x-account-meta-a': { value: 'y', timestamp: ts(2) } })
    expect((await device.dbs.getAccount(A))?.metadata).to.deep.equal({ 'x-account-meta-a': { value: 'x', timestamp: ts(3) } })
    await device.dbs.updateAccountMetadata(A, { 'x-account-meta-a': { value: '', timestamp: ts(4) } })
    expect((await device.dbs.getAccount(A))?.metadata).to.deep.equal({})
  })

  it('refuses container rows for an account that does not exist', async () => {
    try {
      await device.dbs.putContainerRow('AUTH_none', crow('c', 1, 0, 0, 0))
      expect.fail('expected not-found')
    } catch (err) {
      expect(isVeloxError(err, 'not-found')).to.equal(true)
    }
  })

  it('tracks container rows through put, stats updates and delete', async () => {
    await device.dbs.putAccount(1, A, ts(1))
    await device.dbs.putContainerRow(A, crow('photos', 10, 0, 0, 0))
    await device.dbs.putContainerRow(A, crow('docs', 11, 0, 2, 50))
    await device.dbs.putContainerRow(A, crow('photos', 10, 0, 3, 300))
    expect(await device.dbs.getAccount(A)).to.include({ containerCount: 2, objectCount: 5, bytesUsed: 350 })
    expect(await device.dbs.listContainers(A, { limit: 10 })).to.deep.equal([crow('docs', 11, 0, 2, 50), crow('photos', 10, 0, 3, 300)])
    await device.dbs.putContainerRow(A, crow('photos', 10, 0, 0, 0))
    await device.dbs.putContainerRow(A, crow('photos', 0, 20, 0, 0))
    expect(await device.dbs.getAccount(A)).to.include({ containerCount: 1, objectCount: 2, bytesUsed: 50 })
    expect((await device.dbs.listContainers(A, { limit: 10 })).map((r) => ('name' in r ? r.name : r.subdir))).to.deep.equal(['docs'])
    const changes = await device.dbs.containerChangesSince(A, 0, 10)
    expect(changes.map((c) => c.row)).to.deep.equal([crow('docs', 11, 0, 2, 50), { ...crow('photos', 10, 20, 0, 0) }])
  })

  it('ignores a stale stats report from before a re-create', async () => {
    await device.dbs.putAccount(1, A, ts(1))
    await device.dbs.putContainerRow(A, crow('c', 30, 20, 1, 10))
    await device.dbs.putContainerRow(A, crow('c', 10, 0, 9, 900))
    expect(await device.dbs.listContainers(A, { limit: 10 })).to.deep.equal([crow('c', 30, 20, 1, 10)])
    expect(await device.dbs.getAccount(A)).to.include({ containerCount: 1, objectCount: 1, bytesUsed: 10 })
  })

  it('keeps totals equal to the sum of its rows under concurrent updates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c'), put: fc.integer({ min: 1, max: 50 }), del: fc.integer({ min: 0, max: 50 }), objects: fc.nat(5), bytes: fc.nat(500) }), { maxLength: 30 }),
        async (ops) => {
          const account = `AUTH_${Math.random().toString(36).slice(2)}`
          await device.dbs.putAccount(1, account, ts(0))
          await Promise.all(ops.map((o) => device.dbs.putContainerRow(account, crow(o.name, o.put, o.del, o.objects, o.bytes))))
          const rows = (await device.dbs.containerChangesSince(account, 0, 100)).map((c) => c.row)
          const live = rows.filter((r) => !r.deleted)
          expect(await device.dbs.getAccount(account)).to.include({
            containerCount: live.length,
            objectCount: rows.reduce((s, r) => s + r.objectCount, 0),
            bytesUsed: rows.reduce((s, r) => s + r.bytesUsed, 0),
          })
          for (const r of rows) expect(r.deleted).to.equal(r.objectCount === 0 && r.deleteTimestamp > r.putTimestamp)
          const names = new Set(ops.map((o) => o.name))
          for (const name of names) {
            const mine = ops.filter((o) => o.name === name)
            const stored = rows.find((r) => r.name === name) as ContainerRow
            expect(stored.putTimestamp).to.equal(ts(Math.max(...mine.map((o) => o.put))))
            expect(stored.deleteTimestamp).to.equal(ts(Math.max(...mine.map((o) => o.del))))
          }
        },
      ),
      { numRuns: 60 },
    )
  })

  it('keeps accounts and their totals across a reopen', async () => {
    await device.dbs.putAccount(1, A, ts(1))
    await device.dbs.mergeContainerRows(A, [crow('a', 2, 0, 1, 1), crow('b/x', 2, 0, 2, 2)])
    const before = await device.dbs.getAccount(A)
    const dbs = await device.reopen()
    expect(await dbs.getAccount(A)).to.deep.equal(before)
    expect(await dbs.listContainers(A, { limit: 10, delimiter: '/' })).to.deep.equal([crow('a', 2, 0, 1, 1), { subdir: 'b/' }])
  })
})
