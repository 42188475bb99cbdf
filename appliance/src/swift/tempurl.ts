/**
 * TempURL semantics (Swift 2.30 tempurl.py and common/digest.py): which signature digests are
 * accepted and how a client-supplied one is read (hex, or `<algo>:<base64>`), the HMAC over
 * "[ip=<range>\n]<METHOD>\n<expires>\n<path>", the account/container keys and the scope a
 * matching key grants, expiry in unix seconds or ISO 8601, the client-IP restriction, and
 * the header rules (what is refused, removed on the way in and hidden on the way out) with
 * the Content-Disposition a download gets. No HTTP types: the feature in http/ reads the
 * query and headers and applies these decisions.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import { pyQuote } from '../lib/py-quote.js'
import type { InfoCache } from './info-cache.js'

export const SUPPORTED_DIGESTS = ['sha1', 'sha256', 'sha512'] as const
export type Digest = (typeof SUPPORTED_DIGESTS)[number]
export const DEPRECATED_DIGESTS: readonly Digest[] = ['sha1']

export const TEMPURL_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'] as const
/** Headers a TempURL may not carry on a write (they would reach other objects). */
export const DISALLOWED_INCOMING = ['x-object-manifest', 'x-symlink-target', 'x-copy-from']
export const INCOMING_REMOVE = ['x-timestamp']
export const OUTGOING_REMOVE_PREFIX = 'x-object-meta-'
export const OUTGOING_ALLOW_PREFIX = 'x-object-meta-public-'

/** The /info "tempurl" section, as Swift registers it with the default configuration. */
export function tempurlInfo(): Record<string, unknown> {
  return {
    methods: [...TEMPURL_METHODS],
    incoming_remove_headers: [...INCOMING_REMOVE],
    incoming_allow_headers: [],
    outgoing_remove_headers: [`${OUTGOING_REMOVE_PREFIX}*`],
    outgoing_allow_headers: [`${OUTGOING_ALLOW_PREFIX}*`],
    allowed_digests: [...SUPPORTED_DIGESTS],
    deprecated_digests: [...DEPRECATED_DIGESTS],
  }
}

/**
 * digest.py extract_digest_and_algorithm: `<hex>` (algorithm from its length) or
 * `<algo>:<base64 or base64url>`; undefined when it cannot be read.
 */
export function extractDigest(value: string): { algo: string; hex: string } | undefined {
  const colon = value.indexOf(':')
  if (colon >= 0) {
    const algo = value.slice(0, colon)
    let b64 = value.slice(colon + 1)
    if (/[-_]/.test(b64) && !/[+/]/.test(b64)) b64 = b64.replace(/-/g, '+').replace(/_/g, '/')
    // strict_b64decode(value + '=='): only the base64 alphabet, padded to a multiple of 4.
    const padded = (b64 + '==').replace(/=+$/, '')
    if (!/^[A-Za-z0-9+/]*$/.test(padded) || padded.length % 4 === 1) return undefined
    return { algo, hex: Buffer.from(padded, 'base64').toString('hex') }
  }
  if (!/^([0-9a-fA-F]{2})*$/.test(value)) return undefined
  const algo = ({ 40: 'sha1', 64: 'sha256', 128: 'sha512' } as Record<number, string>)[value.length]
  return algo ? { algo, hex: value } : undefined
}

export function isAllowedDigest(algo: string): algo is Digest {
  return (SUPPORTED_DIGESTS as readonly string[]).includes(algo)
}

/** digest.py get_hmac. */
export function tempurlHmac(method: string, expires: number, path: string, key: string, algo: Digest, ipRange?: string): string {
  const parts = [method, String(expires), path]
  if (ipRange) parts.unshift(`ip=${ipRange}`)
  return createHmac(algo, Buffer.from(key, 'utf8')).update(Buffer.from(parts.join('\n'), 'utf8')).digest('hex')
}

/** Constant-time comparison of two hex strings (streq_const_time). */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * temp_url_expires as Swift reads it: an integer, or `%Y-%m-%dT%H:%M:%SZ`; 0 when it is
 * neither or already past (both make the URL invalid).
 */
export function parseExpires(text: string, nowSec: number): number {
  let t = 0
  if (/^\s*[+-]?\d+\s*$/.test(text)) t = Number(text.trim())
  else {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(text)
    if (m) {
      const [y, mo, d, h, mi, s] = m.slice(1).map(Number)
      const ms = Date.UTC(y, mo - 1, d, h, mi, s)
      const back = new Date(ms)
      if (back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 62) t = Math.floor(ms / 1000)
    }
  }
  return t < nowSec ? 0 : t
}

/** Whether `client` is inside `range` (an address or a CIDR network); false when either is malformed. */
export function ipInRange(client: string, range: string): boolean {
  const addr = client.startsWith('::ffff:') && isIP(client.slice(7)) === 4 ? client.slice(7) : client
  const [net, bitsText] = range.split('/')
  const family = isIP(net)
  if (!family || isIP(addr) !== family) return false
  const list = new BlockList()
  const type = family === 4 ? 'ipv4' : 'ipv6'
  if (bitsText === undefined) list.addAddress(net, type)
  else {
    const bits = Number(bitsText)
    if (!/^\d+$/.test(bitsText) || bits > (family === 4 ? 32 : 128)) return false
    list.addSubnet(net, bits, type)
  }
  return list.check(addr, type)
}

export type KeyScope = 'account' | 'container'
export interface ScopedKey {
  key: string
  scope: KeyScope
}

/** Temp-URL-Key and Temp-URL-Key-2 of a metadata map (names already without their prefix). */
export function tempurlKeysOf(meta: Record<string, string>): string[] {
  return Object.entries(meta)
    .filter(([k]) => k === 'temp-url-key' || k === 'temp-url-key-2')
    .map(([, v]) => v)
}

/** The account's keys, then the container's (container keys grant only that container). */
export async function scopedKeys(cache: InfoCache, account: string, container: string): Promise<ScopedKey[]> {
  const [acct, cont] = await Promise.all([cache.accountMeta(account), cache.container(account, container)])
  return [...tempurlKeysOf(acct).map((key) => ({ key, scope: 'account' as const })), ...tempurlKeysOf(cont.meta).map((key) => ({ key, scope: 'container' as const }))]
}

export interface TempUrlQuery {
  sig?: string
  expires?: string
  prefix?: string
  filename?: string
  inline: boolean
  ipRange?: string
}

export interface TempUrlTarget {
  method: string
  account: string
  container: string
  object: string
  clientIp: string
}

/**
 * The TempURL decision: the scope of the key that signed the request, or undefined (401).
 * A HEAD is also accepted with a GET, POST or PUT signature, as Swift allows.
 */
export async function verifyTempUrl(cache: InfoCache, q: TempUrlQuery, t: TempUrlTarget, nowSec: number): Promise<{ scope: KeyScope; expires: number } | undefined> {
  if (!q.sig || !q.expires) return undefined
  const expires = parseExpires(q.expires, nowSec)
  if (!expires) return undefined
  const digest = extractDigest(q.sig)
  if (!digest || !isAllowedDigest(digest.algo)) return undefined
  if (!(TEMPURL_METHODS as readonly string[]).includes(t.method) || !t.object.replace(/^\/+|\/+$/g, '')) return undefined
  if (q.ipRange && !ipInRange(t.clientIp, q.ipRange)) return undefined
  let path = `/v1/${t.account}/${t.container}/${t.object}`
  if (q.prefix !== undefined) {
    if (!t.object.startsWith(q.prefix)) return undefined
    path = `prefix:/v1/${t.account}/${t.container}/${q.prefix}`
  }
  const keys = await scopedKeys(cache, t.account, t.container)
  const methods = t.method === 'HEAD' ? ['HEAD', 'GET', 'POST', 'PUT'] : [t.method]
  for (const method of methods) {
    for (const { key, scope } of keys) {
      if (sameSignature(digest.hex, tempurlHmac(method, expires, path, key, digest.algo, q.ipRange))) return { scope, expires }
    }
  }
  return undefined
}

function dispositionFormat(type: string, filename: string): string {
  return `${type}; filename="${pyQuote(filename, ' /')}"; filename*=UTF-8''${pyQuote(filename)}`
}

/** The Content-Disposition of a TempURL GET/HEAD: `inline`, the given filename, the object's own, or the object's base name. */
export function tempurlDisposition(q: TempUrlQuery, existing: string | undefined, object: string): string {
  let v: string
  if (q.inline) v = q.filename ? dispositionFormat('inline', q.filename) : 'inline'
  else if (q.filename) v = dispositionFormat('attachment', q.filename)
  else if (existing) v = existing
  else {
    const trimmed = object.replace(/\/+$/, '')
    v = dispositionFormat('attachment', trimmed.slice(trimmed.lastIndexOf('/') + 1))
  }
  return v.replace(/\n/g, '%0A')
}

/** Whether a response header is hidden from a TempURL client (object metadata other than public-*). */
export function hiddenFromTempUrl(name: string): boolean {
  const n = name.toLowerCase()
  return n.startsWith(OUTGOING_REMOVE_PREFIX) && !n.startsWith(OUTGOING_ALLOW_PREFIX)
}
