/**
 * The hashing thread of lib/md5.ts: keeps one MD5 state per stream id, hashes the 1 MiB
 * copies it is sent, gives each copy back (transferred) for reuse, and answers digests.
 */
import { createHash, type Hash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'

export type HashRequest = { op: 'update'; id: number; data: ArrayBuffer; length: number } | { op: 'digest'; id: number } | { op: 'drop'; id: number }
export type HashReply = { id: number; digest?: string; error?: string; recycle?: ArrayBuffer }

const port = parentPort!
const states = new Map<number, Hash>()

port.on('message', (m: HashRequest) => {
  try {
    if (m.op === 'update') {
      let h = states.get(m.id)
      if (!h) states.set(m.id, (h = createHash('md5')))
      h.update(new Uint8Array(m.data, 0, m.length))
      port.postMessage({ id: 0, recycle: m.data } satisfies HashReply, [m.data])
    } else if (m.op === 'digest') {
      const h = states.get(m.id) ?? createHash('md5')
      states.delete(m.id)
      port.postMessage({ id: m.id, digest: h.digest('hex') } satisfies HashReply)
    } else states.delete(m.id)
  } catch (err) {
    states.delete(m.id)
    if (m.op !== 'drop') port.postMessage({ id: m.id, error: String((err as Error)?.message ?? err) } satisfies HashReply)
  }
})
