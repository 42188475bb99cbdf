/**
 * Helpers of the replication tests and benchmark: change the three rings of an appliance the
 * way an admin would (load the builders, change devices, rebalance, write the .ring.gz files)
 * and have the running appliance reload them; say where an object's replicas are on the box;
 * run replication passes until one finds nothing to do; and a steady client load over HTTP
 * that counts every failed request.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { builderPath, RING_KINDS } from '../../src/cluster/bootstrap.js'
import type { ReplicationReport } from '../../src/cluster/replicator.js'
import { RingBuilder, ringPathForBuilder } from '../../src/ring/builder.js'
import type { Ring } from '../../src/ring/ring.js'
import type { ObjectRow } from '../../src/store/types.js'
import type { Appliance } from '../../src/main.js'
import { Timestamp } from '../../src/lib/timestamp.js'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'

/** Applies `change` to each ring builder (every storage policy's object ring included),
 *  rebalances, writes the rings, reloads them. */
export async function changeRings(app: Appliance, change: (b: RingBuilder) => void): Promise<void> {
  const policyRings = readdirSync(app.config.swiftDir).flatMap((n) => /^(object-\d+)\.builder$/.exec(n)?.[1] ?? [])
  for (const kind of [...RING_KINDS, ...policyRings]) {
    const path = builderPath(app.config, kind)
    const b = RingBuilder.load(path)
    change(b)
    b.pretendMinPartHoursPassed()
    b.rebalance()
    b.save(path)
    b.writeRing(ringPathForBuilder(path))
  }
  if (!(await app.replication.reloader.reload())) throw new Error('the appliance did not reload its rings')
}

export function deviceId(b: RingBuilder, device: string): number {
  const d = b.liveDevices().find((x) => x.device === device)
  if (!d) throw new Error(`no device ${device} in the builder`)
  return d.id
}

/** Devices of the box (or of `among`) whose object tree (of storage policy `policy`) holds a
 *  data file of `hash` in `partition`. */
export function devicesHolding(devicesDir: string, partition: number, hash: string, among?: readonly string[], policy = 0): string[] {
  const out: string[] = []
  for (const dev of among ?? readdirSync(devicesDir)) {
    const dir = join(devicesDir, dev, policy === 0 ? 'objects' : `objects-${policy}`, String(partition), hash.slice(-3), hash)
    if (existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.data'))) out.push(dev)
  }
  return out.sort()
}

export function ringDevices(ring: Ring, account: string, container: string, object: string): { partition: number; hash: string; devices: string[] } {
  const { partition, hash, nodes } = ring.getNodes(account, container, object)
  return { partition, hash, devices: nodes.map((n) => n.device).sort() }
}

export interface PassTotals {
  passes: number
  objectsPushed: number
  bytesPushed: number
  rowsPushed: number
  errors: number
  reports: ReplicationReport[]
}

/** Runs passes until one pushes and removes nothing (at most `maxPasses`). `objectsOnly`: rows
 *  do not count (under a steady write load, container stats rows always have news). */
export async function replicateUntilQuiet(app: Appliance, maxPasses = 6, objectsOnly = false): Promise<PassTotals> {
  const t: PassTotals = { passes: 0, objectsPushed: 0, bytesPushed: 0, rowsPushed: 0, errors: 0, reports: [] }
  for (let i = 0; i < maxPasses; i++) {
    const r = await app.replication.replicator.runOnce()
    t.passes++
    t.objectsPushed += r.objectsPushed
    t.bytesPushed += r.bytesPushed
    t.rowsPushed += r.rowsPushed
    t.errors += r.errors
    t.reports.push(r)
    const work = r.objectsPushed + r.tombstonesPushed + r.metasPushed + r.handoffObjectsRemoved + (objectsOnly ? 0 : r.handoffDatabasesRemoved + r.rowsPushed)
    if (work === 0) return t
  }
  throw new Error(`replication still busy after ${maxPasses} passes: ${JSON.stringify(t.reports.at(-1))}`)
}

/** A steady client load: `workers` loops of `op` until stop(); failures are kept. */
export function clientLoad(workers: number, op: (i: number) => Promise<void>): { stop(): Promise<{ ok: number; failures: string[] }> } {
  let running = true
  let ok = 0
  const failures: string[] = []
  let n = 0
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        await op(n++)
        ok++
      } catch (err) {
        // fetch's own message is only "fetch failed"; the cause says which socket error it was.
        const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause
        failures.push(cause ? `${(err as Error).message}: ${cause.code ?? ''} ${cause.message ?? ''}`.trim() : (err as Error).message)
      }
    }
  })
  return {
    async stop() {
      running = false
      await Promise.all(loops)
      return { ok, failures }
    },
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        await fn(items[i], i)
      }
    }),
  )
}

/**
 * Writes objects straight to the devices the ring names (and their rows to the container's
 * databases), as a PUT through the API would but without HTTP: the tests' 10,000 objects in
 * seconds instead of minutes on a busy machine. The container must exist.
 */
export async function seedObjects(app: Appliance, account: string, container: string, names: readonly string[], bodyOf: (name: string) => string | Buffer, concurrency = 16): Promise<void> {
  const rings = app.replication.rings()
  const rows: ObjectRow[] = []
  await inParallel(names, concurrency, async (name) => {
    const body = Buffer.from(bodyOf(name))
    const timestamp = Timestamp.now().internal
    const { partition, hash, nodes } = rings.object.getNodes(account, container, name)
    const loc = { partition, hash, name: `/${account}/${container}/${name}` }
    for (const n of nodes) await app.devices.get(n.device)!.objects.put(loc, { timestamp, contentType: 'text/plain', headers: {} }, Readable.from([body]))
    rows.push({ name, timestamp, size: body.length, contentType: 'text/plain', etag: createHash('md5').update(body).digest('hex'), deleted: false })
  })
  for (const n of rings.container.getNodes(account, container).nodes) await app.devices.get(n.device)!.dbs.mergeObjectRows(account, container, rows)
}
