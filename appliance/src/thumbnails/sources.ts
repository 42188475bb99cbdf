/**
 * What can have a thumbnail, and how its still is obtained: images that this libvips build
 * decodes (render.ts), videos through `ffmpeg` (first frame) and PDFs through `pdftoppm`
 * (first page) when those Debian tools are installed. Decides from the object's stored
 * content type, with its name's extension when the type is the generic octet-stream.
 * Large objects (SLO/DLO manifests) and symlinks have no thumbnail of their own.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import mime from 'mime-types'
import type { ObjectMetadata } from '../store/types.js'

export type SourceKind = 'image' | 'video' | 'pdf'

export interface Tools {
  /** Absolute paths of the Debian tools found on PATH. */
  ffmpeg?: string
  pdftoppm?: string
}

/** Finds an executable on `path` (a PATH string), as `which` does. */
export function findTool(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue
    const file = join(dir, name)
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {
      // not in this directory
    }
  }
  return undefined
}

export function findTools(path: string): Tools {
  return { ffmpeg: findTool('ffmpeg', path), pdftoppm: findTool('pdftoppm', path) }
}

const GENERIC = new Set(['application/octet-stream', 'binary/octet-stream', ''])

/** The content type that decides: the stored one, or the name's when that is generic. */
export function effectiveType(meta: ObjectMetadata): string {
  const stored = (meta.headers['content-type'] ?? meta.contentType ?? '').split(';')[0].trim().toLowerCase()
  if (!GENERIC.has(stored)) return stored
  const name = meta.name.slice(meta.name.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  return (dot > 0 && mime.lookup(name.slice(dot + 1))) || stored
}

export class SourcePolicy {
  private readonly images: Set<string>

  constructor(imageTypes: readonly string[], readonly tools: Tools) {
    this.images = new Set(imageTypes)
  }

  /** How this object's still is made, or undefined when it has no thumbnail. */
  kindOf(meta: ObjectMetadata): SourceKind | undefined {
    const h = meta.headers
    if (h['x-static-large-object'] !== undefined || h['x-object-manifest'] !== undefined) return undefined
    if (Object.keys(h).some((k) => k.startsWith('x-object-sysmeta-symlink-'))) return undefined
    const type = effectiveType(meta)
    if (this.images.has(type)) return 'image'
    if (this.tools.ffmpeg && type.startsWith('video/')) return 'video'
    if (this.tools.pdftoppm && type === 'application/pdf') return 'pdf'
    return undefined
  }

  /** The content types that get thumbnails, for /info. */
  types(): string[] {
    const out = [...this.images]
    if (this.tools.ffmpeg) out.push('video/*')
    if (this.tools.pdftoppm) out.push('application/pdf')
    return out
  }
}

/** The source itself cannot be rendered (bad data, over a limit, a tool failing on it): recorded, not retried. */
export class RenderFailure extends Error {
  override readonly name = 'RenderFailure'
}

/** Runs `f`, turning whatever it throws into a RenderFailure with the same message. */
export async function asRenderFailure<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (err) {
    throw err instanceof RenderFailure ? err : new RenderFailure(err instanceof Error ? err.message : String(err))
  }
}
