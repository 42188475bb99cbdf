import { expect } from 'chai'
import fc from 'fast-check'
import type { ListingEntry, ListingParams, ObjectRow } from '../types.js'
import { modelListing, type ModelEntry } from './listing-model.js'
import { tempDevice, ts, type TempDevice } from './test-helpers.js'

const names = (entries: ListingEntry<ObjectRow>[]): ModelEntry[] =>
  entries.map((e) => ('subdir' in e ? { subdir: e.subdir } : { name: e.name }))
const flat = (entries: ListingEntry<ObjectRow>[]): string[] => entries.map((e) => ('subdir' in e ? `${e.subdir}(dir)` : e.name))

const row = (name: string, n: number, deleted = false): ObjectRow => ({
  name,
  timestamp: ts(n),
  size: deleted ? 0 : name.length * 10 + n,
  contentType: 'text/plain',
  etag: 'd41d8cd98f00b204e9800998ecf8427e',
  deleted,
})

describe('store/db listing', () => {
  let device: TempDevice
  let seq = 0
  before(async () => {
    device = await tempDevice()
    await device.dbs.putAccount(1, 'AUTH_t', ts(0))
  })
  after(() => device.remove())

  async function container(objectNames: string[]): Promise<string> {
    const name = `c${++seq}`
    await device.dbs.putContainer(1, 'AUTH_t', name, ts(1))
    await device.dbs.mergeObjectRows('AUTH_t', name, objectNames.map((n, i) => row(n, 10 + i)))
    return name
  }

  const NAMES = ['a', 'a/', 'a/b', 'a/b/c', 'a/b0', 'a/c', 'a-1', 'b', 'b/x/y', 'c/', '\uE000', '\u{1F600}/a', '\u{1F600}b']

  const cases: Array<[string, Omit<ListingParams, 'limit'> & { limit?: number }, string[]]> = [
    ['all, in UTF-8 byte order', {}, ['a', 'a-1', 'a/', 'a/b', 'a/b/c', 'a/b0', 'a/c', 'b', 'b/x/y', 'c/', '\uE000', '\u{1F600}/a', '\u{1F600}b']],
    ['marker and end_marker are exclusive', { marker: 'a/b', endMarker: 'a/c' }, ['a/b/c', 'a/b0']],
    ['prefix', { prefix: 'a/b' }, ['a/b', 'a/b/c', 'a/b0']],
    ['delimiter folds subtrees', { delimiter: '/' }, ['a', 'a-1', 'a/(dir)', 'b', 'b/(dir)', 'c/(dir)', '\uE000', '\u{1F600}/(dir)', '\u{1F600}b']],
    ['prefix and delimiter', { prefix: 'a/', delimiter: '/' }, ['a/', 'a/b', 'a/b/(dir)', 'a/b0', 'a/c']],
    ['a subdir equal to the marker is not repeated', { delimiter: '/', marker: 'a/' }, ['b', 'b/(dir)', 'c/(dir)', '\uE000', '\u{1F600}/(dir)', '\u{1F600}b']],
    ['reverse', { reverse: true, limit: 3 }, ['\u{1F600}b', '\u{1F600}/a', '\uE000']],
    ['reverse swaps marker and end_marker', { reverse: true, marker: 'b', endMarker: 'a/' }, ['a/c', 'a/b0', 'a/b/c', 'a/b']],
    ['reverse with delimiter', { reverse: true, delimiter: '/', marker: 'b/x' }, ['b', 'a/(dir)', 'a-1', 'a']],
    ['path lists one level, without the path itself or nested names', { path: 'a' }, ['a/b', 'a/c']],
    ['path with a trailing slash', { path: 'a/b/' }, ['a/b/c']],
    ['limit', { delimiter: '/', limit: 2 }, ['a', 'a-1']],
  ]
  for (const [title, params, expected] of cases) {
    it(`lists ${title}`, async () => {
      const c = await container(NAMES)
      const full = { limit: 10_000, ...params }
      expect(flat(await device.dbs.listObjects('AUTH_t', c, full))).to.deep.equal(expected)
      expect(names(await device.dbs.listObjects('AUTH_t', c, full))).to.deep.equal(modelListing(NAMES, full))
    })
  }

  it('path skips a name equal to the bumped marker after a nested subtree, as Swift 2.30 does', async () => {
    const c = await container(['a/b/c', 'a/b0', 'a/b1'])
    expect(flat(await device.dbs.listObjects('AUTH_t', c, { path: 'a', limit: 100 }))).to.deep.equal(['a/b1'])
  })

  it('never lists deleted rows and returns rows as stored', async () => {
    const c = await container(['x', 'y', 'z'])
    await device.dbs.putObjectRow('AUTH_t', c, row('y', 99, true))
    const listed = await device.dbs.listObjects('AUTH_t', c, { limit: 10 })
    expect(listed).to.deep.equal([row('x', 10), row('z', 12)])
  })

  it('seeks past a large subdir instead of counting its rows against the page', async () => {
    const inside = Array.from({ length: 5000 }, (_, i) => `big/${String(i).padStart(5, '0')}`)
    const c = await container(['a', ...inside, 'c'])
    expect(flat(await device.dbs.listObjects('AUTH_t', c, { delimiter: '/', limit: 3 }))).to.deep.equal(['a', 'big/(dir)', 'c'])
    expect(flat(await device.dbs.listObjects('AUTH_t', c, { delimiter: '/', limit: 3, reverse: true }))).to.deep.equal(['c', 'big/(dir)', 'a'])
  })

  const alphabet = fc.constantFrom('a', 'b', '/', '0', '.', '-', 'é', '\uE000', '\uFFFD', '\u{1F600}', '\u{10000}')
  const text = (max: number) => fc.array(alphabet, { minLength: 0, maxLength: max }).map((cs) => cs.join(''))
  const opArb = fc.record({ name: text(5).filter((n) => n.length > 0), n: fc.integer({ min: 0, max: 40 }), deleted: fc.boolean() })
  const paramsArb: fc.Arbitrary<ListingParams> = fc.record(
    {
      prefix: text(3),
      delimiter: fc.constantFrom('/', '-', 'a', '\u{1F600}', '/-', ''),
      marker: text(4),
      endMarker: text(4),
      limit: fc.integer({ min: 0, max: 25 }),
      reverse: fc.boolean(),
      path: text(3),
    },
    { requiredKeys: ['limit'] },
  )

  it('matches the Swift reference model for random updates and listings (objects)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), fc.array(paramsArb, { minLength: 1, maxLength: 8 }), async (ops, listings) => {
        const c = await container([])
        const newest = new Map<string, ObjectRow>()
        for (const op of ops) {
          const r = row(op.name, op.n, op.deleted)
          await device.dbs.putObjectRow('AUTH_t', c, r)
          const old = newest.get(op.name)
          if (!old || old.timestamp < r.timestamp) newest.set(op.name, r)
        }
        const live = [...newest.values()].filter((r) => !r.deleted)
        for (const params of listings) {
          const got = await device.dbs.listObjects('AUTH_t', c, params)
          const want = modelListing(live.map((r) => r.name), params).map((e) => ('subdir' in e ? e : (newest.get(e.name) as ObjectRow)))
          expect(got, JSON.stringify(params)).to.deep.equal(want)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('lists many large subtrees (sought past one by one) exactly as the model', async () => {
    const all: string[] = ['0', 'a', 'zz']
    for (let d = 0; d < 40; d++) for (let i = 0; i < 60; i++) all.push(`d${String(d).padStart(2, '0')}/${i % 5 === 0 ? 'x/' : ''}${String(i).padStart(2, '0')}`)
    const c = await container(all)
    const variants: ListingParams[] = [
      { delimiter: '/', limit: 1000 },
      { delimiter: '/', limit: 1000, reverse: true },
      { delimiter: '/', limit: 20, marker: 'd05/', endMarker: 'd30' },
      { delimiter: '/', limit: 1000, prefix: 'd1' },
      { delimiter: '/', limit: 1000, prefix: 'd07/' },
      { path: 'd07', limit: 1000 },
      { path: 'd07', limit: 1000, reverse: true },
      { delimiter: 'x', limit: 1000 },
    ]
    for (const params of variants) expect(names(await device.dbs.listObjects('AUTH_t', c, params)), JSON.stringify(params)).to.deep.equal(modelListing(all, params))
  })

  it('matches the Swift reference model when subtrees are large enough to be sought past', async () => {
    const dirArb = fc.record({ dir: text(3).filter((d) => d.length > 0), rows: fc.integer({ min: 0, max: 80 }), nested: fc.boolean() })
    await fc.assert(
      fc.asyncProperty(fc.array(dirArb, { maxLength: 30 }), fc.array(text(3).filter((n) => n.length > 0), { maxLength: 10 }), fc.array(paramsArb, { minLength: 1, maxLength: 6 }), async (dirs, loose, listings) => {
        const all = new Set(loose)
        for (const d of dirs) for (let i = 0; i < d.rows; i++) all.add(`${d.dir}/${d.nested && i % 3 === 0 ? `s${i % 7}/` : ''}${String(i).padStart(2, '0')}`)
        const c = await container([...all])
        for (const params of listings) {
          const full = { ...params, limit: params.limit * 4 }
          expect(names(await device.dbs.listObjects('AUTH_t', c, full)), JSON.stringify(full)).to.deep.equal(modelListing(all, full))
        }
      }),
      { numRuns: 100 },
    )
  })

  it('matches the Swift reference model for random container rows (accounts ignore path)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(text(5).filter((n) => n.length > 0), { maxLength: 40 }), fc.array(paramsArb, { minLength: 1, maxLength: 8 }), async (containers, listings) => {
        const account = `AUTH_p${++seq}`
        await device.dbs.putAccount(1, account, ts(0))
        await device.dbs.mergeContainerRows(account, containers.map((name) => ({ name, putTimestamp: ts(5), deleteTimestamp: ts(0), objectCount: 1, bytesUsed: 2, deleted: false })))
        for (const params of listings) {
          const got = (await device.dbs.listContainers(account, params)).map((e) => ('subdir' in e ? e : { name: e.name }))
          expect(got, JSON.stringify(params)).to.deep.equal(modelListing(containers, params, false))
        }
      }),
      { numRuns: 100 },
    )
  })
})
