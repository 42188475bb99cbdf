/**
 * Expiring objects (X-Delete-At): a queue kept in the appliance state (due time → object),
 * and a bounded background pass that deletes what is due and updates listings. Reads hide
 * an expired object at once (objects.ts); this pass reclaims its space later.
 */
import type { ObjectRef } from '../cluster/replicated-objects.js'
import type { StateNamespace } from '../store/state-db.js'
import { TimedPass } from '../lib/timed-pass.js'

export interface ExpirerTarget {
  /** Deletes an object if it is still due (its X-Delete-At matches). */
  expire(ref: ObjectRef, deleteAt: number): Promise<void>
}

interface Entry {
  ref: ObjectRef
  deleteAt: number
}

export class Expirer {
  private readonly passes = new TimedPass()

  constructor(
    private readonly queue: StateNamespace<Entry>,
    private readonly now: () => number = Date.now,
  ) {}

  async schedule(deleteAt: number, ref: ObjectRef): Promise<void> {
    await this.queue.put(keyOf(deleteAt, ref), { ref, deleteAt })
  }

  /** One pass: every entry due by now; returns how many were handled. */
  async runOnce(target: ExpirerTarget, maxPerPass = 1000): Promise<number> {
    const nowSec = Math.floor(this.now() / 1000)
    let n = 0
    for await (const [key, entry] of this.queue.entries()) {
      if (entry.deleteAt > nowSec || n >= maxPerPass) break
      await target.expire(entry.ref, entry.deleteAt)
      await this.queue.del(key)
      n++
    }
    return n
  }

  start(target: ExpirerTarget, intervalSec: number, onError: (err: unknown) => void): void {
    this.passes.start(intervalSec, () => this.runOnce(target).then(() => undefined, onError))
  }

  stop(): void {
    this.passes.stop()
  }
}

function keyOf(deleteAt: number, ref: ObjectRef): string {
  return `${String(deleteAt).padStart(12, '0')}/${ref.account}/${ref.container}/${ref.object}`
}
