/**
 * The hashing thread of lib/md5.ts: keeps one MD5 state per stream id, hashes the 1 MiB
 * copies it is sent (a slot of the shared arena, or a buffer moved to it), gives each copy
 * back (the slot number, or the buffer moved back) for reuse, and answers digests.
 */
import { createHash, type Hash } from 'node:crypto'
import { parentPort, workerData } from 'node:worker_threads'

export type HashRequest =
  | { op: 'update'; id: number; slot: number; length: number }
  | { op: 'update'; id: number; data: ArrayBuffer; length: number }
  | { op: 'digest'; id: number }
  | { op: 'drop'; id: number }
export type HashReply = { id: number; digest?: string; error?: string; recycle?: ArrayBuffer; slot?: number }

const port = parentPort!
const { arena, slotBytes } = workerData as { arena: SharedArrayBuffer; slotBytes: number }
const states = new Map<number, Hash>()
/** Streams whose update failed, with the error their digest request will get. */
const broken = new Map<number, string>()

port.on('message', (m: HashRequest) => {
  try {
    if (m.op === 'update') {
      try {
        if (!broken.has(m.id)) {
          let h = states.get(m.id)
          if (!h) states.set(m.id, (h = createHash('md5')))
          h.update('slot' in m ? new Uint8Array(arena, m.slot * slotBytes, m.length) : new Uint8Array(m.data, 0, m.length))
        }
      } catch (err) {
        // The stream's digest can no longer be right: its digest request gets this error.
        states.delete(m.id)
        broken.set(m.id, String((err as Error)?.message ?? err))
      }
      // The copy is free again whatever happened to its stream.
      if ('slot' in m) port.postMessage({ id: 0, slot: m.slot } satisfies HashReply)
      else port.postMessage({ id: 0, recycle: m.data } satisfies HashReply, [m.data])
    } else if (m.op === 'digest') {
      const error = broken.get(m.id)
      const h = states.get(m.id) ?? createHash('md5')
      states.delete(m.id)
      broken.delete(m.id)
      port.postMessage(error === undefined ? ({ id: m.id, digest: h.digest('hex') } satisfies HashReply) : ({ id: m.id, error } satisfies HashReply))
    } else {
      states.delete(m.id)
      broken.delete(m.id)
    }
  } catch (err) {
    states.delete(m.id)
    if (m.op !== 'drop') port.postMessage({ id: m.id, error: String((err as Error)?.message ?? err) } satisfies HashReply)
  }
})
