/**
 * A short-lived cache of account and container metadata for the features that consult it on
 * every request (TempURL and FormPost keys, CORS rules, static web settings), as Swift's
 * proxy keeps get_account_info / get_container_info in its info cache. Entries live
 * `ttlMs`; this appliance's own metadata writes invalidate them at once, writes through
 * another appliance are seen when the entry ages out. Owns no metadata semantics beyond
 * "the non-empty `x-<target>-meta-*` values, names lower-cased, prefix stripped".
 */
import type { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import type { DbMetadata } from '../store/types.js'

/** Container facts the features need: existence, user metadata and the read ACL. */
export interface CachedContainer {
  exists: boolean
  /** User metadata without the `x-container-meta-` prefix ("temp-url-key", "web-index", …). */
  meta: Record<string, string>
  readAcl?: string
  /** Container sysmeta (`x-container-sysmeta-*`, full names), for features keyed on it (object versioning). */
  sysmeta?: Record<string, string>
}

interface Entry<T> {
  at: number
  value: Promise<T>
}

export const INFO_CACHE_TTL_MS = 10_000

export class InfoCache {
  private readonly accounts = new Map<string, Entry<Record<string, string>>>()
  private readonly containers = new Map<string, Entry<CachedContainer>>()

  constructor(
    private readonly dbs: ReplicatedDatabases,
    private readonly ttlMs = INFO_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The account's user metadata (`x-account-meta-*`, prefix stripped). */
  accountMeta(account: string): Promise<Record<string, string>> {
    return this.cached(this.accounts, account, async () => userMeta((await this.dbs.getAccount(account))?.metadata, 'x-account-meta-'))
  }

  container(account: string, container: string): Promise<CachedContainer> {
    return this.cached(this.containers, `${account}/${container}`, async () => {
      const info = await this.dbs.getContainer(account, container)
      if (!info) return { exists: false, meta: {} }
      const sysmeta = Object.fromEntries(Object.entries(info.metadata).filter(([k, v]) => k.startsWith('x-container-sysmeta-') && v.value !== '').map(([k, v]) => [k, v.value]))
      return { exists: true, meta: userMeta(info.metadata, 'x-container-meta-'), readAcl: info.metadata['x-container-read']?.value || undefined, sysmeta }
    })
  }

  /** Forgets an account (and all its containers) or one container after a metadata write. */
  invalidate(account: string, container?: string): void {
    if (container !== undefined) {
      this.containers.delete(`${account}/${container}`)
      return
    }
    this.accounts.delete(account)
    for (const k of this.containers.keys()) if (k.startsWith(`${account}/`)) this.containers.delete(k)
  }

  private cached<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const hit = map.get(key)
    const t = this.now()
    if (hit && t - hit.at < this.ttlMs) return hit.value
    const value = load()
    map.set(key, { at: t, value })
    // A failed lookup (no quorum) must not be remembered.
    value.catch(() => map.get(key)?.value === value && map.delete(key))
    if (map.size > 10_000) map.delete(map.keys().next().value as string)
    return value
  }
}

function userMeta(md: DbMetadata | undefined, prefix: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, { value }] of Object.entries(md ?? {})) if (k.startsWith(prefix) && value !== '') out[k.slice(prefix.length)] = value
  return out
}
