/**
 * Where object files live on a device and which of them count, following Swift's
 * obj/diskfile.py (`get_ondisk_files`, `_process_ondisk_files` for replicated policies):
 *
 *   <root>/objects/<partition>/<suffix>/<hash>/<timestamp>.data | .ts | .meta
 *   <root>/tmp/                  temp files of writes in progress (same filesystem)
 *   <root>/quarantined/objects/  hash directories that failed a check
 *
 * A metadata sidecar `<timestamp>.<ext>.vxmeta` sits beside a file whose metadata could not go
 * into an xattr; the suffix is not one of Swift's kinds, so Swift tools would merely call it
 * unexpected. Owns only names and the pure choice of files; it must not touch the disk.
 */
import { join } from 'node:path'
import { VeloxError } from '../../errors.js'
import { Timestamp } from '../../lib/timestamp.js'

export type FileKind = 'data' | 'ts' | 'meta'
export const SIDECAR_SUFFIX = '.vxmeta'

export interface OndiskFile {
  name: string
  kind: FileKind
  timestamp: Timestamp
}

/** The files that make up an object's state, and those a cleanup may remove. */
export interface OndiskFiles {
  data?: OndiskFile
  /** Only reported with a data file, and only when newer than it. */
  meta?: OndiskFile
  /** Only reported when no data file is chosen. */
  ts?: OndiskFile
  /** Newest timestamp among data and tombstone (what PUT and DELETE compare with). */
  newest?: Timestamp
  obsolete: string[]
}

const HASH = /^[0-9a-f]{32}$/

export function devicePaths(root: string) {
  return {
    objects: join(root, 'objects'),
    tmp: join(root, 'tmp'),
    quarantined: join(root, 'quarantined', 'objects'),
  }
}

/** Swift's get_data_dir: `objects` for storage policy 0, `objects-N` for policy N. */
export function objectsDirName(policy = 0): string {
  return policy === 0 ? 'objects' : `objects-${policy}`
}

/** `<root>/objects[-N]/<partition>/<suffix>/<hash>`; rejects anything that is not a Swift hash. */
export function hashDirOf(root: string, partition: number, hash: string, policy = 0): string {
  if (!HASH.test(hash)) throw new VeloxError('bad-request', `not an object hash: ${JSON.stringify(hash)}`)
  if (!Number.isSafeInteger(partition) || partition < 0) throw new VeloxError('bad-request', `bad partition: ${partition}`)
  if (!Number.isSafeInteger(policy) || policy < 0) throw new VeloxError('bad-request', `bad storage policy: ${policy}`)
  return join(root, objectsDirName(policy), String(partition), hash.slice(-3), hash)
}

export function isObjectHash(name: string): boolean {
  return HASH.test(name)
}

export function fileName(timestamp: Timestamp, kind: FileKind): string {
  return `${timestamp.internal}.${kind}`
}

export function sidecarName(file: string): string {
  return file + SIDECAR_SUFFIX
}

/** Parses `<timestamp>.<kind>`; undefined for anything else (sidecars, strays). */
export function parseFileName(name: string): OndiskFile | undefined {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return undefined
  const kind = name.slice(dot + 1)
  if (kind !== 'data' && kind !== 'ts' && kind !== 'meta') return undefined
  const timestamp = Timestamp.tryParse(name.slice(0, dot))
  if (!timestamp || timestamp.internal !== name.slice(0, dot)) return undefined
  return { name, kind, timestamp }
}

function newestFirst(a: OndiskFile, b: OndiskFile): number {
  return b.timestamp.compare(a.timestamp)
}

/**
 * Swift's rules, replicated policy:
 * - the newest .ts makes every other file at or before it obsolete (and older .ts);
 * - only the newest .meta is kept;
 * - the newest .data makes older .data obsolete, and .ts/.meta at or before it;
 * - a .meta is reported only beside a data file; a .meta without data is left alone
 *   (Swift reclaims it after reclaim_age; it never makes an object visible).
 * Sidecars follow their file: obsolete with it, or when their file is gone.
 */
export function chooseOndiskFiles(names: readonly string[]): OndiskFiles {
  const obsolete: string[] = []
  const byKind: Record<FileKind, OndiskFile[]> = { data: [], ts: [], meta: [] }
  const sidecars: string[] = []
  for (const name of names) {
    if (name.endsWith(SIDECAR_SUFFIX)) sidecars.push(name)
    else {
      const file = parseFileName(name)
      if (file) byKind[file.kind].push(file)
    }
  }
  for (const list of Object.values(byKind)) list.sort(newestFirst)
  const keepNewerThan = (kind: FileKind, t: Timestamp, inclusive: boolean) => {
    byKind[kind] = byKind[kind].filter((f) => {
      const c = f.timestamp.compare(t)
      const keep = c > 0 || (inclusive && c === 0)
      if (!keep) obsolete.push(f.name)
      return keep
    })
  }
  const [newestTs] = byKind.ts
  if (newestTs) {
    keepNewerThan('data', newestTs.timestamp, false)
    keepNewerThan('meta', newestTs.timestamp, false)
    keepNewerThan('ts', newestTs.timestamp, true)
  }
  for (const old of byKind.meta.splice(1)) obsolete.push(old.name)
  const [data] = byKind.data
  if (data) {
    keepNewerThan('data', data.timestamp, true)
    keepNewerThan('ts', data.timestamp, false)
    keepNewerThan('meta', data.timestamp, false)
  }
  const result: OndiskFiles = { obsolete }
  if (data) {
    result.data = data
    result.meta = byKind.meta[0]
    result.newest = data.timestamp
  } else if (byKind.ts[0]) {
    result.ts = byKind.ts[0]
    result.newest = byKind.ts[0].timestamp
  }
  const live = new Set(names.filter((n) => !n.endsWith(SIDECAR_SUFFIX)))
  for (const name of obsolete) live.delete(name)
  for (const sidecar of sidecars) {
    if (!live.has(sidecar.slice(0, -SIDECAR_SUFFIX.length))) obsolete.push(sidecar)
  }
  return result
}
