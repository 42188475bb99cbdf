/**
 * Objects small enough to hold (up to `reads.verifyMaxBytes`, 4 MiB by default) are read and
 * checked against their ETag before the first byte is sent (issue 11 item 10); larger ones are
 * checked block by block by the store and fail over mid-stream (FailoverObject): a replica with
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

/** An object read from one replica that may switch to another of the very same version. */
abstract class ReplicaFallback implements OpenObject {
  /** Every replica opened; the first is the one whose metadata the response announced. */
  private readonly opened: OpenObject[]

  constructor(
    first: OpenObject,
    private readonly reopen: Reopen,
  ) {
    this.opened = [first]
  }

  get meta(): ObjectMetadata {
    return this.opened[0].meta
  }

  get metaTimestamp(): string | undefined {
    return this.opened[0].metaTimestamp
  }

  abstract stream(range?: { start: number; end: number }): Readable

  async close(): Promise<void> {
    await Promise.all(this.opened.map((o) => o.close()))
  }

  protected get current(): OpenObject {
    return this.opened[this.opened.length - 1]
  }

  /** Opens the next newest replica; the response's headers are out, so only the same version may follow. */
  protected async switchReplica(): Promise<OpenObject> {
    const { timestamp, etag, size } = this.meta
    const next = await this.reopen()
    this.opened.push(next)
    if (next.meta.timestamp !== timestamp || next.meta.etag !== etag || next.meta.size !== size) {
      throw new VeloxError('unavailable', `object ${next.meta.name}: the only good replicas hold another version`)
    }
    return next
  }
}

export class VerifiedObject extends ReplicaFallback {
  private body?: Promise<Buffer>

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

  /** The whole body, checked; falls back to other replicas of the same version. */
  private async load(): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await readChecked(this.current)
      } catch (err) {
        if (!isQuarantined(err) || attempt >= MAX_FALLBACKS) throw err
      }
      await this.switchReplica()
    }
  }
}

/**
 * Larger objects stream as they are read; the store checks each 1 MiB block against the CRC32
 * kept in its metadata before sending any of it (objects written since issue 11). When a block
 * fails, its replica is quarantined and the stream carries on, from the first byte not yet
 * sent, from another replica of the same version; the client sees one whole, right body.
 */
export class FailoverObject extends ReplicaFallback {
  stream(range?: { start: number; end: number }): Readable {
    const { start, end } = clampRange(range, this.meta.size)
    const first = this.current.stream(range)
    // The common case costs nothing: the store's stream itself, until a block fails.
    const self = this
    return Readable.from(
      (async function* () {
        let sent = 0
        let source: Readable = first
        for (let attempt = 0; ; attempt++) {
          try {
            for await (const chunk of source) {
              sent += (chunk as Uint8Array).length
              yield chunk as Uint8Array
            }
            return
          } catch (err) {
            if (!isQuarantined(err) || attempt >= MAX_FALLBACKS) throw err
          }
          const next = await self.switchReplica()
          source = next.stream({ start: start + sent, end })
        }
      })(),
      // One chunk ahead here, two in the store's stream: as much read ahead as before.
      { highWaterMark: 1 },
    )
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
