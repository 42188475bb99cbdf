/**
 * A zip of many objects streamed to the client as it is built, one object at a time, each
 * read through the Swift read path by the caller (`read`): nothing is buffered beyond the
 * entry being written. Used by a folder share link (/s/<token>/zip) and by the file browser's
 * "Download as zip" (/api/zip). Already-compressed types are stored, the rest deflated.
 * The client going away stops the walk; an object the reader refuses or that is gone since
 * the listing is left out.
 */
import type { Context } from 'koa'
import { ZipArchive } from 'archiver'
import type { SwiftResponse } from './swift/respond.js'

/** Already-compressed types a zip stores as they are rather than deflating again. */
const COMPRESSED = /^(image\/(jpeg|png|gif|webp|avif|heic|heif)|video\/|audio\/|application\/(zip|gzip|x-gzip|x-7z-compressed|x-rar-compressed|vnd\.rar|x-bzip2|x-xz|zstd|pdf))/i

export interface ZipItem {
  /** The object to read. */
  object: string
  /** Its name inside the zip. */
  path: string
  contentType: string
  lastModified: Date
}

/** Starts the answer (200, application/zip, attachment) and fills it in the background. */
export function sendZip(ctx: Context, items: AsyncIterable<ZipItem>, read: (item: ZipItem) => Promise<SwiftResponse | undefined>, onError: (err: unknown) => void): void {
  const archive = new ZipArchive({ zlib: { level: 6 } })
  ctx.status = 200
  ctx.body = archive
  ctx.type = 'application/zip'
  ctx.set('Cache-Control', 'no-store')
  void fillZip(ctx, items, read, archive).catch((err: unknown) => {
    onError(err)
    archive.abort()
    ctx.res.destroy()
  })
}

async function fillZip(ctx: Context, items: AsyncIterable<ZipItem>, read: (item: ZipItem) => Promise<SwiftResponse | undefined>, archive: ZipArchive): Promise<void> {
  let closed = false
  // The client going away stops the walk; an entry waiting for a reader is dropped with it.
  const gone = new Promise<void>((resolve) => ctx.res.once('close', () => resolve(void (closed = true))))
  for await (const e of items) {
    if (closed) return
    const r = await read(e)
    if (r === undefined || r.status !== 200 || r.body === undefined) continue // gone since the listing, or refused
    const added = new Promise<void>((resolve, reject) => {
      const onEntry = () => {
        archive.off('error', onError)
        resolve()
      }
      const onError = (err: Error) => {
        archive.off('entry', onEntry)
        reject(err)
      }
      archive.once('entry', onEntry)
      archive.once('error', onError)
    })
    archive.append(r.body, { name: e.path, date: e.lastModified, store: COMPRESSED.test(e.contentType) })
    await Promise.race([added, gone])
    if (closed) {
      if (typeof r.body === 'object' && 'destroy' in r.body) r.body.destroy()
      archive.abort()
      return
    }
  }
  await archive.finalize()
}
