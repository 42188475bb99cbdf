/**
 * The trash of the files app is Swift object versioning (swift/object-versioning.ts): a
 * delete in a container with X-Versions-Enabled leaves a delete marker version in the hidden
 * versions container, and the earlier versions stay restorable (`PUT ?version-id=`), by the
 * app and by any Swift client alike. This module owns how long deleted files are kept: the
 * retention (days, an admin setting kept in the state db) and the bounded background pass
 * that empties the trash — every version of a name whose newest version is a delete marker
 * older than the retention goes. Versions of files that still exist are never touched.
 */
import type { ObjectRef } from '../cluster/replicated-objects.js'
import type { StateNamespace } from '../store/state-db.js'
import { DELETE_MARKER, splitVersionName, versioningState } from '../swift/object-versioning.js'
import type { SwiftServices } from '../swift/index.js'
import { VeloxError } from '../errors.js'
import { TimedPass } from '../lib/timed-pass.js'

export const DEFAULT_TRASH_DAYS = 30
/** Longest retention an admin may set (ten years). */
export const MAX_TRASH_DAYS = 3650
const PAGE = 1000

export interface TrashSettings {
  /** Days a deleted file stays restorable; 0 = the pass empties the trash at once. */
  days: number
}

export interface PurgeReport {
  containers: number
  /** Names whose every version went. */
  purged: number
  /** Version objects (and delete markers) removed. */
  versions: number
}

export class TrashRetention {
  constructor(private readonly store: StateNamespace<TrashSettings>) {}

  async get(): Promise<TrashSettings> {
    return (await this.store.get('settings')) ?? { days: DEFAULT_TRASH_DAYS }
  }

  async set(body: unknown): Promise<TrashSettings> {
    const days = (body as { days?: unknown } | null)?.days
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_TRASH_DAYS) {
      throw new VeloxError('bad-request', `days must be a whole number from 0 to ${MAX_TRASH_DAYS}`)
    }
    const s = { days }
    await this.store.put('settings', s)
    return s
  }
}

export class TrashPurger {
  private readonly passes = new TimedPass()

  constructor(
    private readonly swift: Pick<SwiftServices, 'accounts' | 'containers' | 'objects'>,
    private readonly retention: TrashRetention,
    /** The Swift account names (AUTH_…) to look in: the accounts of the appliance's users. */
    private readonly accounts: () => Promise<string[]>,
    private readonly now: () => number = Date.now,
  ) {}

  /** One pass over every versioned container of every account. */
  async runOnce(): Promise<PurgeReport> {
    const { days } = await this.retention.get()
    const cutoff = this.now() / 1000 - days * 86_400
    const report: PurgeReport = { containers: 0, purged: 0, versions: 0 }
    for (const account of await this.accounts()) {
      for await (const pair of this.versionedContainers(account)) {
        report.containers++
        await this.purgeContainer(account, pair, cutoff, report)
      }
    }
    return report
  }

  private async *versionedContainers(account: string): AsyncGenerator<{ container: string; versions: string }> {
    let marker: string | undefined
    for (;;) {
      const page = await this.swift.accounts.list(account, { limit: PAGE, marker }).catch((err: unknown) => {
        if (err instanceof VeloxError && err.kind === 'not-found') return undefined
        throw err
      })
      const rows = page?.entries ?? []
      for (const row of rows) {
        if (!('name' in row) || row.name.startsWith('\u0000')) continue
        const st = versioningState(await this.swift.containers.find(account, row.name))
        if (st.versions) yield { container: row.name, versions: st.versions }
      }
      if (rows.length < PAGE) return
      const last = rows[rows.length - 1]
      marker = 'name' in last ? last.name : last.subdir
    }
  }

  /**
   * The versions container lists a name's versions newest first (inverted timestamps), so
   * the first row of each name says whether it was deleted and since when. A name restored
   * with `PUT ?version-id` links to an older version and keeps its delete marker on top, so
   * the name itself must also be gone from the container.
   */
  private async purgeContainer(account: string, where: { container: string; versions: string }, cutoff: number, report: PurgeReport): Promise<void> {
    const { versions } = where
    let marker: string | undefined
    let current: { object: string; purge: boolean } | undefined
    for (;;) {
      const { entries } = await this.swift.containers.list(account, versions, { limit: PAGE, marker })
      for (const row of entries) {
        if (!('name' in row)) continue
        const split = splitVersionName(row.name)
        if (!split) continue
        if (current?.object !== split.object) {
          const purge = row.contentType === DELETE_MARKER && split.version.seconds <= cutoff && !(await this.exists({ account, container: where.container, object: split.object }))
          current = { object: split.object, purge }
          if (purge) report.purged++
        }
        if (current.purge) {
          await this.swift.objects.delete({ account, container: versions, object: row.name })
          report.versions++
        }
      }
      if (entries.length < PAGE) return
      const last = entries[entries.length - 1]
      marker = 'name' in last ? last.name : last.subdir
    }
  }

  private async exists(ref: ObjectRef): Promise<boolean> {
    const o = await this.swift.objects.openIfExists(ref)
    await o?.close()
    return o !== undefined
  }

  start(intervalSec: number, onPass: (r: PurgeReport) => void, onError: (err: unknown) => void): void {
    this.passes.start(intervalSec, () => this.runOnce().then(onPass, onError))
  }

  stop(): void {
    this.passes.stop()
  }
}
