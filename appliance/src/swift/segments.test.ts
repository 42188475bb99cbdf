import { expect } from 'chai'
import { Readable } from 'node:stream'
import type { ObjectMetadata, OpenObject } from '../store/types.js'
import type { ObjectService } from './objects.js'
import { SegmentReader, type ObjectRead } from './segments.js'

const MiB = 1024 * 1024

/** Segments as in-memory objects whose streams and closes are recorded. */
class FakeObjects {
  readonly streams: Readable[] = []
  readonly opened: string[] = []
  readonly closed: string[] = []
  constructor(private readonly bodies: Map<string, Buffer>) {}

  async open(ref: { object: string }): Promise<OpenObject> {
    const body = this.bodies.get(ref.object)!
    this.opened.push(ref.object)
    const meta = { name: ref.object, timestamp: '1', contentType: 'x', etag: `e-${ref.object}`, size: body.length, headers: {} } as ObjectMetadata
    return {
      meta,
      stream: () => {
        // 1 MiB chunks, read as asked (as an object file's stream).
        let at = 0
        const s = new Readable({
          highWaterMark: 2 * MiB,
          read() {
            if (at >= body.length) return void this.push(null)
            this.push(body.subarray(at, at + MiB))
            at += MiB
          },
        })
        this.streams.push(s)
        return s
      },
      close: async () => void this.closed.push(ref.object),
    }
  }
}

const caller = { authorize: async () => undefined }

function setup(sizes: number[]) {
  const bodies = new Map(sizes.map((n, i) => [`seg${i}`, Buffer.alloc(n, i + 1)] as [string, Buffer]))
  const objects = new FakeObjects(bodies)
  const reads = async function* (): AsyncGenerator<ObjectRead> {
    for (const [name, b] of bodies) yield { kind: 'object', ref: { account: 'a', container: 'c', object: name }, etag: `e-${name}`, size: b.length }
  }
  const reader = new SegmentReader(objects as unknown as ObjectService)
  return { bodies, objects, stream: () => reader.stream(reads(), caller, 'manifest') }
}

const settle = () => new Promise((r) => setTimeout(r, 50))

describe('SegmentReader (segments in order, the next one read ahead)', () => {
  it('returns every segment byte-exact, segments longer than the read-ahead too', async () => {
    const { bodies, objects, stream } = setup([10 * MiB + 17, 9 * MiB, 12345, 3 * MiB])
    const parts: Buffer[] = []
    for await (const c of await stream()) parts.push(c as Buffer)
    expect(Buffer.concat(parts).equals(Buffer.concat([...bodies.values()]))).to.equal(true)
    expect(objects.closed.sort()).to.deep.equal(['seg0', 'seg1', 'seg2', 'seg3'])
  })

  it('reads the next segment while the current one is still being consumed', async () => {
    const { objects, stream } = setup([4 * MiB, 4 * MiB])
    const body = await stream()
    const it = body[Symbol.asyncIterator]()
    await it.next()
    await settle()
    // seg1 was opened and its stream has bytes buffered before any of them was asked for.
    expect(objects.opened).to.deep.equal(['seg0', 'seg1'])
    expect(objects.streams[1]!.readableLength + (objects.streams[1]!.readableEnded ? 1 : 0)).to.be.greaterThan(0)
    await it.return?.()
  })

  it('a consumer that stops mid-way (a client gone) leaves no segment open nor any stream undestroyed, the one read ahead included', async () => {
    for (const stopAfter of [1, 5, 11]) {
      const { objects, stream } = setup([10 * MiB, 9 * MiB, 4 * MiB])
      const body = await stream()
      let got = 0
      for await (const c of body) {
        got += (c as Buffer).length
        if (got >= stopAfter * MiB) break
      }
      await settle()
      expect(objects.streams.length, `after ${stopAfter} MiB`).to.be.greaterThan(1)
      expect(objects.streams.map((s) => s.destroyed), `after ${stopAfter} MiB`).to.deep.equal(objects.streams.map(() => true))
      expect(objects.closed.sort(), `after ${stopAfter} MiB`).to.deep.equal([...objects.opened].sort())
    }
  })
})
