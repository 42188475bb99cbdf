/**
 * The sharp adapter, the one file of Velox that imports sharp (libvips): which image formats
 * this build decodes, the tuning of libvips for an appliance, and the rendering of a still
 * into WebP renditions with EXIF orientation applied. Inputs are untrusted bytes: every
 * decode is bounded in pixels (decompression bombs), fails on truncated data and times out.
 * No storage and no queueing here.
 */
import sharp from 'sharp'
import type { Sharp } from 'sharp'

/** Renditions are WebP at these longest edges (px); never enlarged. */
export const SIZES = [256, 1280] as const
export type Size = (typeof SIZES)[number]

export interface RenderLimits {
  /** Width × height above which a decode is refused (sharp's limitInputPixels). */
  maxInputPixels: number
  /** Per libvips operation (sharp's timeout). */
  timeoutSec: number
}

export const DEFAULT_LIMITS: RenderLimits = { maxInputPixels: 100_000_000, timeoutSec: 30 }

/** WebP settings shared by the renditions (and the benchmark's references). */
export const WEBP = { quality: 80, effort: 2 } as const

export interface Rendition {
  size: Size
  webp: Buffer
  width: number
  height: number
  /** Dominant colour, "#rrggbb", of the small rendition (the grid's placeholder). */
  color?: string
}

export interface Rendered {
  renditions: Rendition[]
  /** Dominant colour of the small rendition, "#rrggbb" (the grid's placeholder). */
  color?: string
}

let tuned = false

/**
 * One libvips thread per image (the thumbnailer renders one image per core at once) and no
 * operation cache: every image is seen once, so the cache would only hold memory.
 */
export function tuneSharp(): void {
  if (tuned) return
  tuned = true
  sharp.concurrency(1)
  sharp.cache(false)
}

/** MIME types this libvips build decodes, from its own format table (HEIC and camera RAW vary by build). */
export function decodableImageTypes(): string[] {
  const f = sharp.format as unknown as Record<string, { input?: { buffer?: boolean; fileSuffix?: string[] } } | undefined>
  const can = (name: string, suffix?: string) => f[name]?.input?.buffer === true && (suffix === undefined || (f[name]?.input?.fileSuffix ?? []).includes(suffix))
  const types: string[] = []
  if (can('jpeg')) types.push('image/jpeg')
  if (can('png')) types.push('image/png')
  if (can('webp')) types.push('image/webp')
  if (can('gif')) types.push('image/gif')
  if (can('tiff')) types.push('image/tiff')
  if (can('heif', '.avif')) types.push('image/avif')
  if (can('heif', '.heic')) types.push('image/heic', 'image/heif')
  if (can('jxl')) types.push('image/jxl')
  if (can('svg')) types.push('image/svg+xml')
  // libvips ≥ 8.17 reads camera RAW through libraw when built with it (`dcrawload`).
  if (can('dcraw')) types.push('image/x-canon-cr2', 'image/x-nikon-nef', 'image/x-sony-arw', 'image/x-adobe-dng', 'image/x-panasonic-rw2', 'image/x-fuji-raf')
  return types
}

function open(input: Buffer, limits: RenderLimits): Sharp {
  // failOn 'truncated': a cut-off file is an error, while the many camera files with harmless
  // warnings (odd markers, extra bytes) still render. Only the first page or frame is read.
  return sharp(input, { limitInputPixels: limits.maxInputPixels, failOn: 'truncated', sequentialRead: true }).timeout({ seconds: limits.timeoutSec })
}

export interface Pixels {
  data: Buffer
  width: number
  height: number
  channels: 1 | 2 | 3 | 4
}

async function pixelsOf(pipeline: Sharp): Promise<Pixels> {
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height, channels: info.channels }
}

function fromPixels(p: Pixels): Sharp {
  return sharp(p.data, { raw: { width: p.width, height: p.height, channels: p.channels } })
}

function inside(pipeline: Sharp, size: Size): Sharp {
  return pipeline.resize(size, size, { fit: 'inside', withoutEnlargement: true })
}

/**
 * The most common colour, as sharp's stats().dominant finds it (a 16×16×16-bin histogram of
 * the sRGB pixels, alpha ignored; the centre of the fullest bin), without another libvips
 * pass; of a picture larger than 256×256, every n-th pixel of every n-th row (some 65,000).
 */
export function dominantColor(p: Pixels): string {
  const bins = new Uint32Array(4096)
  const { data, width, height, channels } = p
  const grey = channels < 3
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / 65536)))
  for (let y = 0; y < height; y += step) {
    for (let i = y * width * channels, end = i + width * channels; i < end; i += step * channels) {
      const r = data[i] >> 4
      bins[grey ? r * 273 : (r << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4)]++
    }
  }
  let best = 0
  for (let b = 1; b < 4096; b++) if (bins[b] > bins[best]) best = b
  const hex2 = (bin: number) => (bin * 16 + 8).toString(16).padStart(2, '0')
  return `#${hex2(best >> 8)}${hex2((best >> 4) & 15)}${hex2(best & 15)}`
}

async function webpOf(pipeline: Sharp, size: Size): Promise<Rendition> {
  const { data, info } = await pipeline.webp(WEBP).toBuffer({ resolveWithObject: true })
  return { size, webp: data, width: info.width, height: info.height }
}

/**
 * Renders `sizes` from an encoded still, decoding it once: to the largest size asked for
 * (JPEG's shrink-on-load decodes at the smallest scale that still covers it: 1/8 for the
 * small size alone, 1/2 for the large one of a 12 MP photo), each smaller size resized from
 * those pixels. Renditions come smallest first, and `onRendition` hears of each as soon as
 * it is encoded, so that the caller can store the small one while the large one encodes.
 * The small size carries the picture's dominant colour (from the decoded pixels).
 */
export async function renderStill(input: Buffer, sizes: readonly Size[], limits: RenderLimits = DEFAULT_LIMITS, onRendition?: (r: Rendition) => void): Promise<Rendered> {
  tuneSharp()
  const wanted = [...new Set(sizes)].sort((a, b) => a - b)
  const out: Rendered = { renditions: [] }
  if (wanted.length === 0) return out
  const top = wanted[wanted.length - 1]
  const decoded = await pixelsOf(inside(open(input, limits).autoOrient(), top))
  for (const size of wanted) {
    const r = await webpOf(size === top ? fromPixels(decoded) : inside(fromPixels(decoded), size), size)
    if (size === SIZES[0]) out.color = r.color = dominantColor(decoded)
    out.renditions.push(r)
    onRendition?.(r)
  }
  return out
}

/** A flat grey WebP of `size` × `size`: what a failed rendition answers. */
export async function placeholderWebp(size: Size): Promise<Buffer> {
  tuneSharp()
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: 0xd0, g: 0xd3, b: 0xd8 } } }).webp(WEBP).toBuffer()
}
