/**
 * Fan one byte stream out to N consumers (the replicas of a PUT) without buffering it whole:
 * each branch is an async iterable; the source is read as the branches ask, and a branch may
 * run at most `maxAheadChunks` ahead of the slowest live branch. A branch that stops early
 * (its writer failed) is dropped and no longer holds the others back. A source error is
 * delivered to every branch. `observe`, when given, sees every chunk of the source once, in
 * order, as it is read (before any branch gets it): work that is the same for every branch,
 * such as a checksum, is done there once instead of once per branch.
 */
export function fanout(
  source: AsyncIterable<Uint8Array>,
  n: number,
  maxAheadChunks = 16,
  observe?: (chunk: Uint8Array) => void,
): AsyncIterable<Uint8Array>[] {
  const it = source[Symbol.asyncIterator]()
  const chunks: Uint8Array[] = []
  let base = 0 // index of chunks[0]
  let ended = false
  let failure: unknown
  let pulling: Promise<void> | undefined
  const pos = new Array<number>(n).fill(0)
  const live = new Array<boolean>(n).fill(true)
  let waiters: Array<() => void> = []

  const wake = () => {
    const w = waiters
    waiters = []
    for (const f of w) f()
  }
  const slowest = () => {
    let m = Infinity
    for (let i = 0; i < n; i++) if (live[i] && pos[i] < m) m = pos[i]
    return m
  }
  const trim = () => {
    const keep = slowest()
    const drop = Math.min(keep, base + chunks.length) - base
    if (drop > 0) {
      chunks.splice(0, drop)
      base += drop
    }
  }
  const pull = (): Promise<void> => {
    pulling ??= (async () => {
      try {
        const r = await it.next()
        if (r.done) ended = true
        else {
          observe?.(r.value)
          chunks.push(r.value)
        }
      } catch (err) {
        failure = err ?? new Error('source failed')
      } finally {
        pulling = undefined
        wake()
      }
    })()
    return pulling
  }

  const branch = (i: number): AsyncIterable<Uint8Array> => ({
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<Uint8Array>> {
        for (;;) {
          if (!live[i]) return { done: true, value: undefined }
          if (pos[i] < base + chunks.length) {
            const value = chunks[pos[i] - base]
            pos[i]++
            trim()
            wake()
            return { done: false, value }
          }
          if (failure !== undefined) throw failure
          if (ended) return { done: true, value: undefined }
          if (pos[i] - slowest() >= maxAheadChunks) {
            await new Promise<void>((r) => waiters.push(r))
            continue
          }
          await pull()
        }
      },
      async return(): Promise<IteratorResult<Uint8Array>> {
        live[i] = false
        trim()
        wake()
        if (!live.some(Boolean)) await it.return?.()
        return { done: true, value: undefined }
      },
    }),
  })
  return Array.from({ length: n }, (_, i) => branch(i))
}
