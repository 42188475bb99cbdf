/**
 * The thumbnailer's scheduling over in-memory sources and rendition store (real sharp, small
 * JPEGs): one job renders both sizes from one read of the source while the small lane is
 * short, the small one stored first; a burst gets its small renditions alone, the large ones
 * after the lane has emptied; a client polling a rendition in progress adds no work; a
 * removal during a render waits for it and then removes the renditions; a broken image fails
 * alone.
 */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import sharp from 'sharp'
import type { ObjectRef } from '../cluster/replicated-objects.js'
import { VeloxError } from '../errors.js'
import { silentLog } from '../lib/log.js'
import type { ObjectMetadata, ObjectPut, OpenObject } from '../store/types.js'
import type { RenditionStore } from './renditions.js'
import { Thumbnailer, type SourceObjects } from './thumbnailer.js'

interface Stored {
  meta: ObjectMetadata
  body: Buffer
}

const nameOf = (ref: ObjectRef) => `${ref.account}/${ref.container}/${ref.object}`

function opened(s: Stored, before?: Promise<void>): OpenObject {
  return {
    meta: s.meta,
    stream: () =>
      Readable.from(
        (async function* () {
          await before
          yield s.body
        })(),
      ),
    close: async () => {},
  }
}

/** Objects by name; `hold` delays the bodies of the sources it names until released. */
class FakeSources implements SourceObjects {
  readonly objects = new Map<string, Stored>()
  readonly held = new Map<string, Promise<void>>()
  opens = 0

  add(object: string, body: Buffer, contentType = 'image/jpeg'): { ref: ObjectRef; meta: ObjectMetadata } {
    const ref = { account: 'AUTH_t', container: 'c', object }
    const meta: ObjectMetadata = { name: `/${nameOf(ref)}`, timestamp: '1700000000.00000', contentType, etag: createHash('md5').update(body).digest('hex'), size: body.length, headers: {} }
    this.objects.set(nameOf(ref), { meta, body })
    return { ref, meta }
  }

  hold(object: string): () => void {
    let release!: () => void
    this.held.set(`AUTH_t/c/${object}`, new Promise<void>((r) => (release = r)))
    return release
  }

  async open(ref: ObjectRef): Promise<OpenObject> {
    this.opens++
    const s = this.objects.get(nameOf(ref))
    if (!s) throw new VeloxError('not-found', 'object not found')
    return opened(s, this.held.get(nameOf(ref)))
  }
}

/** The replicated store, in memory: last write wins; `puts` records what was stored, in order. */
class FakeStore implements RenditionStore {
  readonly objects = new Map<string, Stored>()
  readonly puts: string[] = []

  async put(ref: ObjectRef, put: ObjectPut, body: AsyncIterable<Uint8Array> | Readable): Promise<ObjectMetadata> {
    const chunks: Buffer[] = []
    for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c))
    const data = Buffer.concat(chunks)
    const meta: ObjectMetadata = { name: `/${nameOf(ref)}`, timestamp: put.timestamp, contentType: put.contentType, etag: createHash('md5').update(data).digest('hex'), size: data.length, headers: put.headers }
    this.objects.set(nameOf(ref), { meta, body: data })
    this.puts.push(`${ref.object.replace('\0', ' ')}`)
    return meta
  }

  async open(ref: ObjectRef): Promise<OpenObject> {
    const s = this.objects.get(nameOf(ref))
    if (!s) throw new VeloxError('not-found', 'object not found')
    return opened(s)
  }

  async delete(ref: ObjectRef): Promise<{ existed: boolean }> {
    return { existed: this.objects.delete(nameOf(ref)) }
  }
}

async function jpeg(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: (seed * 40) % 256, g: 90, b: 160 } } })
    .jpeg()
    .toBuffer()
}

function thumbnailer(sources: FakeSources, store: FakeStore, o: { concurrency?: number; ioJobs?: number; combineBacklog?: number } = {}): Thumbnailer {
  return new Thumbnailer({ sources, store, log: silentLog, tmpDir: '/nonexistent', tools: {}, imageTypes: ['image/jpeg'], ...o })
}

describe('thumbnails/thumbnailer', function () {
  this.timeout(60_000)

  it('renders both sizes of a new image in one job, from one read, the small one stored first', async () => {
    const sources = new FakeSources()
    const store = new FakeStore()
    const t = thumbnailer(sources, store)
    const { ref, meta } = sources.add('a.jpg', await jpeg(1))
    t.written(ref, meta)
    await t.drained()
    expect(store.puts).to.deep.equal(['a.jpg 256', 'a.jpg 1280'])
    expect(sources.opens).to.equal(1)
    expect(t.stats()).to.include({ done: 1, failed: 0 })
    expect(await t.describe(ref)).to.deep.equal({ 256: { sourceEtag: meta.etag }, 1280: { sourceEtag: meta.etag } })
    const large = await t.find(ref, meta, 1280)
    expect(large.state).to.equal('ready')
    if (large.state === 'ready') {
      expect([large.facts.width, large.facts.height]).to.deep.equal([1280, 960])
      await large.object.close()
    }
  })

  it('renders the small ones of a burst alone, the large ones once no small one waits', async () => {
    const sources = new FakeSources()
    const store = new FakeStore()
    // One render slot, two jobs at once; more than 2 small jobs waiting is a burst.
    const t = thumbnailer(sources, store, { concurrency: 1, ioJobs: 1, combineBacklog: 2 })
    const images = await Promise.all(Array.from({ length: 7 }, async (_, i) => sources.add(`b${i}.jpg`, await jpeg(i))))
    for (const { ref, meta } of images) t.written(ref, meta)
    await t.drained()
    const smalls = store.puts.filter((p) => p.endsWith(' 256'))
    const larges = store.puts.filter((p) => p.endsWith(' 1280'))
    expect(smalls).to.have.length(7)
    expect(larges).to.have.length(7)
    // Every small rendition is stored before the large ones, but for the one job that found the
    // lane empty again (it renders both).
    const lastSmall = store.puts.lastIndexOf(smalls[smalls.length - 1])
    expect(store.puts.slice(0, lastSmall).filter((p) => p.endsWith(' 1280')).length).to.be.at.most(1)
    for (const { ref, meta } of images) expect(await t.describe(ref)).to.deep.equal({ 256: { sourceEtag: meta.etag }, 1280: { sourceEtag: meta.etag } })
  })

  it('adds no work for a client asking for a rendition while its job is under way', async () => {
    const sources = new FakeSources()
    const store = new FakeStore()
    const t = thumbnailer(sources, store)
    const { ref, meta } = sources.add('p.jpg', await jpeg(2))
    const release = sources.hold('p.jpg')
    t.written(ref, meta)
    for (let i = 0; i < 5; i++) expect(await t.request(ref, meta, i % 2 ? 1280 : 256)).to.deep.equal({ state: 'missing' })
    release()
    await t.drained()
    expect(t.stats()).to.include({ done: 1 })
    expect(store.puts).to.deep.equal(['p.jpg 256', 'p.jpg 1280'])
  })

  it('removes the renditions of an object deleted while its job renders', async () => {
    const sources = new FakeSources()
    const store = new FakeStore()
    const t = thumbnailer(sources, store)
    const { ref, meta } = sources.add('gone.jpg', await jpeg(3))
    const release = sources.hold('gone.jpg')
    t.written(ref, meta)
    await new Promise((r) => setTimeout(r, 20))
    sources.objects.delete('AUTH_t/c/gone.jpg')
    t.removed(ref, meta)
    release()
    await t.drained()
    expect(store.puts).to.deep.equal(['gone.jpg 256', 'gone.jpg 1280'])
    expect(await t.describe(ref)).to.deep.equal({})
  })

  it('records a broken image as failed, alone', async () => {
    const sources = new FakeSources()
    const store = new FakeStore()
    const t = thumbnailer(sources, store)
    const good = sources.add('good.jpg', await jpeg(4))
    const noisy = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
      .jpeg()
      .toBuffer()
    const bad = sources.add('bad.jpg', noisy.subarray(0, Math.floor(noisy.length * 0.6)))
    t.written(bad.ref, bad.meta)
    t.written(good.ref, good.meta)
    await t.drained()
    const badOnes = await t.describe(bad.ref)
    expect(badOnes[256]?.failed).to.be.a('string')
    expect(badOnes[1280]?.failed).to.be.a('string')
    expect(await t.describe(good.ref)).to.deep.equal({ 256: { sourceEtag: good.meta.etag }, 1280: { sourceEtag: good.meta.etag } })
    expect((await t.find(bad.ref, bad.meta, 1280)).state).to.equal('failed')
  })
})
