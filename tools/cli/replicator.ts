/**
 * `velox replicator status [--data DIR] [--json]`: the replicator's last pass reports, as the
 * appliance on that data dir wrote them (cluster/replicator.ts writes <data>/run/replicator.json
 * after every pass), and whether that appliance is still running. Reads only; it never opens
 * the devices (their databases are locked by the running appliance).
 */
import { parseArgs } from 'node:util'
import { loadConfig } from '../../appliance/src/config/index.js'
import { readStatusFile, replicatorStatusPath, type ReplicationReport } from '../../appliance/src/cluster/replicator.js'
import { processAlive } from '../../appliance/src/lib/pids.js'

export const summary = 'show the replicator\'s last passes (partitions, objects and bytes pushed, errors)'

const USAGE = 'usage: velox replicator status [--data DIR] [--json]'

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { data: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (positionals.length !== 1 || positionals[0] !== 'status') {
    console.error(USAGE)
    return 2
  }
  const config = loadConfig({ flags: values.data ? { dataDir: values.data } : {}, env: process.env })
  const path = replicatorStatusPath(config.dataDir)
  const status = readStatusFile(path)
  const running = status !== undefined && processAlive(status.pid)
  if (values.json) {
    console.log(JSON.stringify({ file: path, running, writtenAt: status?.writtenAt, reports: status?.reports ?? [] }, null, 2))
    return 0
  }
  if (!status) {
    console.log(`no replication pass has finished on ${config.dataDir} yet (${path} is absent)`)
    return 0
  }
  console.log(`appliance ${running ? `running (pid ${status.pid})` : 'not running'}; last report written ${status.writtenAt}`)
  console.log(formatReports(status.reports))
  return 0
}

export function formatReports(reports: readonly ReplicationReport[]): string {
  const head = ['started', 'time', 'parts', 'pushed', 'bytes', 'ts', 'handoffs', 'reclaimed', 'db rows', 'errors']
  const rows = reports.map((r) => [
    r.startedAt.replace('T', ' ').slice(0, 19),
    `${(r.elapsedMs / 1000).toFixed(1)} s${r.stopped ? ' (stopped)' : ''}`,
    String(r.partitionsChecked),
    String(r.objectsPushed),
    bytes(r.bytesPushed),
    String(r.tombstonesPushed),
    `${r.handoffPartitionsRemoved}p/${r.handoffObjectsRemoved}o`,
    String(r.tombstonesReclaimed),
    String(r.rowsPushed),
    String(r.errors),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n')
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(1)} ${units[u]}`
}
