/**
 * Object versioning as Swift 2.24+'s object_versioning middleware keeps it: a container with
 * X-Versions-Enabled gets a hidden versions container "\0versions\0<container>" (same storage
 * policy); every version is an object "\0<name>\0<inverted timestamp>" there, and the name in
 * the container is a static link (symlink sysmeta plus versions-symlink) to its newest version.
 * A delete leaves a zero-byte delete marker version. Objects written while versioning was never
 * on (or off) are "null" versions. This module owns the names, the container sysmeta and the
 * version listing merge; request plumbing is http/swift/features/object-versioning.ts.
 * No HTTP types here.
 */
import { Readable } from 'node:stream'
import type { ObjectRef } from '../cluster/replicated-objects.js'
import { VeloxError, isVeloxError } from '../errors.js'
import { Timestamp } from '../lib/timestamp.js'
import type { ContainerInfo, ObjectMetadata } from '../store/types.js'
import type { ObjectService } from './objects.js'
import { SYSMETA_SYMLOOP_EXTEND, parseSymlinkPut, pyQuote, pyUnquote, symlinkOf, symlinkSysmeta } from './symlinks.js'
import type { ContainerService } from './containers.js'
import type { HeaderMap } from './types.js'

export const DELETE_MARKER = 'application/x-deleted;swift_versions_deleted=1'
export const CLIENT_VERSIONS_ENABLED = 'x-versions-enabled'
export const SYSMETA_VERSIONS_ENABLED = 'x-container-sysmeta-versions-enabled'
export const SYSMETA_VERSIONS_CONT = 'x-container-sysmeta-versions-container'
export const SYSMETA_VERSIONS_SYMLINK = 'x-object-sysmeta-versions-symlink'
/** Swift's RESERVED: names starting with it are the cluster's own, never a client's. */
export const RESERVED = '\u0000'

/** Swift's get_reserved_name: the parts joined by and after RESERVED. */
export function reservedName(...parts: string[]): string {
  return RESERVED + parts.join(RESERVED)
}

export function versionsContainerOf(container: string): string {
  return reservedName('versions', container)
}

/** Swift's ~Timestamp: 999999999999999 ticks minus the timestamp's (so newest sorts first). */
export function invertTimestamp(ts: Timestamp): Timestamp {
  return new Timestamp(999_999_999_999_999 - ts.ticks)
}

export function versionObjectName(object: string, version: Timestamp): string {
  return reservedName(object, invertTimestamp(version).internal)
}

/** "\0name\0inverted" → the name and its version; undefined for any other name. */
export function splitVersionName(name: string): { object: string; version: Timestamp } | undefined {
  if (!name.startsWith(RESERVED)) return undefined
  const at = name.lastIndexOf(RESERVED)
  const inv = Timestamp.tryParse(name.slice(at + 1))
  if (at <= 0 || !inv) return undefined
  return { object: name.slice(1, at), version: invertTimestamp(inv) }
}

/** A version id as a client gives it ("null" or a timestamp); 400 otherwise, as Swift answers. */
export function parseVersionId(id: string): Timestamp | 'null' {
  if (id === 'null') return 'null'
  const ts = Timestamp.tryParse(id)
  if (!ts || !/^\d+(\.\d+)?$/.test(id)) throw new VeloxError('bad-request', 'Invalid version parameter', { explain: 'html' })
  return ts
}

export interface VersioningState {
  /** The hidden container, when versioning was ever enabled. */
  versions?: string
  enabled: boolean
}

export function versioningState(info: ContainerInfo | undefined): VersioningState {
  const md = info?.metadata ?? {}
  return versioningFromSysmeta({ [SYSMETA_VERSIONS_CONT]: md[SYSMETA_VERSIONS_CONT]?.value, [SYSMETA_VERSIONS_ENABLED]: md[SYSMETA_VERSIONS_ENABLED]?.value })
}

/** The same from container sysmeta values (the info cache's). */
export function versioningFromSysmeta(sysmeta: Record<string, string | undefined> = {}): VersioningState {
  const cont = sysmeta[SYSMETA_VERSIONS_CONT]
  return { versions: cont ? pyUnquote(cont).split('/')[0] : undefined, enabled: /^(true|1|yes|on|t|y)$/i.test(sysmeta[SYSMETA_VERSIONS_ENABLED] ?? '') }
}

export class ObjectVersioningService {
  constructor(
    private readonly containers: ContainerService,
    private readonly objects: ObjectService,
  ) {}

  async state(account: string, container: string): Promise<VersioningState> {
    return versioningState(await this.containers.find(account, container))
  }

  /**
   * enable_versioning: refuses a container using legacy versioned_writes (400), sets the
   * enabled flag, and on enabling creates the versions container in the container's policy
   * (or the one the PUT names). Returns the sysmeta headers the container request carries.
   */
  async enable(account: string, container: string, h: HeaderMap): Promise<Record<string, string>> {
    const info = await this.containers.find(account, container)
    const md = info?.metadata ?? {}
    if (md['x-versions-location']?.value || md['x-history-location']?.value) {
      throw new VeloxError('bad-request', 'Cannot enable object versioning on a container that is already using the legacy versioned writes feature.', { explain: 'html' })
    }
    const enabled = /^(true|1|yes|on|t|y)$/i.test(h[CLIENT_VERSIONS_ENABLED] ?? '')
    const out: Record<string, string> = { [SYSMETA_VERSIONS_ENABLED]: enabled ? 'True' : 'False' }
    if (enabled) {
      const versions = versionsContainerOf(container)
      const policy = info ? this.containers.policyName(info) : h['x-storage-policy']
      await this.containers.put(account, versions, policy ? { 'x-storage-policy': policy } : {}, true).catch((err: unknown) => {
        if (!isVeloxError(err, 'conflict')) throw new VeloxError('internal', 'Error enabling object versioning', undefined, { cause: err })
      })
      out[SYSMETA_VERSIONS_CONT] = pyQuote(versions)
    }
    return out
  }

  /** handle_delete of a container: its versions must be gone (409), then the versions container goes too. */
  async deleteVersionsContainer(account: string, versions: string): Promise<void> {
    const info = await this.containers.find(account, versions)
    if (!info) return
    if (info.objectCount > 0) throw new VeloxError('conflict', 'Delete all versions before deleting container.', { explain: 'html' })
    await this.containers.delete(account, versions).catch((err: unknown) => {
      if (!isVeloxError(err, 'not-found')) throw err
    })
  }

  /**
   * _copy_current: an object written while versioning was off (a null version) is kept as a
   * version named by its own timestamp before it is overwritten or deleted.
   */
  async copyCurrent(ref: ObjectRef, versions: string): Promise<void> {
    const o = await this.objects.openIfExists(ref)
    if (!o) return
    try {
      if (o.meta.headers[SYSMETA_VERSIONS_SYMLINK] === 'true') return
      const dest = { account: ref.account, container: versions, object: versionObjectName(ref.object, Timestamp.parse(o.meta.timestamp)) }
      const headers: HeaderMap = { 'content-type': o.meta.headers['content-type'] ?? o.meta.contentType }
      for (const [k, v] of Object.entries(o.meta.headers)) if (k !== 'x-timestamp') headers[k] = v
      const body = o.stream()
      try {
        await this.objects.put(dest, { headers, body, length: o.meta.size })
      } catch (err) {
        throw checked(err)
      } finally {
        body.destroy()
      }
    } finally {
      await o.close()
    }
  }

  /**
   * An object a feature stores itself (an SLO manifest): in a container with versioning
   * enabled it is written as a new version and the name linked to it; elsewhere as it is.
   */
  async store(ref: ObjectRef, h: HeaderMap, write: (to: ObjectRef, timestamp?: string) => Promise<ObjectMetadata>): Promise<{ meta: ObjectMetadata; versionId?: string }> {
    const st = await this.state(ref.account, ref.container)
    if (!st.versions || !st.enabled) return { meta: await write(ref) }
    await this.copyCurrent(ref, st.versions)
    const version = Timestamp.now()
    const meta = await write({ account: ref.account, container: st.versions, object: versionObjectName(ref.object, version) }, version.internal).catch((err: unknown) => {
      if (isVeloxError(err, 'not-found')) throw new VeloxError('internal', 'The versions container does not exist. You may want to re-enable object versioning.')
      throw checked(err)
    })
    const bytes = Number(meta.headers['x-object-sysmeta-slo-size'] ?? meta.size)
    const contentType = (meta.headers['content-type'] ?? meta.contentType).split(';')[0]
    await this.linkToVersion(ref, st.versions, version, { etag: meta.etag, bytes, contentType }, h)
    return { meta, versionId: version.internal }
  }

  /** handle_delete: a zero-byte delete marker version at `version`. */
  async writeDeleteMarker(ref: ObjectRef, versions: string, version: Timestamp): Promise<void> {
    const marker = { account: ref.account, container: versions, object: versionObjectName(ref.object, version) }
    try {
      await this.objects.put(marker, { headers: { 'content-type': DELETE_MARKER }, body: Readable.from([]), length: 0, timestamp: version.internal })
    } catch (err) {
      throw checked(err)
    }
  }

  /**
   * _put_symlink_to_version: the name in the container becomes a static link to the version
   * (the client's metadata and content type on it, never its large-object headers).
   */
  async linkToVersion(ref: ObjectRef, versions: string, version: Timestamp, target: { etag: string; bytes: number; contentType: string }, h: HeaderMap, at: Timestamp = version) {
    const versionName = versionObjectName(ref.object, version)
    const p = parseSymlinkPut({ 'x-symlink-target': pyQuote(`${versions}/${versionName}`) }, ref)
    const headers: HeaderMap = {}
    for (const [k, v] of Object.entries(h)) {
      if (v !== undefined && !['etag', 'x-object-manifest', 'x-static-large-object', 'x-if-delete-at', 'x-symlink-target-account'].includes(k) && !k.startsWith('x-object-sysmeta-slo-')) headers[k] = v
    }
    Object.assign(headers, symlinkSysmeta(p, { etag: target.etag, bytes: target.bytes }), {
      'content-type': target.contentType,
      [SYSMETA_VERSIONS_SYMLINK]: 'true',
      [SYSMETA_SYMLOOP_EXTEND]: 'true',
    })
    // Swift inches the link's X-Timestamp (the request's) forward with an offset.
    return this.objects.put(ref, { headers, body: Readable.from([]), length: 0, timestamp: new Timestamp(at.ticks, 1).internal })
  }

  /** _check_head: whether the name currently links to a version, and which. */
  async currentVersion(ref: ObjectRef, versions: string): Promise<Timestamp | 'null' | undefined> {
    const o = await this.objects.openIfExists(ref)
    if (!o) return undefined
    await o.close()
    const link = symlinkOf(o.meta.headers)
    if (o.meta.headers[SYSMETA_VERSIONS_SYMLINK] !== 'true' || !link) return 'null'
    const target = pyUnquote(link.target)
    const slash = target.indexOf('/')
    if (target.slice(0, slash) !== versions) return 'null'
    return splitVersionName(target.slice(slash + 1))?.version ?? 'null'
  }
}

/**
 * The version a name in a versioned container links to (its stored object), or undefined
 * for any other object. Only the cluster writes these links (sysmeta), so features that read
 * an object's bytes themselves (thumbnails) may follow one without a new access check.
 */
export function versionLinkTarget(account: string, headers: Record<string, string | number | undefined>): ObjectRef | undefined {
  const link = symlinkOf(headers)
  if (headers[SYSMETA_VERSIONS_SYMLINK] !== 'true' || !link) return undefined
  const target = pyUnquote(link.target)
  const slash = target.indexOf('/')
  if (slash <= 0 || !splitVersionName(target.slice(slash + 1))) return undefined
  return { account, container: target.slice(0, slash), object: target.slice(slash + 1) }
}

/** _check_response_error: a versions container that is gone is 412; other client errors stay, the rest 503. */
function checked(err: unknown): unknown {
  if (!(err instanceof VeloxError)) return err
  if (err.kind === 'not-found') return new VeloxError('precondition-failed', 'versions container missing', undefined, { cause: err })
  if (['bad-request', 'unauthorized', 'forbidden', 'conflict', 'length-required', 'precondition-failed', 'too-large', 'etag-mismatch'].includes(err.kind)) return err
  return new VeloxError('unavailable', 'could not version the object', undefined, { cause: err })
}
