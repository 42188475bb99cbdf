/**
 * `velox bench search [--rows=N] [--dir=PATH] [--keep]`: latency of search by name
 * (appliance/src/search/name-search.ts) over one account holding N objects (default
 * 1,000,000) in 10 containers, read from one device's databases (store/db). Names look like
 * `photos/2024/06/IMG_<n>.jpg`. Times, each repeated 5 times (median, max):
 * - a prefix search that matches 50 names (a key range: cost = results);
 * - a substring search for a rare word (10 hits in the whole account), the first: a scan of
 *   the names only (keys, no row values: store/db/name-match.ts) while each container's
 *   in-memory index (store/db/name-index.ts) is built in the background, timed once, and
 *   the time until those builds end;
 * - the same just after a row changed in every container (indexes updated from the change log);
 * - the same again, answered from the indexes as they are (with --rows under 500,000 each of
 *   the 10 containers holds under 50,000 names: those are always scanned, never indexed);
 * - the same with the web API's default budget (2 s), which stops and says where;
 * - the reference: one plain listing pass over all N rows in pages of 1,000, matching each
 *   name: what the substring search did before it read keys only.
 * Owns: measuring. Must not: reach into store/db internals (it uses LevelDeviceDatabases only).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Timestamp } from '../../appliance/src/lib/timestamp.js'
import { NameSearch } from '../../appliance/src/search/name-search.js'
import { LevelDeviceDatabases } from '../../appliance/src/store/db/device-databases.js'
import type { ObjectRow } from '../../appliance/src/store/types.js'

const ACCOUNT = 'AUTH_bench'
const CONTAINERS = 10
const BATCH = 10_000
const RARE_EVERY = 100_000

function option(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
}

function objectName(i: number): string {
  const rare = i % RARE_EVERY === 7 ? '_Aurora' : ''
  return `photos/${2000 + (i % 25)}/${String(1 + (Math.floor(i / 25) % 12)).padStart(2, '0')}/IMG_${String(i).padStart(8, '0')}${rare}.jpg`
}

function row(i: number, base: number): ObjectRow {
  return { name: objectName(i), timestamp: new Timestamp(base + i).internal, size: 2_000_000 + (i % 4096), contentType: 'image/jpeg', etag: 'd41d8cd98f00b204e9800998ecf8427e', deleted: false }
}

async function timed(n: number, fn: () => Promise<string>): Promise<string> {
  const ms: number[] = []
  const cpu: number[] = []
  let said = ''
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const c = process.cpuUsage()
    said = await fn()
    ms.push(performance.now() - t)
    const used = process.cpuUsage(c)
    cpu.push((used.user + used.system) / 1000)
  }
  ms.sort((a, b) => a - b)
  cpu.sort((a, b) => a - b)
  // CPU time (all threads: LevelDB reads in libuv's pool) says more than wall time on a busy machine.
  return `median ${ms[Math.floor(ms.length / 2)].toFixed(1).padStart(8)} ms  max ${ms[ms.length - 1].toFixed(1).padStart(8)} ms  cpu ${cpu[Math.floor(cpu.length / 2)].toFixed(0).padStart(6)} ms  ${said}`
}

/** How many objects the bench account's containers hold (0 when there is none yet). */
async function filledWith(dbs: LevelDeviceDatabases): Promise<number> {
  let n = 0
  for (let c = 0; c < CONTAINERS; c++) n += (await dbs.getContainer(ACCOUNT, `c${c}`))?.objectCount ?? 0
  return n
}

export async function run(args: string[]): Promise<void> {
  const rows = Number(option(args, 'rows') ?? 1_000_000)
  const dir = option(args, 'dir') ?? (await mkdtemp(join(tmpdir(), 'velox-bench-search-')))
  const dbs = await LevelDeviceDatabases.open(dir)
  const base = Timestamp.now().ticks
  try {
    const per = Math.ceil(rows / CONTAINERS)
    const start = performance.now()
    // A --dir kept from an earlier run with the same --rows is used as it is (no refill).
    const filled = await filledWith(dbs)
    if (filled !== rows) await dbs.putAccount(0, ACCOUNT, new Timestamp(base).internal)
    for (let c = 0; c < CONTAINERS && filled !== rows; c++) {
      const container = `c${c}`
      await dbs.putContainer(0, ACCOUNT, container, new Timestamp(base).internal)
      for (let i = c * per; i < Math.min(rows, (c + 1) * per); i += BATCH) {
        const end = Math.min(rows, (c + 1) * per, i + BATCH)
        await dbs.mergeObjectRows(ACCOUNT, container, Array.from({ length: end - i }, (_, k) => row(i + k, base)))
      }
      // The account's container rows, as the listing updates would write them.
      await dbs.putContainerRow(ACCOUNT, { name: container, putTimestamp: new Timestamp(base).internal, deleteTimestamp: '0', objectCount: 0, bytesUsed: 0, deleted: false })
    }
    if (filled === rows) console.log(`fill: reusing ${rows} objects in ${dir}`)
    else console.log(`fill: ${rows} objects in ${CONTAINERS} containers in ${((performance.now() - start) / 1000).toFixed(1)} s`)

    const search = new NameSearch(dbs)
    const all = { canRead: () => true }
    const prefix = objectName(Math.floor(per / 2)).slice(0, -9) // "photos/YYYY/MM/IMG_000xx" → a few dozen names
    console.log(`prefix "${prefix}" (limit 50):       ${await timed(5, async () => {
      const r = await search.search(ACCOUNT, prefix, { mode: 'prefix', limit: 50, ...all })
      return `${r.hits.length} hits, ${r.scanned} rows read`
    })}`)
    const aurora = async () => {
      const r = await search.search(ACCOUNT, 'aurora', { mode: 'substring', limit: 1000, budgetMs: 600_000, ...all })
      return `${r.hits.length} hits, ${r.scanned} rows read, complete ${r.complete}`
    }
    // The first search scans every container's names (keys only) while their in-memory indexes
    // are built in the background; then the wait for those builds to end.
    console.log(`substring "aurora", first (a scan; indexes start): ${await timed(1, aurora)}`)
    console.log(`  then until the indexes are built:      ${await timed(1, async () => {
      await dbs.nameIndexesBuilt()
      return 'built'
    })}`)
    // Every container changed just before: each index is brought up to date from the change log.
    let touch = 0
    console.log(`substring "aurora", after a change in each container: ${await timed(5, async () => {
      touch++
      for (let c = 0; c < CONTAINERS; c++) await dbs.putObjectRow(ACCOUNT, `c${c}`, { ...row(0, base + 10_000_000 + touch), name: 'bench-touch', deleted: touch % 2 === 1 })
      return aurora()
    })}`)
    console.log(`substring "aurora", from the indexes:    ${await timed(5, aurora)}`)
    console.log(`substring "aurora", 2 s budget (API):    ${await timed(5, async () => {
      const r = await search.search(ACCOUNT, 'aurora', { mode: 'substring', limit: 200, budgetMs: 2000, ...all })
      return `${r.hits.length} hits, ${r.scanned} rows read, complete ${r.complete}`
    })}`)
    console.log(`reference: list all rows, 1,000/page, matching each (the search before keys-only): ${await timed(5, async () => {
      let n = 0
      let hits = 0
      for (let c = 0; c < CONTAINERS; c++) {
        let marker: string | undefined
        for (;;) {
          const page = await dbs.listObjects(ACCOUNT, `c${c}`, { limit: 1000, marker })
          n += page.length
          for (const r of page) if ('name' in r && r.name.toLowerCase().includes('aurora')) hits++
          if (page.length < 1000) break
          const last = page[page.length - 1]
          marker = 'name' in last ? last.name : last.subdir
        }
      }
      return `${n} rows, ${hits} hits`
    })}`)
  } finally {
    await dbs.close()
    if (!option(args, 'dir') && !args.includes('--keep')) await rm(dir, { recursive: true, force: true })
  }
}
