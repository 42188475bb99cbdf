/**
 * The object_versioning feature (Swift 2.24+'s, allow_object_versioning = true), between
 * versioned_writes and symlink as in Swift's pipeline: X-Versions-Enabled on container
 * PUT/POST, X-Object-Version-Id on object PUT/POST/DELETE/GET/HEAD, `?versions` listings,
 * `?version-id=` on GET/HEAD/DELETE (and PUT, which makes that version the current one), and
 * the container's listing and byte count over its versions. The names, sysmeta and listing
 * merge are swift/object-versioning.ts and swift/version-listing.ts; following the links is
 * the symlink feature's.
 */
import { Readable } from 'node:stream'
import type { ObjectRef } from '../../../cluster/replicated-objects.js'
import { VeloxError, isVeloxError } from '../../../errors.js'
import { Timestamp } from '../../../lib/timestamp.js'
import type { SwiftServices } from '../../../swift/index.js'
import {
  CLIENT_VERSIONS_ENABLED,
  DELETE_MARKER,
  RESERVED,
  SYSMETA_VERSIONS_ENABLED,
  parseVersionId,
  splitVersionName,
  versionObjectName,
  versionsContainerOf,
  versioningFromSysmeta,
  versioningState,
} from '../../../swift/object-versioning.js'
import { pyQuote, pyUnquote } from '../../../swift/symlinks.js'
import { swiftHtmlBody } from '../../error-response.js'
import { listingFormat, pyJson, renderObjectRecords } from '../listing-format.js'
import type { Next, SwiftFeature } from '../pipeline.js'
import { authorizeSubrequest, bodyLength, type SwiftRequest } from '../request.js'
import { htmlStatus, type SwiftResponse } from '../respond.js'
import { versionsListing, withVersionedRecords } from './version-listings.js'

export const objectVersioningFeature: SwiftFeature = {
  name: 'object_versioning',
  stage: 'post-auth',
  info: () => ({}),
  async handle(s, req, next) {
    if (req.path.container === undefined) return next()
    if (req.path.object === undefined) return containerRequest(s, req, next)
    return objectRequest(s, req, next)
  },
}

const refOf = (req: SwiftRequest): ObjectRef => ({ account: req.path.account, container: req.path.container as string, object: req.path.object as string })

/** The request aimed at another object (a version), without the query that chose it. */
function aimedAt(req: SwiftRequest, container: string, object: string, extra: Partial<SwiftRequest> = {}): SwiftRequest {
  return { ...req, path: { version: req.path.version, account: req.path.account, container, object }, query: new URLSearchParams(), ...extra }
}

/** An error answer that carries the version headers too, as Swift sets them on any response. */
function withHeaders(err: unknown, headers: Record<string, string>): unknown {
  if (!(err instanceof VeloxError)) return err
  return new VeloxError(err.kind, err.message, { ...err.detail, headers: { ...((err.detail?.headers as Record<string, string>) ?? {}), ...headers } }, { cause: err })
}

async function containerRequest(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const { account } = req.path
  const container = req.path.container as string
  if ((req.method === 'PUT' || req.method === 'POST') && req.headers[CLIENT_VERSIONS_ENABLED] !== undefined) {
    const sysmeta = await s.objectVersioning.enable(account, container, req.headers)
    return next({ ...req, headers: { ...req.headers, ...sysmeta } })
  }
  if (req.method === 'DELETE') {
    const st = versioningState(await s.containers.find(account, container))
    if (st.versions) await s.objectVersioning.deleteVersionsContainer(account, st.versions)
    return next()
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return next()
  const info = await s.containers.find(account, container)
  const st = versioningState(info)
  const r = req.method === 'GET' && (st.versions || req.query.has('versions')) ? await listing(s, req, next, st.versions ?? versionsContainerOf(container)) : await next()
  if (r.status >= 300) return r
  const enabled = info?.metadata[SYSMETA_VERSIONS_ENABLED]?.value
  if (enabled) r.headers['X-Versions-Enabled'] = enabled
  if (st.versions && r.headers['X-Container-Bytes-Used'] !== undefined) {
    const versions = await s.containers.find(account, st.versions)
    r.headers['X-Container-Bytes-Used'] = String(Number(r.headers['X-Container-Bytes-Used']) + (versions?.bytesUsed ?? 0))
  }
  return r
}

/** A listing read as JSON, version links rewritten, then rendered as asked (`?versions`: JSON only). */
async function listing(s: SwiftServices, req: SwiftRequest, next: Next, versions: string): Promise<SwiftResponse> {
  const forVersions = req.query.has('versions')
  const formatParam = req.query.get('format') ?? undefined
  const format = forVersions ? versionsFormat(formatParam, req.headers.accept) : listingFormat(formatParam, req.headers.accept)
  if (!format) throw new VeloxError('not-acceptable', 'no listing format matches Accept')
  const query = new URLSearchParams(req.query)
  query.delete('versions')
  query.set('format', 'json')
  const r = await next({ ...req, query })
  if (r.status !== 200 || r.body === undefined || r.body instanceof Readable) return r
  const where = { version: req.path.version, account: req.path.account, container: req.path.container as string, versions }
  const records = withVersionedRecords(r.body.toString(), where, forVersions)
  const headers = { ...r.headers, 'Content-Type': `${format}; charset=utf-8` }
  if (forVersions) return { status: 200, headers, body: pyJson(await versionsListing(s, req, records, where)) }
  if (format === 'text/plain' && records.length === 0) return { status: 204, headers }
  return { status: 200, headers, body: renderObjectRecords(records, format, where.container) }
}

/** _list_versions answers JSON only: a format= asking for another, or an Accept refusing JSON, is 406. */
function versionsFormat(param: string | undefined, accept: string | undefined): 'application/json' | undefined {
  if (param !== undefined) return param.toLowerCase() === 'json' ? 'application/json' : undefined
  if (!accept) return 'application/json'
  return /(^|,)\s*(\*\/\*|application\/\*|application\/json)\s*(;|,|$)/i.test(accept) ? 'application/json' : undefined
}

async function objectRequest(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const ref = refOf(req)
  // Every object request asks: from the briefly cached container info, as Swift's get_container_info.
  const st = versioningFromSysmeta((await s.infoCache.container(ref.account, ref.container)).sysmeta)
  const versionId = req.query.get('version-id')
  if (versionId) return versionedRequest(s, req, next, st.versions, versionId)
  if (!st.versions) return next()
  switch (req.method) {
    case 'PUT':
      return st.enabled ? put(s, req, next) : next()
    case 'POST':
      return post(req, next, st.versions)
    case 'DELETE':
      return st.enabled ? del(s, req, next, st.versions) : next()
    default:
      return read(req, next, st.versions)
  }
}

/** handle_put: the current null version kept, the body written as a new version, the name linked to it. */
async function put(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse> {
  const { 'x-delete-at': _at, 'x-delete-after': _after, ...headers } = req.headers
  const { meta, versionId } = await s.objectVersioning.store(refOf(req), req.headers, async (to, timestamp) => {
    await next(aimedAt(req, to.container, to.object, { headers, timestamp }))
    const o = await s.objects.open(to)
    await o.close()
    return o.meta
  })
  return htmlStatus(201, { Etag: meta.etag, 'Last-Modified': Timestamp.parse(meta.timestamp).httpDate, ...(versionId ? { 'X-Object-Version-Id': versionId } : {}) })
}

/** handle_post: the metadata lands on the link and, through the symlink's 307, on the version. */
async function post(req: SwiftRequest, next: Next, versions: string): Promise<SwiftResponse> {
  const r = await next()
  const location = r.status === 307 ? pyUnquote(String(r.headers.Location ?? '')) : ''
  const parts = location.split('/')
  if (parts.length < 5 || parts[2] !== req.path.account || parts[3] !== versions) return r
  return next(aimedAt(req, versions, parts.slice(4).join('/')))
}

/** handle_delete: the null version kept, a delete marker written, the name removed. */
async function del(s: SwiftServices, req: SwiftRequest, next: Next, versions: string): Promise<SwiftResponse> {
  const ref = refOf(req)
  await s.objectVersioning.copyCurrent(ref, versions)
  const version = Timestamp.now()
  await s.objectVersioning.writeDeleteMarker(ref, versions, version)
  const id = { 'X-Object-Version-Id': version.internal }
  try {
    const r = await next()
    Object.assign(r.headers, id)
    return r
  } catch (err) {
    throw isVeloxError(err, 'not-found') ? withHeaders(err, id) : err
  }
}

/** GET/HEAD: the version the name links to is named, as a client would ask for it. */
async function read(req: SwiftRequest, next: Next, versions: string): Promise<SwiftResponse> {
  let r: SwiftResponse
  try {
    r = await next()
  } catch (err) {
    throw withHeaders(err, { 'X-Object-Version-Id': 'null' })
  }
  r.headers['X-Object-Version-Id'] = 'null'
  const { account, version } = req.path
  const clientPath = (v: Timestamp) => `${pyQuote(`/${version}/${account}/${req.path.container}/${req.path.object}`)}?version-id=${v.internal}`
  const loc = pyUnquote(String(r.headers['Content-Location'] ?? '')).split('/')
  const locVersion = loc.length >= 5 && loc[2] === account && loc[3] === versions ? splitVersionName(loc.slice(4).join('/')) : undefined
  if (locVersion) {
    r.headers['X-Object-Version-Id'] = locVersion.version.internal
    r.headers['Content-Location'] = clientPath(locVersion.version)
  }
  const target = pyUnquote(String(r.headers['X-Symlink-Target'] ?? ''))
  const slash = target.indexOf('/')
  const targetVersion = slash > 0 && target.slice(0, slash) === versions ? splitVersionName(target.slice(slash + 1)) : undefined
  if (targetVersion) {
    r.headers['X-Object-Version-Id'] = targetVersion.version.internal
    r.headers['X-Symlink-Target'] = `${pyQuote(`${req.path.container}/${req.path.object}`)}?version-id=${targetVersion.version.internal}`
  }
  return r
}

/** Authorizes the caller on a version's path in the hidden versions container. */
async function authorizeVersion(s: SwiftServices, req: SwiftRequest, versions: string, version: Timestamp): Promise<void> {
  const ref = refOf(req)
  const where = { version: req.path.version, account: ref.account, container: versions, object: versionObjectName(ref.object, version) }
  await authorizeSubrequest(s, req, req.method, where).catch((err: unknown) => {
    throw req.method === 'DELETE' ? withHeaders(err, { 'X-Object-Version-Id': version.internal }) : err
  })
}

/** handle_versioned_request: `?version-id=` acts on that version (GET, HEAD, DELETE, PUT). */
async function versionedRequest(s: SwiftServices, req: SwiftRequest, next: Next, versions: string | undefined, id: string): Promise<SwiftResponse> {
  if (req.method === 'POST') throw new VeloxError('bad-request', 'POST to a specific version is not allowed', { explain: 'html' })
  if (!versions && id !== 'null') throw new VeloxError('bad-request', 'version-aware operations require that the container is versioned', { explain: 'html' })
  const version = parseVersionId(id)
  const ref = refOf(req)
  const plain = { ...req, query: withoutVersionId(req.query) }
  // As Swift: a version is read or deleted in the hidden versions container, which carries no
  // ACL of its own, so the caller must be allowed there (the owner is); a restore (PUT) first
  // finds the version (404), then asks the same (restoreVersion).
  if (version !== 'null' && versions && req.method !== 'PUT') await authorizeVersion(s, req, versions, version)
  if (req.method === 'DELETE') {
    if (version === 'null' || !versions) return next(plain)
    return deleteVersion(s, plain, next, versions, version)
  }
  if (req.method === 'PUT') {
    if (version === 'null' || !versions) throw new VeloxError('bad-request', 'PUT to the null version is not allowed', { explain: 'html' })
    return restoreVersion(s, req, versions, version)
  }
  if (version === 'null') {
    const r = await next(plain)
    if (pyUnquote(String(r.headers['Content-Location'] ?? '')).includes(`${RESERVED}versions${RESERVED}`)) {
      if (r.body instanceof Readable) r.body.destroy()
      throw new VeloxError('not-found', 'not the null version')
    }
    r.headers['X-Object-Version-Id'] = 'null'
    return r
  }
  const r = await next(aimedAt(req, versions as string, versionObjectName(ref.object, version)))
  if (String(r.headers['Content-Type'] ?? '') === DELETE_MARKER) {
    if (r.body instanceof Readable) r.body.destroy()
    const headers = { 'Content-Type': DELETE_MARKER, 'X-Object-Version-Id': id }
    return req.method === 'HEAD' ? { status: 404, headers, length: 0 } : { status: 404, headers, body: swiftHtmlBody(404) }
  }
  r.headers['X-Object-Version-Id'] = id
  return r
}

function withoutVersionId(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(q)
  out.delete('version-id')
  return out
}

/** handle_delete_version: the version goes; when it is the current one, the name's link goes first. */
async function deleteVersion(s: SwiftServices, req: SwiftRequest, next: Next, versions: string, version: Timestamp): Promise<SwiftResponse> {
  const ref = refOf(req)
  const current = await s.objectVersioning.currentVersion(ref, versions)
  const isCurrent = current instanceof Timestamp && current.ticks === version.ticks
  if (isCurrent) await next(req)
  const headers = { 'X-Object-Version-Id': version.internal, 'X-Object-Current-Version-Id': !isCurrent && current instanceof Timestamp ? current.internal : 'null' }
  try {
    const r = await next(aimedAt(req, versions, versionObjectName(ref.object, version)))
    Object.assign(r.headers, headers)
    return r
  } catch (err) {
    throw withHeaders(err, headers)
  }
}

/** handle_put_version: a zero-byte PUT makes an existing version the current one again. */
async function restoreVersion(s: SwiftServices, req: SwiftRequest, versions: string, version: Timestamp): Promise<SwiftResponse> {
  const len = bodyLength(req.raw)
  if (typeof len === 'number' && len > 0) throw new VeloxError('bad-request', 'PUT version-id requests require a zero byte body', { explain: true })
  const ref = refOf(req)
  let o
  try {
    o = await s.objects.open({ account: ref.account, container: versions, object: versionObjectName(ref.object, version) })
  } catch (err) {
    if (isVeloxError(err, 'not-found')) throw new VeloxError('not-found', 'The specified version does not exist', { explain: true })
    throw err
  }
  await o.close()
  await authorizeVersion(s, req, versions, version)
  const contentType = o.meta.headers['content-type'] ?? o.meta.contentType
  const link = await s.objectVersioning.linkToVersion(ref, versions, version, { etag: o.meta.etag, bytes: o.meta.size, contentType }, req.headers, Timestamp.now())
  return htmlStatus(201, { Etag: o.meta.etag, 'Last-Modified': Timestamp.parse(link.timestamp).httpDate, 'X-Object-Version-Id': version.internal })
}
