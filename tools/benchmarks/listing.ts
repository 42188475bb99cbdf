/**
 * `velox bench listing [--rows=N] [--dir=PATH] [--keep]`: container listing speed of
 * store/db. Fills one container with N rows (default 1,000,000) through the bulk path
 * `mergeObjectRows` (putObjectRow's rules, 10,000 rows per batch), times the single-row
 * `putObjectRow` path on a second container, then lists the big container in pages of 10,000
 * with marker paging (forward, reverse) and with a delimiter (names are `dddddd/ooo`, 50 rows
 * per directory, so each subdir entry costs one seek), printing ms per page (mean, p50, p99).
 * Target: ≤ 50 ms per 10,000-row page.
 *
 * Owns: measuring. Must not: reach into store/db internals (it uses LevelDeviceDatabases only).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Timestamp } from '../../appliance/src/lib/timestamp.js'
import { LevelDeviceDatabases } from '../../appliance/src/store/db/device-databases.js'
import type { ListingEntry, ListingParams, ObjectRow } from '../../appliance/src/store/types.js'

const PAGE = 10_000
const PER_DIR = 50
const ACCOUNT = 'AUTH_bench'

function option(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
}

function objectName(i: number): string {
  return `${String(Math.floor(i / PER_DIR)).padStart(6, '0')}/${String(i % PER_DIR).padStart(3, '0')}`
}

function objectRow(i: number, base: number): ObjectRow {
  return { name: objectName(i), timestamp: new Timestamp(base + i).internal, size: 1000 + (i % 4096), contentType: 'application/octet-stream', etag: 'd41d8cd98f00b204e9800998ecf8427e', deleted: false }
}

function stats(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  const mean = ms.reduce((s, x) => s + x, 0) / ms.length
  return `pages ${String(ms.length).padStart(4)}  mean ${mean.toFixed(1).padStart(6)} ms  p50 ${at(0.5).toFixed(1).padStart(6)} ms  p99 ${at(0.99).toFixed(1).padStart(6)} ms  max ${sorted[sorted.length - 1].toFixed(1).padStart(6)} ms`
}

/** Lists the whole container with marker paging; returns ms per page and entries seen. */
async function pageThrough(dbs: LevelDeviceDatabases, container: string, params: Omit<ListingParams, 'limit' | 'marker'>): Promise<{ ms: number[]; entries: number }> {
  const ms: number[] = []
  let entries = 0
  let marker: string | undefined
  for (;;) {
    const start = process.hrtime.bigint()
    const page: ListingEntry<ObjectRow>[] = await dbs.listObjects(ACCOUNT, container, { ...params, marker, limit: PAGE })
    ms.push(Number(process.hrtime.bigint() - start) / 1e6)
    entries += page.length
    if (page.length < PAGE) return { ms, entries }
    const last = page[page.length - 1]
    marker = 'subdir' in last ? last.subdir : last.name
  }
}

export async function run(args: string[]): Promise<void> {
  const rows = Number(option(args, 'rows') ?? 1_000_000)
  const dir = option(args, 'dir') ?? (await mkdtemp(join(tmpdir(), 'velox-bench-listing-')))
  const dbs = await LevelDeviceDatabases.open(dir)
  const base = Timestamp.now().ticks
  try {
    await dbs.putAccount(0, ACCOUNT, new Timestamp(base).internal)
    await dbs.putContainer(0, ACCOUNT, 'big', new Timestamp(base).internal)
    await dbs.putContainer(0, ACCOUNT, 'single', new Timestamp(base).internal)

    let start = performance.now()
    for (let i = 0; i < rows; i += PAGE) {
      const batch = Array.from({ length: Math.min(PAGE, rows - i) }, (_, k) => objectRow(i + k, base))
      await dbs.mergeObjectRows(ACCOUNT, 'big', batch)
    }
    const fillS = (performance.now() - start) / 1000
    console.log(`fill (mergeObjectRows, ${PAGE} per batch): ${rows} rows in ${fillS.toFixed(1)} s = ${Math.round(rows / fillS)} rows/s`)

    const singles = Math.min(20_000, rows)
    start = performance.now()
    for (let i = 0; i < singles; i++) await dbs.putObjectRow(ACCOUNT, 'single', objectRow(i, base))
    const singleS = (performance.now() - start) / 1000
    console.log(`putObjectRow one at a time: ${singles} rows in ${singleS.toFixed(1)} s = ${Math.round(singles / singleS)} rows/s`)
    const info = await dbs.getContainer(ACCOUNT, 'big')
    console.log(`container: ${info?.objectCount} objects, ${info?.bytesUsed} bytes`)

    const forward = await pageThrough(dbs, 'big', {})
    console.log(`list ${PAGE}/page, marker paging:      ${stats(forward.ms)}  (${forward.entries} rows)`)
    const reverse = await pageThrough(dbs, 'big', { reverse: true })
    console.log(`list ${PAGE}/page, reverse:            ${stats(reverse.ms)}  (${reverse.entries} rows)`)
    const delimited: number[] = []
    let subdirs = 0
    for (let round = 0; round < 5; round++) {
      const run = await pageThrough(dbs, 'big', { delimiter: '/' })
      delimited.push(...run.ms)
      subdirs = run.entries
    }
    console.log(`list ${PAGE}/page, delimiter '/' (x5): ${stats(delimited)}  (${subdirs} subdirs, one seek each)`)
    const prefixed = await pageThrough(dbs, 'big', { prefix: objectName(Math.floor(rows / 2)).slice(0, 4) })
    console.log(`list ${PAGE}/page, prefix:             ${stats(prefixed.ms)}  (${prefixed.entries} rows)`)
  } finally {
    await dbs.close()
    if (!option(args, 'dir') && !args.includes('--keep')) await rm(dir, { recursive: true, force: true })
  }
}
