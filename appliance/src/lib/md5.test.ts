import { execFileSync, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { expect } from 'chai'
import fc from 'fast-check'
import { md5, sharedSlotsFree } from './md5.js'

const MiB = 1024 * 1024
const reference = (parts: Uint8Array[]) => {
  const h = createHash('md5')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

function split(data: Buffer, sizes: number[]): Buffer[] {
  const parts: Buffer[] = []
  let at = 0
  for (let i = 0; at < data.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length])
    parts.push(data.subarray(at, at + n))
    at += n
  }
  return parts
}

describe('lib/md5 (hashing off the event loop for large bodies)', () => {
  it('matches crypto for the empty stream, small bodies hashed in place, and bodies around the 1 MiB hand-over', async () => {
    for (const size of [0, 1, 65536, MiB - 1, MiB, MiB + 1, 2 * MiB, 3 * MiB + 12345]) {
      const data = randomBytes(size)
      for (const chunk of [1 << 16, 1 << 20, 300_001]) {
        const h = md5()
        const parts = split(data, [chunk])
        for (const p of parts) h.update(p)
        expect(await h.digest(), `${size} in ${chunk}-byte chunks`).to.equal(reference([data]))
      }
    }
  })

  it('matches crypto for any chunking (property)', async () => {
    const data = randomBytes(3 * MiB)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: data.length }), fc.array(fc.integer({ min: 1, max: 2 * MiB }), { minLength: 1, maxLength: 8 }), async (size, sizes) => {
        const body = data.subarray(0, size)
        const h = md5()
        for (const p of split(body, sizes)) h.update(p)
        expect(await h.digest()).to.equal(reference([body]))
      }),
      { numRuns: 40 },
    )
  })

  it('keeps many interleaved streams apart, and digest() answers the same promise twice', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(MiB / 2 + i * 400_000))
    const hashers = bodies.map(() => md5())
    for (let at = 0; at < 6 * MiB; at += 100_000) {
      bodies.forEach((b, i) => at < b.length && hashers[i].update(b.subarray(at, at + 100_000)))
    }
    const digests = await Promise.all(hashers.map((h) => h.digest()))
    expect(digests).to.deep.equal(bodies.map((b) => reference([b])))
    expect(await hashers[3].digest()).to.equal(digests[3])
  })

  it('hashes more copies at once than there are shared slots (the rest move as buffers), and frees every slot again', async () => {
    const free = sharedSlotsFree()
    const bodies = Array.from({ length: 6 }, () => randomBytes(24 * MiB + 777))
    const hashers = bodies.map((b) => md5(b.length))
    // All 144 copies are made before any thread can answer: 64 fit in the shared slots.
    for (let at = 0; at < bodies[0].length; at += MiB) bodies.forEach((b, i) => hashers[i].update(b.subarray(at, at + MiB)))
    expect(sharedSlotsFree()).to.equal(0)
    const digests = await Promise.all(hashers.map((h) => h.digest()))
    expect(digests).to.deep.equal(bodies.map((b) => reference([b])))
    // A disposed stream gives its slots back too.
    const dropped = md5(8 * MiB)
    dropped.update(bodies[0].subarray(0, 5 * MiB + 3))
    dropped.dispose()
    for (let i = 0; i < 100 && sharedSlotsFree() !== free; i++) await new Promise((r) => setTimeout(r, 50))
    expect(sharedSlotsFree()).to.equal(free)
  })

  it('forgets a disposed stream without disturbing the others, and refuses updates after digest()', async () => {
    const a = md5()
    const b = md5()
    const data = randomBytes(4 * MiB)
    a.update(data)
    b.update(data)
    a.dispose()
    expect(await b.digest()).to.equal(reference([data]))
    expect(() => b.update(data)).to.throw(/after digest/)
    // The caller's buffer is only copied, never moved away.
    expect(data.length).to.equal(4 * MiB)
    expect(reference([data])).to.equal(await b.digest())
  })

  it('works in a process started with --input-type=module -e (the hashing thread must not inherit that flag)', () => {
    const url = new URL('./md5.js', import.meta.url).href
    const code = `import { md5 } from ${JSON.stringify(url)}
const h = md5(); h.update(Buffer.alloc(3 << 20, 7)); console.log(await h.digest())`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).trim()
    expect(out).to.equal(reference([Buffer.alloc(3 << 20, 7)]))
  })

  it('works in a process started with a flag a worker thread refuses (--perf-basic-prof): the hashing thread starts without the process flags', () => {
    const url = new URL('./md5.js', import.meta.url).href
    const code = `import { md5 } from ${JSON.stringify(url)}
const hs = [md5(), md5(8 << 20)]; for (const h of hs) { h.update(Buffer.alloc(3 << 20, 7)); h.update(Buffer.alloc(5 << 20, 7)) }
console.log((await Promise.all(hs.map((h) => h.digest()))).join(' '))`
    const child = spawnSync(process.execPath, ['--perf-basic-prof', '--input-type=module', '-e', code], { encoding: 'utf8' })
    rmSync(join(tmpdir(), `perf-${child.pid}.map`), { force: true })
    expect(child.stderr).to.equal('')
    const out = child.stdout.trim()
    const want = reference([Buffer.alloc(8 << 20, 7)])
    expect(out).to.equal(`${want} ${want}`)
  })
})
