/**
 * Keeps account rows (a container's object count and bytes) in step with container
 * databases, the job Swift's container-updater does. Updates are coalesced per container and
 * run right after the change; readers of an account call `flush(account)` first, so account
 * HEAD/GET reflect every completed object write.
 */
import type { ReplicatedDatabases } from './replicated-dbs.js'

export interface Logger {
  warn(msg: string, fields?: Record<string, unknown>): void
}

export class AccountUpdater {
  private readonly dirty = new Map<string, Set<string>>()
  private running: Promise<void> | undefined

  constructor(
    private readonly dbs: ReplicatedDatabases,
    private readonly log: Logger,
  ) {}

  /** Notes that a container's stats changed; the account row follows shortly. The promise
   *  (which never rejects) resolves once it has been copied (or its copy has failed and logged). */
  mark(account: string, container: string): Promise<void> {
    let set = this.dirty.get(account)
    if (!set) this.dirty.set(account, (set = new Set()))
    set.add(container)
    this.running ??= new Promise<void>((r) => setImmediate(r)).then(() => this.drain())
    return this.running
  }

  /** Waits until every pending update (of this account, or all) has been applied. */
  async flush(account?: string): Promise<void> {
    while (this.running) {
      await this.running
      if (account !== undefined && !this.dirty.has(account)) break
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty.size > 0) {
        const batch = [...this.dirty]
        this.dirty.clear()
        await Promise.all(batch.flatMap(([account, containers]) => [...containers].map((c) => this.update(account, c))))
      }
    } finally {
      this.running = undefined
    }
  }

  /** Copies a container's current stats into its account row. */
  async update(account: string, container: string): Promise<void> {
    try {
      const info = await this.dbs.getContainer(account, container)
      if (!info) return
      await this.dbs.putContainerRow(account, {
        name: container,
        putTimestamp: info.putTimestamp,
        deleteTimestamp: info.deleteTimestamp,
        objectCount: info.objectCount,
        bytesUsed: info.bytesUsed,
        deleted: false,
        storagePolicyIndex: info.storagePolicyIndex,
      })
    } catch (err) {
      this.log.warn('account update failed', { account, container, error: (err as Error).message })
    }
  }
}
