/**
 * Object versioning as Swift 2.30's legacy versioned_writes middleware: a container names a
 * versions container with X-Versions-Location (stack mode: DELETE restores the newest
 * previous version) or X-History-Location (history mode: DELETE leaves a delete marker).
 * Previous versions are copies named `<len(name) as 3 hex><name>/<timestamp>`. This module
 * owns the container-header rules and the copies; it reads and writes objects through the
 * object service (links are copied as links, as Swift's `?symlink=get`). No HTTP types.
 */
import { Readable } from 'node:stream'
import type { ObjectRef } from '../cluster/replicated-objects.js'
import { VeloxError, isVeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { ObjectRow } from '../store/types.js'
import type { ContainerService } from './containers.js'
import type { ObjectService } from './objects.js'
import type { HeaderMap } from './types.js'

export const DELETE_MARKER_CONTENT_TYPE = 'application/x-deleted;swift_versions_deleted=1'
export const VERSIONS_LOCATION = 'x-versions-location'
export const HISTORY_LOCATION = 'x-history-location'
/** /info's allowed_flags. */
export const ALLOWED_FLAGS = [VERSIONS_LOCATION, HISTORY_LOCATION] as const

export type VersioningMode = 'stack' | 'history'

const LISTING_PAGE = 1000

/**
 * container_request: rewrites a container PUT/POST's versioning headers in place. Both
 * locations set → 400; an empty value or X-Remove-*-Location clears both; a location with a
 * slash → 412. Setting one mode clears the other, so exactly one location is ever stored.
 */
export function normalizeVersioningHeaders(h: HeaderMap): void {
  if (h[VERSIONS_LOCATION] !== undefined && h[HISTORY_LOCATION] !== undefined) {
    if (!h[HISTORY_LOCATION]) delete h[HISTORY_LOCATION]
    else if (h[VERSIONS_LOCATION]) {
      throw new VeloxError('bad-request', `Only one of ${VERSIONS_LOCATION} or ${HISTORY_LOCATION} may be specified`, { explain: true })
    } else delete h[VERSIONS_LOCATION]
  }
  const removeHeaders = ['x-remove-versions-location', 'x-remove-history-location']
  const given = h[VERSIONS_LOCATION] ?? h[HISTORY_LOCATION]
  if (given !== undefined) {
    const mode: VersioningMode = h[VERSIONS_LOCATION] !== undefined ? 'stack' : 'history'
    if (!given) h['x-remove-versions-location'] = 'x'
    else {
      if (given.includes('/')) throw new VeloxError('precondition-failed', 'Container name cannot contain slashes', { explain: 'html' })
      h[VERSIONS_LOCATION] = mode === 'stack' ? given : ''
      h[HISTORY_LOCATION] = mode === 'history' ? given : ''
      for (const k of removeHeaders) delete h[k]
    }
  }
  if (removeHeaders.some((k) => h[k])) {
    h[VERSIONS_LOCATION] = ''
    h[HISTORY_LOCATION] = ''
  }
  for (const k of removeHeaders) delete h[k]
}

/** "<3 hex digits of the name's length in UTF-8 bytes, as Swift counts it><name>/": the prefix of an object's versions. */
export function versionsPrefix(object: string): string {
  return `${Buffer.byteLength(object).toString(16).padStart(3, '0')}${object}/`
}

/**
 * The prefix Velox used before it counted bytes: the length in characters. Archives of a
 * non-ASCII name made then still carry it, so a DELETE reads both (newestFirstOfObject).
 */
export function characterCountPrefix(object: string): string {
  return `${object.length.toString(16).padStart(3, '0')}${object}/`
}

export function versionName(object: string, timestamp: string): string {
  return versionsPrefix(object) + Timestamp.parse(timestamp).internal
}

export class VersioningService {
  constructor(
    private readonly containers: ContainerService,
    private readonly objects: ObjectService,
  ) {}

  /** The versions container and mode of a container, if versioning is on. */
  async settings(account: string, container: string): Promise<{ versions: string; mode: VersioningMode } | undefined> {
    const info = await this.containers.find(account, container)
    if (!info) return undefined
    const stack = info.metadata[VERSIONS_LOCATION]?.value
    const history = info.metadata[HISTORY_LOCATION]?.value
    const location = stack || history
    if (!location) return undefined
    let decoded = location
    try {
      decoded = decodeURIComponent(location)
    } catch {
      // Swift's wsgi_unquote leaves a malformed escape as it is.
    }
    return { versions: decoded.split('/')[0], mode: stack ? 'stack' : 'history' }
  }

  /** _copy_current: the object's current version (if any) is copied into the versions container. */
  async copyCurrent(ref: ObjectRef, versions: string): Promise<void> {
    let o
    try {
      o = await this.objects.open(ref)
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return
      throw err
    }
    try {
      const dest = { account: ref.account, container: versions, object: versionName(ref.object, o.meta.timestamp) }
      await this.writeCopy(dest, o.meta.headers, o.meta.contentType, () => o.stream(), o.meta.size)
    } finally {
      await o.close()
    }
  }

  /** History mode DELETE: keep the current version and leave a delete marker. */
  async pushDelete(ref: ObjectRef, versions: string): Promise<void> {
    await this.copyCurrent(ref, versions)
    const marker = { account: ref.account, container: versions, object: versionName(ref.object, Timestamp.now().internal) }
    await this.checked(async () => {
      await this.requireContainer(marker)
      return this.objects.put(marker, { headers: { 'content-type': DELETE_MARKER_CONTENT_TYPE }, body: Readable.from([]), length: 0 })
    })
  }

  /**
   * Stack mode DELETE (handle_obj_versions_delete_pop): restores the newest previous version
   * over the object and returns the path the DELETE must then remove (the restored version's
   * copy, or a delete marker), or the object itself when there is nothing to restore.
   */
  async popDelete(ref: ObjectRef, versions: string): Promise<ObjectRef> {
    const items = this.newestFirstOfObject(ref.account, versions, ref.object)
    const inVersions = (name: string) => ({ account: ref.account, container: versions, object: name })
    for await (const previous of items) {
      if (previous.contentType === DELETE_MARKER_CONTENT_TYPE) {
        if (await this.exists(ref)) break
        for await (const older of items) {
          if (older.contentType === DELETE_MARKER_CONTENT_TYPE) break
          if (!(await this.restore(inVersions(older.name), ref))) continue
          try {
            await this.objects.delete(inVersions(older.name))
          } catch (err) {
            if (!isVeloxError(err, 'not-found')) throw precondition(err)
          }
          break
        }
        return inVersions(previous.name)
      }
      if (await this.restore(inVersions(previous.name), ref)) return inVersions(previous.name)
    }
    return ref
  }

  /** _restore_data: copies a version back over the object; false when the version is gone. */
  private async restore(version: ObjectRef, ref: ObjectRef): Promise<boolean> {
    let o
    try {
      o = await this.objects.open(version)
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return false
      throw err
    }
    try {
      await this.writeCopy(ref, o.meta.headers, o.meta.contentType, () => o.stream(), o.meta.size)
      return true
    } finally {
      await o.close()
    }
  }

  /** _put_versioned_obj: the body with its content type, metadata and sysmeta (not its timestamp). */
  private async writeCopy(dest: ObjectRef, stored: Record<string, string>, contentType: string, body: () => Readable, size: number): Promise<void> {
    const headers: HeaderMap = { 'content-type': stored['content-type'] ?? contentType }
    for (const [k, v] of Object.entries(stored)) if (k !== 'x-timestamp') headers[k] = v
    await this.checked(async () => {
      await this.requireContainer(dest)
      const stream = body()
      try {
        return await this.objects.put(dest, { headers, body: stream, length: size })
      } finally {
        stream.destroy()
      }
    })
  }

  private async requireContainer(ref: ObjectRef): Promise<void> {
    if (!(await this.containers.find(ref.account, ref.container))) throw new VeloxError('not-found', 'container not found')
  }

  /** _check_response_error: a client error (the versions container is missing) is 412; others stay. */
  private async checked<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op()
    } catch (err) {
      throw precondition(err)
    }
  }

  private async exists(ref: ObjectRef): Promise<boolean> {
    try {
      await (await this.objects.open(ref)).close()
      return true
    } catch (err) {
      if (isVeloxError(err, 'not-found')) return false
      throw err
    }
  }

  /**
   * An object's versions newest first under Swift's prefix and, for a non-ASCII name, under
   * the character-count prefix Velox once wrote too (both are `<prefix><timestamp>`, so the
   * two lists merge by their timestamps). The old archives keep their names: a listing of
   * the versions container still shows them under the old prefix.
   */
  private async *newestFirstOfObject(account: string, versions: string, object: string): AsyncGenerator<ObjectRow> {
    const prefixes = [...new Set([versionsPrefix(object), characterCountPrefix(object)])]
    const lists = prefixes.map((p) => this.newestFirst(account, versions, p))
    const heads = await Promise.all(lists.map((l) => l.next()))
    const stamp = (i: number) => (heads[i].done ? '' : (heads[i].value as ObjectRow).name.slice(prefixes[i].length))
    for (;;) {
      let pick = -1
      for (let i = 0; i < heads.length; i++) if (!heads[i].done && (pick < 0 || stamp(i) > stamp(pick))) pick = i
      if (pick < 0) return
      yield heads[pick].value as ObjectRow
      heads[pick] = await lists[pick].next()
    }
  }

  /** The versions of an object, newest first, page by page; nothing when the container is gone. */
  private async *newestFirst(account: string, versions: string, prefix: string): AsyncGenerator<ObjectRow> {
    let marker: string | undefined
    for (;;) {
      let page
      try {
        page = await this.containers.list(account, versions, { prefix, marker, reverse: true, limit: LISTING_PAGE })
      } catch (err) {
        if (isVeloxError(err, 'not-found')) return
        throw err
      }
      const rows = page.entries.filter((e): e is ObjectRow => 'name' in e)
      if (rows.length === 0) return
      for (const row of rows) yield row
      marker = rows[rows.length - 1].name
    }
  }
}

function precondition(err: unknown): unknown {
  if (!(err instanceof VeloxError)) return err
  const status = err.kind
  const clientError = ['bad-request', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'length-required', 'precondition-failed', 'too-large', 'etag-mismatch'].includes(status)
  if (clientError) return new VeloxError('precondition-failed', 'could not version the object', undefined, { cause: err })
  return new VeloxError('unavailable', 'could not version the object', undefined, { cause: err })
}
