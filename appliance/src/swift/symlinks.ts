/**
 * Symlink semantics (Swift 2.30's symlink middleware): validating a link PUT and turning its
 * X-Symlink-* headers into object sysmeta, reading a stored link back, the container-listing
 * etag override that carries the target, and the listing record rewrite (symlink_path,
 * symlink_etag, symlink_bytes). Following links is request plumbing and lives in http/,
 * except for the segments of large objects, which swift/ opens itself (openThroughLinks).
 * No HTTP types here.
 */
import { VeloxError } from '../errors.js'
import type { ObjectRef } from '../cluster/replicated-objects.js'
import { OVERRIDE_ETAG_KEY } from './objects.js'
import type { OpenObject } from '../store/types.js'
import type { HeaderMap } from './types.js'

export const DEFAULT_SYMLOOP_MAX = 2
export const MD5_OF_EMPTY = 'd41d8cd98f00b204e9800998ecf8427e'

export const SYSMETA_TARGET = 'x-object-sysmeta-symlink-target'
export const SYSMETA_TARGET_ACCOUNT = 'x-object-sysmeta-symlink-target-account'
export const SYSMETA_TARGET_ETAG = 'x-object-sysmeta-symlink-target-etag'
export const SYSMETA_TARGET_BYTES = 'x-object-sysmeta-symlink-target-bytes'
export const SYSMETA_SYMLOOP_EXTEND = 'x-object-sysmeta-symloop-extend'

/** A stored link as its sysmeta describes it; `target` and `account` stay URL-quoted as Swift keeps them. */
export interface SymlinkInfo {
  target: string
  account?: string
  etag?: string
  bytes?: string
  extendLoop: boolean
}

/** Python's urllib.parse.quote(s, safe='/'), which Swift uses for link targets. */
export function pyQuote(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/')
}

/** Python's urllib.parse.unquote: bad escapes stay as they are. */
export function pyUnquote(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s.replace(/(%[0-9a-fA-F]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m)
      } catch {
        return m
      }
    })
  }
}

/** Swift answers some of these as text/plain, others (swob's defaults) as text/html with the same text. */
const explain = (kind: 'bad-request' | 'precondition-failed', msg: string, html = false) => new VeloxError(kind, msg, { explain: html ? 'html' : true })

/** Reads link sysmeta from stored or response headers (any case); undefined when not a link. */
export function symlinkOf(headers: Record<string, string | number | undefined>): SymlinkInfo | undefined {
  const get = (k: string): string | undefined => {
    for (const [name, v] of Object.entries(headers)) if (name.toLowerCase() === k && v !== undefined) return String(v)
    return undefined
  }
  const target = get(SYSMETA_TARGET)
  if (!target) return undefined
  return { target, account: get(SYSMETA_TARGET_ACCOUNT), etag: get(SYSMETA_TARGET_ETAG), bytes: get(SYSMETA_TARGET_BYTES), extendLoop: /^(1|true|yes|on|t|y)$/i.test(get(SYSMETA_SYMLOOP_EXTEND) ?? '') }
}

/** The object a link points at, decoded, for a link stored under `account`. */
export function targetRef(link: SymlinkInfo, account: string): ObjectRef {
  const t = pyUnquote(link.target)
  const slash = t.indexOf('/')
  return { account: link.account ? pyUnquote(link.account) : account, container: t.slice(0, slash), object: t.slice(slash + 1) }
}

/** "/v1/<account>/<container>/<object>" as Swift reports the target (Content-Location, symlink_path). */
export function targetPath(version: string, link: SymlinkInfo, account: string): string {
  return `/${version}/${link.account ?? pyQuote(account)}/${link.target.replace(/^\/+/, '')}`
}

export interface SymlinkPut {
  /** The link's target, quoted ("c/o"). */
  target: string
  /** The target account, quoted, when the request named one. */
  account?: string
  /** X-Symlink-Target-Etag (static link), normalized. */
  etag?: string
  ref: ObjectRef
}

/**
 * _validate_and_prep_request_headers: the target must be "<container>/<object>" (412), the
 * account a single segment (412), the link must not target itself (400) and the etag must
 * not hold ; " or \ (400).
 */
export function parseSymlinkPut(h: HeaderMap, self: ObjectRef): SymlinkPut {
  const form = 'X-Symlink-Target header must be of the form <container name>/<object name>'
  const raw = pyUnquote(h['x-symlink-target'] ?? '')
  if (raw.startsWith('/')) throw explain('precondition-failed', form)
  const slash = raw.indexOf('/')
  if (slash <= 0 || slash === raw.length - 1) throw explain('precondition-failed', form, true)
  const container = raw.slice(0, slash)
  const object = raw.slice(slash + 1)
  let account: string | undefined
  if (h['x-symlink-target-account'] !== undefined) {
    account = pyUnquote(h['x-symlink-target-account'])
    if (!account) throw explain('precondition-failed', 'Account name cannot be empty', true)
    if (account.includes('/')) throw explain('precondition-failed', 'Account name cannot contain slashes', true)
  }
  const ref = { account: account ?? self.account, container, object }
  if (ref.account === self.account && container === self.container && object === self.object) throw explain('bad-request', 'Symlink cannot target itself')
  let etag = h['x-symlink-target-etag']
  if (etag !== undefined) etag = etag.replace(/^"(.*)"$/, '$1')
  if (etag && /[;"\\]/.test(etag)) throw explain('bad-request', 'Bad X-Symlink-Target-Etag format')
  return { target: pyQuote(`${container}/${object}`), account: account === undefined ? undefined : pyQuote(account), etag: etag || undefined, ref }
}

/**
 * The sysmeta a link PUT stores: its target (and account), for a static link the target's
 * etag and size, and the container-listing etag that carries them (handle_put's override).
 */
export function symlinkSysmeta(p: SymlinkPut, staticTarget?: { etag: string; bytes: number }): Record<string, string> {
  const out: Record<string, string> = { [SYSMETA_TARGET]: p.target }
  const override = [MD5_OF_EMPTY, `symlink_target=${p.target}`]
  if (p.account !== undefined) {
    out[SYSMETA_TARGET_ACCOUNT] = p.account
    override.push(`symlink_target_account=${p.account}`)
  }
  if (staticTarget) {
    out[SYSMETA_TARGET_ETAG] = staticTarget.etag
    out[SYSMETA_TARGET_BYTES] = String(staticTarget.bytes)
    override.push(`symlink_target_etag=${staticTarget.etag}`, `symlink_target_bytes=${staticTarget.bytes}`)
  }
  out[OVERRIDE_ETAG_KEY] = override.join('; ')
  return out
}

/** The client-facing X-Symlink-* headers of a link (`?symlink=get`, symlink_sysmeta_to_usermeta). */
export function symlinkClientHeaders(link: SymlinkInfo): Record<string, string> {
  const out: Record<string, string> = { 'X-Symlink-Target': link.target }
  if (link.account !== undefined) out['X-Symlink-Target-Account'] = link.account
  if (link.etag !== undefined) out['X-Symlink-Target-Etag'] = link.etag
  if (link.bytes !== undefined) out['X-Symlink-Target-Bytes'] = link.bytes
  return out
}

/**
 * _extract_symlink_path_json: a listing record whose hash carries link parameters gets its
 * plain hash back plus symlink_etag / symlink_bytes (static links) and symlink_path.
 */
export function symlinkListingRecord(record: Record<string, unknown>, version: string, account: string): Record<string, unknown> {
  if (typeof record.hash !== 'string' || !record.hash.includes(';')) return record
  const [hash, ...params] = record.hash.split(';')
  record.hash = hash.trim()
  let target: string | undefined
  let acct = pyQuote(account)
  for (const p of params) {
    const eq = p.indexOf('=')
    if (eq < 0) continue
    const key = p.slice(0, eq).trim().toLowerCase()
    const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
    if (key === 'symlink_target') target = value
    else if (key === 'symlink_target_account') acct = value
    else if (key === 'symlink_target_etag') record.symlink_etag = value
    else if (key === 'symlink_target_bytes') record.symlink_bytes = Number(value)
    else record.hash += `; ${key}=${value}`
  }
  if (target) record.symlink_path = `/${version}/${acct}/${target}`
  return record
}

/**
 * Opens an object as a large object's segment read does in Swift, whose segment sub-requests
 * pass the symlink middleware: a link is followed to its target (each hop authorized as the
 * caller), at most DEFAULT_SYMLOOP_MAX hops, and a static link's target must still carry the
 * etag the link recorded. Resolves with the object reached and where it lives.
 */
export async function openThroughLinks(
  objects: { open(ref: ObjectRef): Promise<OpenObject> },
  ref: ObjectRef,
  authorize: (ref: ObjectRef) => Promise<void>,
): Promise<{ o: OpenObject; ref: ObjectRef }> {
  let current = ref
  let etag: string | undefined
  for (let hop = 0; ; hop++) {
    await authorize(current)
    const o = await objects.open(current)
    const link = symlinkOf(o.meta.headers)
    if (!link) {
      if (etag !== undefined && etag !== o.meta.etag) {
        await o.close()
        throw new VeloxError('conflict', `Object Etag ${JSON.stringify(o.meta.etag)} does not match X-Symlink-Target-Etag header ${JSON.stringify(etag)}`)
      }
      return { o, ref: current }
    }
    await o.close()
    if (hop >= DEFAULT_SYMLOOP_MAX) throw new VeloxError('conflict', `Too many levels of symbolic links, maximum allowed is ${DEFAULT_SYMLOOP_MAX}`)
    etag = link.etag
    current = targetRef(link, current.account)
  }
}
