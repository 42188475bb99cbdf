/**
 * Objects small enough to hold (up to `reads.verifyMaxBytes`, 4 MiB by default) are read and
 * checked against their ETag before the first byte is sent (issue 11 item 10): a replica with
 * flipped bits is quarantined by its store on the way, and the bytes come from the next newest
 * replica instead, so a client never sees a reply that breaks off, and a Range GET never
 * serves damaged bytes. HEAD and requests that never stream pay nothing: the check runs on the
 * first read of a stream. Owns that check and the fallback; it must not pick the replica.
 */
import { Readable } from 'node:stream'
import { VeloxError, isVeloxError } from '../errors.js'
import { clampRange } from '../store/objects/open-object.js'
import type { ObjectMetadata, OpenObject } from '../store/types.js'

/** Another replica of the same object, opened after the first failed its check (its store has
 *  quarantined it, so it is not chosen again). */
export type Reopen = () => Promise<OpenObject>

const MAX_FALLBACKS = 3

export class VerifiedObject implements OpenObject {
  private body?: Promise<Buffer>
  private current: OpenObject

  constructor(
    first: OpenObject,
    private readonly reopen: Reopen,
  ) {
    this.current = first
  }

  get meta(): ObjectMetadata {
    return this.current.meta
  }

  get metaTimestamp(): string | undefined {
    return this.current.metaTimestamp
  }

  stream(range?: { start: number; end: number }): Readable {
    const { start, end } = clampRange(range, this.meta.size)
    const load = () => (this.body ??= this.load())
    return Readable.from(
      (async function* () {
        const body = await load()
        if (end >= start) yield body.subarray(start, end + 1)
      })(),
    )
  }

  async close(): Promise<void> {
    await this.current.close()
  }

  /** The whole body, checked; falls back to other replicas of the same version. */
  private async load(): Promise<Buffer> {
    const { timestamp, etag, size } = this.current.meta
    for (let attempt = 0; ; attempt++) {
      try {
        return await readChecked(this.current)
      } catch (err) {
        if (!isQuarantined(err) || attempt >= MAX_FALLBACKS) throw err
      }
      await this.current.close()
      const next = await this.reopen()
      this.current = next
      // The response's headers are already out: only the very same version may follow.
      if (next.meta.timestamp !== timestamp || next.meta.etag !== etag || next.meta.size !== size) {
        throw new VeloxError('unavailable', `object ${next.meta.name}: the only good replicas hold another version`)
      }
    }
  }
}

/** Reads a whole body through the store's verifying stream (it quarantines on a mismatch). */
async function readChecked(o: OpenObject): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of o.stream()) chunks.push(chunk as Buffer)
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
}

function isQuarantined(err: unknown): boolean {
  return isVeloxError(err) && (err.detail as { quarantined?: unknown } | undefined)?.quarantined === true
}
