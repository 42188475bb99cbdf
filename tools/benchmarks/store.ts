/**
 * `velox bench store`: durable 4 KiB object PUTs per second through the object store of one
 * device (1 and 64 in flight), beside this machine's own limit measured in the same run: bare
 * durable creates (write + fsync + mkdir of a fresh directory + rename + fsync of the new
 * directory and its parent; 1 and 16 in flight), the least a crash-safe create into a new
 * hash directory needs. Options: --dir=PATH (a directory on the device to measure; default the
 * system temp dir), --seconds=N per measurement (default 5).
 * Owns the measurement only; it must not change the store to look good.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDeviceObjects } from '../../appliance/src/store/objects/device-object-store.js'
import { md5Hex } from '../../appliance/test/harness/objects/object-fixtures.js'

const OBJECT_BYTES = 4096

function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length)
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function* oneChunk(body: Buffer): AsyncGenerator<Uint8Array> {
  yield body
}

/** Runs `op(i)` with `inFlight` workers for `seconds`; returns operations per second. */
async function measure(inFlight: number, seconds: number, op: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  let done = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  const worker = async () => {
    while (performance.now() < deadline) {
      await op(next++)
      done++
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return done / ((performance.now() - started) / 1000)
}

/** The reference: what any durable create of a small file into a new directory costs here. */
async function bareCreate(base: string, body: Buffer, i: number): Promise<void> {
  const tmp = join(base, 'tmp', `${i}.tmp`)
  const fh = await open(tmp, 'wx')
  await fh.write(body)
  await fh.sync()
  await fh.close()
  const dir = join(base, 'dirs', String(i))
  await mkdir(dir)
  await rename(tmp, join(dir, 'file'))
  await Promise.all([fsyncDir(dir), fsyncDir(join(base, 'dirs'))])
}

export async function run(args: string[]): Promise<void> {
  const parent = option(args, 'dir') ?? tmpdir()
  const seconds = Number(option(args, 'seconds') ?? 5)
  const body = randomBytes(OBJECT_BYTES)
  const etag = md5Hex(body)
  const work = await mkdtemp(join(parent, 'velox-bench-store-'))
  const runId = Date.now().toString(36)
  const rows: string[] = []
  try {
    const store = await openDeviceObjects(join(work, 'device'))
    let bareRun = 0
    let stored = 0
    const bareRound = async (inFlight: number, s: number) => {
      const base = join(work, `bare-${bareRun++}`)
      await mkdir(join(base, 'tmp'), { recursive: true })
      await mkdir(join(base, 'dirs'))
      return measure(inFlight, s, (i) => bareCreate(base, body, i))
    }
    const storeRound = (inFlight: number, s: number) =>
      measure(inFlight, s, async () => {
        const name = `/bench/c/${runId}-${stored++}`
        const hash = md5Hex(name)
        // Partitions as a ring of part power 10 would spread them.
        const loc = { partition: parseInt(hash.slice(0, 8), 16) >>> 22, hash, name }
        await store.put(loc, { timestamp: '1700000000.00000', contentType: 'application/octet-stream', headers: {}, etag, size: OBJECT_BYTES }, oneChunk(body))
      })
    // Rounds alternate between the reference and the store so that a noisy disk (this is a VM)
    // weighs on both alike; each figure is the median of its rounds (one stalled round of a
    // shared disk moves a mean, not a median).
    for (const [bareInFlight, storeInFlight] of [[1, 1], [16, 64]] as const) {
      const bare: number[] = []
      const ours: number[] = []
      for (let round = 0; round < ROUNDS; round++) {
        bare.push(await bareRound(bareInFlight, seconds / ROUNDS))
        ours.push(await storeRound(storeInFlight, seconds / ROUNDS))
      }
      const bareRate = median(bare)
      const storeRate = median(ours)
      rows.push(row('bare durable create', bareInFlight, bareRate, ''))
      rows.push(row('store PUT 4 KiB', storeInFlight, storeRate, `${((storeRate / bareRate) * 100).toFixed(0)}% of bare @${bareInFlight}`))
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  console.log(`device: ${parent}, ${seconds} s per row in ${ROUNDS} alternating rounds (median), ${OBJECT_BYTES} B objects, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`)
  console.log(row('measurement', 'in flight', 'ops/s', 'store vs bare'))
  for (const r of rows) console.log(r)
}

const ROUNDS = 5

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function row(what: string, inFlight: number | string, perSecond: number | string, note: string): string {
  const rate = typeof perSecond === 'number' ? perSecond.toFixed(0) : perSecond
  return `${what.padEnd(22)} ${String(inFlight).padStart(9)} ${rate.padStart(9)}  ${note}`
}
