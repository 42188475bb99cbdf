/**
 * The sharp adapter with real images made by sharp itself: every format this build writes
 * renders to WebP at the two sizes, EXIF orientation 6 is applied, and hostile or broken
 * inputs (a truncated JPEG, a PNG declaring 30000×30000, garbage) fail with a reason. Both
 * sizes come from one decode, the small one first and handed over as soon as it is encoded;
 * greyscale, alpha and CMYK sources; the dominant colour is sharp's own.
 */
import { expect } from 'chai'
import { deflateSync, crc32 } from 'node:zlib'
import sharp, { type Sharp } from 'sharp'
import { DEFAULT_LIMITS, decodableImageTypes, dominantColor, placeholderWebp, renderStill, type Rendition } from './render.js'

/** A 600×400 picture: red left half, blue right half. */
async function picture(): Promise<Sharp> {
  const left = await sharp({ create: { width: 300, height: 400, channels: 3, background: { r: 220, g: 20, b: 20 } } }).png().toBuffer()
  return sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 20, g: 20, b: 220 } } }).composite([{ input: left, left: 0, top: 0 }])
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/** A PNG that declares `w`×`h` grey pixels and holds the compressed zeros of its first rows only. */
function declaredPng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 0 // greyscale
  const rows = deflateSync(Buffer.alloc((w + 1) * 16))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))])
}

describe('thumbnails/render', function () {
  this.timeout(60_000)

  const encoders: Array<[string, (s: Sharp) => Sharp]> = [
    ['jpeg', (s) => s.jpeg()],
    ['png', (s) => s.png()],
    ['webp', (s) => s.webp()],
    ['gif', (s) => s.gif()],
    ['avif', (s) => s.avif({ effort: 0 })],
    ['tiff', (s) => s.tiff()],
  ]
  for (const [format, encode] of encoders) {
    it(`renders a ${format} to 256 px and 1280 px-bounded WebP with its dominant colour`, async () => {
      const input = await encode(await picture()).toBuffer()
      const r = await renderStill(input, [256, 1280])
      expect(r.renditions.map((x) => x.size)).to.deep.equal([256, 1280])
      const [small, large] = r.renditions
      expect([small.width, small.height]).to.deep.equal([256, 171])
      // Never enlarged: the large rendition of a 600 px picture stays 600 px.
      expect([large.width, large.height]).to.deep.equal([600, 400])
      for (const x of r.renditions) expect((await sharp(x.webp).metadata()).format).to.equal('webp')
      expect(r.color).to.match(/^#[0-9a-f]{6}$/)
    })
  }

  it('hands over the small rendition before it encodes the large one', async () => {
    const input = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .jpeg()
      .toBuffer()
    const heard: Array<[number, number]> = []
    let largeDone = false
    const r = await renderStill(input, [1280, 256], DEFAULT_LIMITS, (x: Rendition) => {
      heard.push([x.size, x.width])
      if (x.size === 1280) largeDone = true
      else expect(largeDone).to.equal(false)
    })
    expect(heard).to.deep.equal([
      [256, 256],
      [1280, 1280],
    ])
    expect(r.renditions.map((x) => x.size)).to.deep.equal([256, 1280])
    expect(r.renditions[0].color).to.equal(r.color)
    expect(r.renditions[1].color).to.equal(undefined)
  })

  it('renders greyscale, greyscale with alpha, RGBA and CMYK sources', async () => {
    const base = { width: 400, height: 300, background: { r: 30, g: 160, b: 90, alpha: 0.5 } }
    const inputs: Array<[string, Buffer]> = [
      ['grey jpeg', await sharp({ create: { ...base, channels: 3 } }).greyscale().jpeg().toBuffer()],
      ['grey+alpha png', await sharp({ create: { ...base, channels: 4 } }).greyscale().png().toBuffer()],
      ['rgba png', await sharp({ create: { ...base, channels: 4 } }).png().toBuffer()],
      ['cmyk jpeg', await sharp({ create: { ...base, channels: 3 } }).toColourspace('cmyk').jpeg().toBuffer()],
    ]
    for (const [name, input] of inputs) {
      const r = await renderStill(input, [256, 1280])
      expect(r.renditions.map((x) => [x.width, x.height]), name).to.deep.equal([
        [256, 192],
        [400, 300],
      ])
      for (const x of r.renditions) expect((await sharp(x.webp).metadata()).format, name).to.equal('webp')
      expect(r.color, name).to.match(/^#[0-9a-f]{6}$/)
    }
  })

  it('finds the dominant colour as sharp.stats() does', async () => {
    const { data, info } = await sharp(await (await picture()).png().toBuffer()).resize(256, 171).raw().toBuffer({ resolveWithObject: true })
    const { dominant } = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).stats()
    const hex = `#${[dominant.r, dominant.g, dominant.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`
    expect(dominantColor({ data, width: info.width, height: info.height, channels: info.channels })).to.equal(hex)
    const grey = Buffer.alloc(64 * 64, 200)
    expect(dominantColor({ data: grey, width: 64, height: 64, channels: 1 })).to.equal('#c8c8c8')
    // A large picture is sampled: a 2000×1000 one, two-thirds red, still says red.
    const big = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: { r: 20, g: 20, b: 220 } } })
      .composite([{ input: { create: { width: 1333, height: 1000, channels: 3, background: { r: 220, g: 20, b: 20 } } }, left: 0, top: 0 }])
      .raw()
      .toBuffer({ resolveWithObject: true })
    expect(dominantColor({ data: big.data, width: 2000, height: 1000, channels: big.info.channels })).to.equal('#d81818')
  })

  it('applies EXIF orientation 6 (the camera was turned): the red left half ends up on top', async () => {
    const input = await (await picture()).jpeg().withMetadata({ orientation: 6 }).toBuffer()
    expect((await sharp(input).metadata()).orientation).to.equal(6)
    const r = await renderStill(input, [256])
    const small = r.renditions[0]
    expect([small.width, small.height]).to.deep.equal([171, 256])
    const { data, info } = await sharp(small.webp).raw().toBuffer({ resolveWithObject: true })
    const at = (x: number, y: number) => data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)
    const top = at(85, 20)
    const bottom = at(85, 236)
    expect(top[0]).to.be.greaterThan(150)
    expect(top[2]).to.be.lessThan(100)
    expect(bottom[2]).to.be.greaterThan(150)
  })

  it('fails on a truncated JPEG', async () => {
    const whole = await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).jpeg().toBuffer()
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6))
    let err: Error | undefined
    await renderStill(cut, [256]).catch((e: Error) => (err = e))
    expect(err?.message).to.match(/premature end|truncated|JPEG/i)
  })

  it('refuses a decompression bomb (a PNG declaring 30000×30000) before decoding it', async () => {
    const bomb = declaredPng(30_000, 30_000)
    expect(bomb.length).to.be.lessThan(4096)
    const t0 = Date.now()
    let err: Error | undefined
    await renderStill(bomb, [256]).catch((e: Error) => (err = e))
    expect(err?.message).to.match(/pixel limit/i)
    expect(Date.now() - t0).to.be.lessThan(5000)
    expect(30_000 * 30_000).to.be.greaterThan(DEFAULT_LIMITS.maxInputPixels)
  })

  it('fails on bytes that are no image at all', async () => {
    let err: Error | undefined
    await renderStill(Buffer.from('not a picture, just text'), [256]).catch((e: Error) => (err = e))
    expect(err?.message).to.match(/unsupported image format/i)
  })

  it('knows which formats this libvips decodes', () => {
    const types = decodableImageTypes()
    for (const t of ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff', 'image/avif']) expect(types).to.include(t)
    const heic = types.includes('image/heic') ? 'decodes' : 'does not decode'
    const raw = types.some((t) => t.includes('nef')) ? 'decodes' : 'does not decode'
    console.log(`      note: this libvips ${heic} HEIC and ${raw} camera RAW`)
  })

  it('makes a grey placeholder of the requested size', async () => {
    const m = await sharp(await placeholderWebp(256)).metadata()
    expect([m.format, m.width, m.height]).to.deep.equal(['webp', 256, 256])
  })
})
