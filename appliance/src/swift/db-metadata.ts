/**
 * Account/container metadata as Swift exposes it: request headers → timestamped updates,
 * stored metadata → response headers (owner-only keys hidden from non-owners).
 */
import type { SwiftConstraints } from '../config/index.js'
import { VeloxError } from '../errors.js'
import type { DbMetadata } from '../store/types.js'
import type { HeaderMap } from './types.js'

/** Container keys besides x-container-meta-* that Swift keeps in the database. */
export const CONTAINER_SYSTEM_KEYS = [
  'x-container-read',
  'x-container-write',
  'x-container-sync-key',
  'x-container-sync-to',
  'x-versions-location',
  'x-history-location',
] as const
/** Headers only an owner may see or set. */
export const OWNER_ONLY = new Set([
  'x-container-read',
  'x-container-write',
  'x-container-sync-key',
  'x-container-sync-to',
  'x-account-access-control',
  // TempURL/FormPost keys (Swift's swift_owner_headers)
  'x-account-meta-temp-url-key',
  'x-account-meta-temp-url-key-2',
  'x-container-meta-temp-url-key',
  'x-container-meta-temp-url-key-2',
])

export function metadataUpdates(h: HeaderMap, target: 'account' | 'container', timestamp: string, owner: boolean): DbMetadata {
  const out: DbMetadata = {}
  const meta = `x-${target}-meta-`
  const remove = `x-remove-${target}-meta-`
  const extras: readonly string[] = target === 'container' ? CONTAINER_SYSTEM_KEYS : []
  for (const [key, value] of Object.entries(h)) {
    if (value === undefined) continue
    if (key.startsWith(meta)) out[key] = { value, timestamp }
    else if (key.startsWith(remove)) out[meta + key.slice(remove.length)] = { value: '', timestamp }
    else if (extras.includes(key)) out[key] = { value, timestamp }
    else if (key.startsWith('x-remove-') && extras.includes(`x-${key.slice(9)}`)) out[`x-${key.slice(9)}`] = { value: '', timestamp }
    else if (key.startsWith(`x-${target}-sysmeta-`)) out[key] = { value, timestamp }
  }
  if (!owner) for (const k of Object.keys(out)) if (OWNER_ONLY.has(k)) delete out[k]
  return out
}

/** Stored metadata as response headers (empty values are removals and never shown). */
export function metadataHeaders(md: DbMetadata, owner: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, { value }] of Object.entries(md)) {
    if (value === '' || k.includes('-sysmeta-')) continue
    if (!owner && OWNER_ONLY.has(k)) continue
    out[k] = value
  }
  return out
}

/**
 * Swift's DatabaseBroker.validate_metadata on a POST (and the PUT of an existing container):
 * the stored metadata with the updates applied must stay within the count and overall size
 * limits, which a single request's check (http/swift/metadata.ts) cannot see.
 */
export function checkMergedMetadata(current: DbMetadata, updates: DbMetadata, target: 'account' | 'container', c: SwiftConstraints): void {
  const prefix = `x-${target}-meta-`
  let count = 0
  let size = 0
  for (const [key, { value }] of Object.entries({ ...current, ...updates })) {
    if (value === '' || !key.startsWith(prefix)) continue
    count++
    size += Buffer.byteLength(key.slice(prefix.length)) + Buffer.byteLength(value)
  }
  const bad = (msg: string) => new VeloxError('bad-request', msg, { explain: 'html' })
  if (count > c.max_meta_count) throw bad(`Too many metadata items; max ${c.max_meta_count}`)
  if (size > c.max_meta_overall_size) throw bad(`Total metadata too large; max ${c.max_meta_overall_size}`)
}
