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
}

export interface Rendered {
  renditions: Rendition[]
  /** Dominant colour of the small rendition, "#rrggbb" (the grid's placeholder). */
  color?: string
}

let tuned = false

/**
 * One libvips thread per operation (the queue runs one job per core) and no operation cache:
 * every image is seen once, so the cache would only hold memory.
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

function hex(c: { r: number; g: number; b: number }): string {
  return `#${[c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`
}

async function webpOf(pipeline: Sharp, size: Size): Promise<Rendition> {
  const { data, info } = await pipeline.webp(WEBP).toBuffer({ resolveWithObject: true })
  return { size, webp: data, width: info.width, height: info.height }
}

/**
 * Renders `sizes` from an encoded still. Each size decodes on its own, so that JPEG's
 * shrink-on-load decodes the small one at 1/8 scale (the small one comes first and fast;
 * the large one is a second, later job). The colour comes with the small size.
 */
export async function renderStill(input: Buffer, sizes: readonly Size[], limits: RenderLimits = DEFAULT_LIMITS): Promise<Rendered> {
  tuneSharp()
  const out: Rendered = { renditions: [] }
  for (const size of sizes) {
    const resized = open(input, limits).autoOrient().resize(size, size, { fit: 'inside', withoutEnlargement: true })
    if (size !== SIZES[0]) {
      out.renditions.push(await webpOf(resized, size))
      continue
    }
    // The small size: raw pixels once, then the WebP and the dominant colour from them.
    const { data, info } = await resized.raw().toBuffer({ resolveWithObject: true })
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } }
    out.renditions.push(await webpOf(sharp(data, raw), size))
    const stats = await sharp(data, raw).stats()
    out.color = hex(stats.dominant)
  }
  return out
}

/** A flat grey WebP of `size` × `size`: what a failed rendition answers. */
export async function placeholderWebp(size: Size): Promise<Buffer> {
  tuneSharp()
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: 0xd0, g: 0xd3, b: 0xd8 } } }).webp(WEBP).toBuffer()
}
