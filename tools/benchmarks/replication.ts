/**
 * `velox bench replication`: a device added to a box of 3 directory devices holding N small
 * objects (4 KiB, default 10,000) and L MiB of large ones (64 MiB each, default 2048): how fast
 * the replicator moves the new device's share (MB/s, objects/s), and client GETs per second
 * while it does versus idle (measured before and after the move; target ≥ 70 %), beside the bare copy rate of the same disk
 * (`cp -a` and `rsync -a` of one device's tree) measured in the same run.
 * Options: --dir=PATH (where the data dir goes; default the system temp dir), --objects=N,
 * --large-mib=N (scaled down for a quick run), --seconds=N (idle client measurement, default 10),
 * --unlimited (no replicator rate limits instead of the configured defaults).
 * Owns the measurement only; it must not change the replicator to look good.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { changeRings, clientLoad, replicateUntilQuiet, seedObjects } from '../../appliance/test/harness/replication.js'
import { startTestAppliance } from '../../appliance/test/harness/test-appliance.js'

const run_ = promisify(execFile)
const SMALL_BYTES = 4096
const LARGE_BYTES = 64 * 1024 * 1024
const READERS = 8

function option(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length)
}

export async function run(args: string[]): Promise<void> {
  const parent = option(args, 'dir') ?? tmpdir()
  const objects = Number(option(args, 'objects') ?? 10_000)
  const largeMib = Number(option(args, 'large-mib') ?? 2048)
  const seconds = Number(option(args, 'seconds') ?? 10)
  const unlimited = args.includes('--unlimited')
  const loadAtStart = loadavg()
  const dataDir = mkdtempSync(join(parent, 'velox-bench-repl-'))
  const replicator = unlimited ? { enabled: false, bytesPerSec: 1e12, filesPerSec: 1e9 } : { enabled: false }
  const t = await startTestAppliance({ dataDir, flags: { embedded: { devices: 3, partPower: 10, replicas: 3, minPartHours: 0 }, replicator, thumbnails: { enabled: false } } })
  try {
    const { storageUrl, token } = await t.auth()
    const headers = { 'X-Auth-Token': token }
    await fetch(`${storageUrl}/bench`, { method: 'PUT', headers })
    const small = Array.from({ length: objects }, (_, i) => `small/${i}`)
    const large = Array.from({ length: Math.floor((largeMib * 1024 * 1024) / LARGE_BYTES) }, (_, i) => `large/${i}`)
    const smallBody = randomBytes(SMALL_BYTES)
    const largeBody = randomBytes(LARGE_BYTES)
    await seedObjects(t.app, 'AUTH_test', 'bench', small, () => smallBody)
    await seedObjects(t.app, 'AUTH_test', 'bench', large, () => largeBody, 2)

    // Client load: GETs of small objects, READERS in flight.
    const get = async (i: number) => {
      const r = await fetch(`${storageUrl}/bench/${small[(i * 7919) % small.length]}`, { headers })
      await r.arrayBuffer()
      if (r.status !== 200) throw new Error(`GET ${r.status}`)
    }
    const idle = await clientRate(get, seconds)

    // The reference: the same device's tree copied by cp -a and rsync -a on the same disk.
    const d1 = join(t.app.config.devicesDir, 'd1')
    const treeBytes = Number((await run_('du', ['-sb', join(d1, 'objects')])).stdout.split('\t')[0])
    const cp = await timed(() => run_('cp', ['-a', join(d1, 'objects'), join(dataDir, 'copy-cp')]))
    const rsync = await timed(() => run_('rsync', ['-a', `${join(d1, 'objects')}/`, join(dataDir, 'copy-rsync')])).catch(() => undefined)
    rmSync(join(dataDir, 'copy-cp'), { recursive: true, force: true })
    rmSync(join(dataDir, 'copy-rsync'), { recursive: true, force: true })

    mkdirSync(join(t.app.config.devicesDir, 'd4'))
    await changeRings(t.app, (b) => b.addDevice({ region: 1, zone: 4, ip: '127.0.0.1', port: 8080, device: 'd4', weight: 100 }))
    const load = clientLoad(READERS, get)
    const started = performance.now()
    const totals = await replicateUntilQuiet(t.app, 10)
    const moveSec = (performance.now() - started) / 1000
    const during = await load.stop()
    const busyRate = during.ok / moveSec
    // Idle again once the move is over: the reference is the mean of both, so that a neighbour's
    // burst before or after the move does not decide the ratio alone.
    const idleAfter = await clientRate(get, seconds)
    const idleRef = (idle + idleAfter) / 2

    const mb = (bytes: number, sec: number) => (bytes / 1e6 / sec).toFixed(1)
    console.log(`load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores (figures from a busy machine are not results)`)
    console.log(`data dir: ${dataDir}; ${objects} × 4 KiB + ${large.length} × 64 MiB on 3 devices, 3 replicas; part power 10; rate limits: ${unlimited ? 'none' : 'configured defaults'}`)
    console.log(`replication: ${totals.objectsPushed} objects, ${(totals.bytesPushed / 2 ** 20).toFixed(0)} MiB moved in ${moveSec.toFixed(1)} s (${totals.passes} passes): ${mb(totals.bytesPushed, moveSec)} MB/s, ${(totals.objectsPushed / moveSec).toFixed(0)} objects/s; errors ${totals.errors}`)
    const ratio = busyRate / idleRef
    console.log(`client GETs (${READERS} in flight): idle ${idle.toFixed(0)}/s before and ${idleAfter.toFixed(0)}/s after, during the move ${busyRate.toFixed(0)}/s = ${(ratio * 100).toFixed(0)} % of idle (target ≥ 70 %: ${ratio >= 0.7 ? 'met' : 'NOT met'}); failed ${during.failures.length}`)
    console.log(`reference, one device's tree (${(treeBytes / 2 ** 20).toFixed(0)} MiB): cp -a ${mb(treeBytes, cp)} MB/s (${cp.toFixed(1)} s)` + (rsync === undefined ? ', rsync not installed' : `, rsync -a ${mb(treeBytes, rsync)} MB/s (${rsync.toFixed(1)} s)`))
  } finally {
    await t.stop()
  }
}

async function clientRate(op: (i: number) => Promise<void>, seconds: number): Promise<number> {
  const load = clientLoad(READERS, op)
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const { ok } = await load.stop()
  return ok / seconds
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await fn()
  return (performance.now() - started) / 1000
}
