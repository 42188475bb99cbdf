/**
 * Share link records and where they are kept: namespace 'shares' keyed by the SHA-256 of
 * the link's token (the token itself is shown once, at creation, and never stored), and
 * 'share-owners' (`<account:user>\0<id>` → token hash) to list one owner's links. Counter
 * updates of one link are serialized here so that a download limit holds under
 * concurrent requests (one process owns the state DB). No HTTP, no Swift.
 */
import { createHash } from 'node:crypto'
import type { StateDb, StateNamespace } from '../store/state-db.js'

export type ShareKind = 'file' | 'folder' | 'drop'
export const SHARE_KINDS: readonly ShareKind[] = ['file', 'folder', 'drop']

export interface ShareTarget {
  /** Swift account name as in the path ("AUTH_test"). */
  account: string
  container: string
  /** The object of a `file` share. */
  object?: string
  /** The folder of a `folder` or `drop` share: '' (whole container) or ending in '/'. */
  prefix?: string
}

export interface ShareCounts {
  views: number
  downloads: number
  uploads: number
  /** Inline previews served (the page's picture, PDF, video or text); absent in older records. */
  previews?: number
}

export interface ShareRecord {
  id: string
  /** "account:user" of the creator; the link never grants more than this user may do. */
  owner: string
  kind: ShareKind
  target: ShareTarget
  /** Unix seconds. */
  createdAt: number
  expiresAt?: number
  /** bcrypt hash of the link's password. */
  passwordHash?: string
  maxDownloads?: number
  /** How many inline previews the link serves (counts.previews); downloads are limited apart. */
  maxPreviews?: number
  counts: ShareCounts
  revoked: boolean
  revokedAt?: number
}

export type CountField = keyof ShareCounts

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export class ShareRecords {
  private readonly byToken: StateNamespace<ShareRecord>
  private readonly byOwner: StateNamespace<string>
  private readonly queues = new Map<string, Promise<unknown>>()

  constructor(db: StateDb) {
    this.byToken = db.namespace<ShareRecord>('shares')
    this.byOwner = db.namespace<string>('share-owners')
  }

  async add(hash: string, rec: ShareRecord): Promise<void> {
    await this.byToken.put(hash, rec)
    await this.byOwner.put(`${rec.owner}\x00${rec.id}`, hash)
  }

  get(hash: string): Promise<ShareRecord | undefined> {
    return this.byToken.get(hash)
  }

  /** The hash of `owner`'s link `id`, if it is theirs. */
  ownedHash(owner: string, id: string): Promise<string | undefined> {
    return this.byOwner.get(`${owner}\x00${id}`)
  }

  async *ofOwner(owner: string): AsyncGenerator<ShareRecord> {
    for await (const [, hash] of this.byOwner.entries(`${owner}\x00`)) {
      const rec = await this.byToken.get(hash)
      if (rec) yield rec
    }
  }

  /** Every link's token hash and record (a container rename re-points them). */
  async *all(): AsyncGenerator<[string, ShareRecord]> {
    yield* this.byToken.entries()
  }

  /**
   * Read-modify-write of one record, one at a time per link: `fn` sees the current record
   * and returns the new one (or throws, and nothing is written).
   */
  update(hash: string, fn: (rec: ShareRecord) => ShareRecord): Promise<ShareRecord> {
    const prev = this.queues.get(hash) ?? Promise.resolve()
    const run = prev.catch(() => undefined).then(async () => {
      const rec = await this.byToken.get(hash)
      if (!rec) throw new RangeError('share record vanished')
      const next = fn(rec)
      await this.byToken.put(hash, next)
      return next
    })
    this.queues.set(hash, run)
    void run.finally(() => {
      if (this.queues.get(hash) === run) this.queues.delete(hash)
    }).catch(() => undefined)
    return run
  }
}
