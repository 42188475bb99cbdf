/**
 * Listings that never drift (issue 11 item 9): every object PUT and DELETE is recorded in a
 * device's async_pending journal (store/pending/) before the object changes, and marked done
 * once its listing row and the account stats are in place. After a crash, at start, each entry
 * still pending is checked against the object's newest state (the newest replica: data →
 * its row, tombstone → a deleted row, nothing → a deleted row at the entry's time), the row is
 * written (the newest timestamp wins, so a later change is never undone), the account stats
 * recomputed, and the entry dropped. A failed change and a check that cannot complete yet
 * (a device down) are retried on a timer. Owns this bookkeeping; it must not serve reads.
 */
import type { AccountUpdater, Logger } from '../cluster/account-updater.js'
import type { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import type { ObjectRef, ReplicatedObjects } from '../cluster/replicated-objects.js'
import { isVeloxError } from '../errors.js'
import type { PendingEntry, PendingJournal } from '../store/pending/pending-journal.js'
import type { ObjectRow } from '../store/types.js'
import { rowOf } from './object-rows.js'

/** A change in progress: its journal entry, when one could be written. */
export interface Ticket {
  ref: ObjectRef
  timestamp: string
  journal?: PendingJournal
  entry?: PendingEntry
}

interface Retry {
  journal: PendingJournal
  entry: PendingEntry
}

const CHECKS_AT_ONCE = 8

export class ListingUpdates {
  private next = 0
  private readonly retries = new Map<string, Retry>()
  private timer?: NodeJS.Timeout
  private pass?: Promise<void>
  /** Entries checked against their object since start (tests, logs). */
  checked = 0

  private readonly journals: PendingJournal[]

  constructor(
    journals: readonly PendingJournal[],
    private readonly replicas: ReplicatedObjects,
    private readonly dbs: ReplicatedDatabases,
    private readonly updater: AccountUpdater,
    private readonly log: Logger,
  ) {
    this.journals = [...journals]
  }

  /** Records a change about to be made, durably; a device that refuses is skipped for the next. */
  async begin(ref: ObjectRef, timestamp: string): Promise<Ticket> {
    let lastError: unknown
    for (let i = 0; i < this.journals.length; i++) {
      const journal = this.journals[this.next++ % this.journals.length]
      try {
        return { ref, timestamp, journal, entry: await journal.record({ ...ref, timestamp }) }
      } catch (err) {
        lastError = err
      }
    }
    if (lastError !== undefined) throw lastError
    return { ref, timestamp }
  }

  /** The change is done and `row` is its listing row: written now, the entry dropped once the
   *  account stats follow. */
  async applied(t: Ticket, row: ObjectRow): Promise<void> {
    const written = await this.dbs.putObjectRow(t.ref.account, t.ref.container, row)
    const stats = this.updater.mark(t.ref.account, t.ref.container)
    if (!t.journal || !t.entry) return
    if (written === 0) return this.retryLater(t.journal, t.entry)
    const { journal, entry } = t
    void stats.then(() => journal.done(entry.id)).catch(() => this.retryLater(journal, entry))
  }

  /** The change failed part way (or its outcome is unknown): check the object now, in the background. */
  failed(t: Ticket): void {
    if (!t.journal || !t.entry) return
    const { journal, entry } = t
    void this.check(journal, entry).catch(() => this.retryLater(journal, entry))
  }

  /** Checks every entry left pending by earlier runs; those that cannot be checked now are retried later. */
  async replay(): Promise<{ checked: number; retried: number }> {
    for (const journal of this.journals) for (const entry of journal.recovered) this.retries.set(`${journal.dir}/${entry.id}`, { journal, entry })
    await this.retryPass()
    return { checked: this.checked, retried: this.retries.size }
  }

  /** A device opened after start (a ring reload): its journal takes changes too, and the entries
   *  an earlier run left in it are checked now, as replay() does at start. */
  async adopt(journal: PendingJournal): Promise<{ checked: number; retried: number }> {
    if (!this.journals.includes(journal)) this.journals.push(journal)
    const before = this.checked
    await this.pass // a pass in progress took its list already: the new entries go in the next
    for (const entry of journal.recovered) this.retries.set(`${journal.dir}/${entry.id}`, { journal, entry })
    await this.retryPass()
    return { checked: this.checked - before, retried: this.retries.size }
  }

  /** A device gone (failed, unmounted): no change is journalled there any more. */
  release(journal: PendingJournal): void {
    const i = this.journals.indexOf(journal)
    if (i >= 0) this.journals.splice(i, 1)
    for (const [key, r] of this.retries) if (r.journal === journal) this.retries.delete(key)
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.retryPass(), intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.pass
  }

  /** Makes the row of `entry` match its object's newest state, then its account's stats. */
  private async check(journal: PendingJournal, entry: PendingEntry): Promise<void> {
    const ref = { account: entry.account, container: entry.container, object: entry.object }
    const row = await this.newestRow(ref, entry.timestamp)
    if ((await this.dbs.putObjectRow(ref.account, ref.container, row)) === 0) {
      // No container database took it: a device down (retry), or no such container (nothing to list).
      if (await this.dbs.getContainer(ref.account, ref.container)) throw new Error('no container replica took the row')
    } else await this.updater.update(ref.account, ref.container)
    await journal.done(entry.id)
    this.checked++
  }

  private async newestRow(ref: ObjectRef, timestamp: string): Promise<ObjectRow> {
    try {
      const o = await this.replicas.open(ref)
      await o.close()
      return rowOf(o.meta)
    } catch (err) {
      if (!isVeloxError(err, 'not-found')) throw err
      const ts = (err.detail as { timestamp?: unknown } | undefined)?.timestamp
      return { name: ref.object, timestamp: typeof ts === 'string' ? ts : timestamp, size: 0, contentType: '', etag: '', deleted: true }
    }
  }

  private retryLater(journal: PendingJournal, entry: PendingEntry): void {
    this.retries.set(`${journal.dir}/${entry.id}`, { journal, entry })
  }

  /** One pass over the entries due, joined if one is running. The pass is cleared once settled
   *  (not in its own finally: a pass with nothing due settles synchronously, and the `??=`
   *  assignment would then keep the settled promise forever, so no later pass would ever run). */
  private retryPass(): Promise<void> {
    if (!this.pass) {
      const pass = this.checkDue()
      this.pass = pass
      const clear = () => {
        if (this.pass === pass) this.pass = undefined
      }
      pass.then(clear, clear)
    }
    return this.pass
  }

  private async checkDue(): Promise<void> {
    const due = [...this.retries]
    this.retries.clear()
    for (let i = 0; i < due.length; i += CHECKS_AT_ONCE) {
      await Promise.all(
        due.slice(i, i + CHECKS_AT_ONCE).map(async ([key, r]) => {
          try {
            await this.check(r.journal, r.entry)
          } catch (err) {
            this.retries.set(key, r)
            this.log.warn('listing check failed, will retry', { account: r.entry.account, container: r.entry.container, error: (err as Error).message })
          }
        }),
      )
    }
  }
}
