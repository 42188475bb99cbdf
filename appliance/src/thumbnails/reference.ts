/**
 * What `velox bench thumbnails` measures the pipeline against, kept here because this folder
 * is the only importer of sharp: synthetic camera-sized photos, and bare sharp resizing files
 * from disk to the same two WebP renditions with the same settings (no store, no queue, no
 * HTTP). Not used by the appliance itself.
 */
import { writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { SIZES, WEBP } from './render.js'

/**
 * A `width`×`height` JPEG that compresses like a photo (smooth regions, fine detail, noise),
 * not like a flat colour or pure noise.
 */
export async function syntheticPhoto(width: number, height: number): Promise<Buffer> {
  const detail = await sharp({ create: { width: Math.round(width / 3), height: Math.round(height / 3), channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
    .blur(1.2)
    .png({ compressionLevel: 0 })
    .toBuffer()
  return sharp(detail).resize(width, height, { kernel: 'cubic' }).modulate({ saturation: 1.6 }).sharpen({ sigma: 1 }).jpeg({ quality: 90 }).toBuffer()
}

/**
 * Bare sharp: each file to both renditions (one pipeline per size, shrink-on-load in each),
 * `parallel` files at a time with libvips' default thread count; returns the wall time in ms.
 * Without libvips' operation cache, as in the appliance: alternating rounds over the same
 * files must not find the previous round's decodes.
 */
export async function bareSharp(files: readonly string[], outDir: string, parallel: number): Promise<number> {
  sharp.cache(false)
  const t0 = performance.now()
  let next = 0
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]
      for (const size of SIZES) {
        const webp = await sharp(file).rotate().resize(size, size, { fit: 'inside', withoutEnlargement: true }).webp(WEBP).toBuffer()
        await writeFile(join(outDir, `${basename(file)}.${size}.webp`), webp)
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  return performance.now() - t0
}
