/**
 * Persisting an object file's metadata: JSON in the xattr `user.velox.metadata`, or, where the
 * filesystem has no user xattrs (ENOTSUP) or no room for this value (ENOSPC/E2BIG/ERANGE, e.g.
 * ext4's single 4 KiB xattr block), a sidecar file `<file>.vxmeta` written and fsynced beside
 * the temp file, so that a PUT Swift would 503 still succeeds. Also merges a fast-POST .meta
 * over the data file's metadata as Swift's `_construct_from_data_file` does.
 * Owns encoding and where the bytes go; it must not rename into the object tree or choose files.
 */
import { open, readFile } from 'node:fs/promises'
import { getAttribute, setAttribute } from 'fs-xattr'
import type { ObjectMetadata } from '../types.js'
import { hasCode, translateOsError } from '../os-errors.js'
import { sidecarName } from './layout.js'

export const XATTR_NAME = 'user.velox.metadata'
/** Linux caps one xattr value at 64 KiB; larger metadata goes straight to a sidecar. */
const XATTR_VALUE_MAX = 65536

/** What a .meta (fast POST) or .ts file carries. */
export interface FileMetadata {
  name: string
  timestamp: string
  headers?: Record<string, string>
}

/** Per-device knowledge of whether xattrs work; flips to false on the first ENOTSUP. */
export interface MetadataMode {
  xattrs: boolean
}

/**
 * Writes `value` as the metadata of the temp file at `tmpPath` (before its fsync). Returns the
 * path of a sidecar temp file when one was needed; it is already fsynced.
 */
export async function writeMetadata(tmpPath: string, value: object, mode: MetadataMode): Promise<string | undefined> {
  const bytes = Buffer.from(JSON.stringify(value))
  if (mode.xattrs && bytes.length <= XATTR_VALUE_MAX) {
    try {
      await setAttribute(tmpPath, XATTR_NAME, bytes)
      return undefined
    } catch (err) {
      if (hasCode(err, 'ENOTSUP', 'EOPNOTSUPP')) mode.xattrs = false
      else if (!hasCode(err, 'ENOSPC', 'E2BIG', 'ERANGE')) throw translateOsError(err, 'setxattr')
    }
  }
  const sidecar = sidecarName(tmpPath)
  let fh
  try {
    fh = await open(sidecar, 'wx')
    await fh.writeFile(bytes)
    await fh.sync()
  } catch (err) {
    throw translateOsError(err, 'write metadata sidecar')
  } finally {
    await fh?.close().catch(() => undefined)
  }
  return sidecar
}

/**
 * Reads the metadata of an object file. `fdPath` (`/proc/self/fd/N`) reaches the very file that
 * was opened even if it has since been unlinked; `filePath` names it for the sidecar.
 * Returns undefined when there is none (the caller decides whether that is corruption).
 */
export async function readMetadata(fdPath: string, filePath: string, mode: MetadataMode): Promise<unknown> {
  if (mode.xattrs) {
    try {
      return parseJson(await getAttribute(fdPath, XATTR_NAME))
    } catch (err) {
      if (!hasCode(err, 'ENODATA', 'ENOATTR', 'ENOTSUP', 'EOPNOTSUPP')) throw translateOsError(err, 'getxattr')
    }
  }
  try {
    return parseJson(await readFile(sidecarName(filePath)))
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return undefined
    throw translateOsError(err, 'read metadata sidecar')
  }
}

/**
 * Replaces the metadata of a committed file in place, where it is an xattr (setxattr swaps the
 * whole value atomically; the file is then fsynced). Returns false, changing nothing, when the
 * file keeps its metadata in a sidecar (durable-files.ts replaceSidecar does those) or the new
 * value does not fit an xattr.
 */
export async function replaceXattrMetadata(filePath: string, value: object, mode: MetadataMode): Promise<boolean> {
  const bytes = Buffer.from(JSON.stringify(value))
  if (!mode.xattrs || bytes.length > XATTR_VALUE_MAX) return false
  let fh
  try {
    fh = await open(filePath, 'r')
    const fdPath = `/proc/self/fd/${fh.fd}`
    try {
      await getAttribute(fdPath, XATTR_NAME)
    } catch (err) {
      if (hasCode(err, 'ENODATA', 'ENOATTR', 'ENOTSUP', 'EOPNOTSUPP')) return false
      throw err
    }
    try {
      await setAttribute(fdPath, XATTR_NAME, bytes)
    } catch (err) {
      if (hasCode(err, 'ENOSPC', 'E2BIG', 'ERANGE')) return false
      throw err
    }
    await fh.sync()
    return true
  } catch (err) {
    throw translateOsError(err, 'replace metadata')
  } finally {
    await fh?.close().catch(() => undefined)
  }
}

/** Invalid JSON is reported as `null`, which every validator below rejects. */
function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch {
    return null
  }
}

function isHeaders(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string')
}

/** The data file's metadata, or undefined when it is malformed (→ quarantine). */
export function asObjectMetadata(v: unknown): ObjectMetadata | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const m = v as Partial<ObjectMetadata>
  const ok =
    typeof m.name === 'string' &&
    typeof m.timestamp === 'string' &&
    typeof m.contentType === 'string' &&
    typeof m.etag === 'string' &&
    /^[0-9a-f]{32}$/.test(m.etag) &&
    typeof m.size === 'number' &&
    Number.isSafeInteger(m.size) &&
    m.size >= 0 &&
    (m.blockCrc32 === undefined || typeof m.blockCrc32 === 'string') &&
    isHeaders(m.headers)
  return ok ? (m as ObjectMetadata) : undefined
}

export function asFileMetadata(v: unknown): FileMetadata | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const m = v as Partial<FileMetadata>
  const ok = typeof m.name === 'string' && typeof m.timestamp === 'string' && (m.headers === undefined || isHeaders(m.headers))
  return ok ? (m as FileMetadata) : undefined
}

/** Headers of the data file that a fast POST cannot replace (Swift: reserved and system
 *  metadata of the data file, `RESERVED_DATAFILE_META | DATAFILE_SYSTEM_META`, sysmeta). */
function keptFromData(name: string): boolean {
  return name.startsWith('x-object-sysmeta-') || name === 'x-static-large-object'
}

/** The object as seen with a newer .meta applied: the .meta's headers replace the rest. */
export function mergeFastPost(data: ObjectMetadata, meta: FileMetadata | undefined): ObjectMetadata {
  if (!meta) return data
  const headers: Record<string, string> = { ...(meta.headers ?? {}) }
  for (const [k, v] of Object.entries(data.headers)) if (keptFromData(k)) headers[k] = v
  return { ...data, headers }
}
