/**
 * `velox disk list | status | burn-in | format | add | drain | remove | replace | mount-units`:
 * the appliance's disks from a shell, as root, on the same data dir as the server (which
 * notices the new rings by their files). Human output by default, `--json` for scripts.
 * Only parses arguments and prints; every rule and command is appliance/src/disks'.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig, type VeloxConfig } from '../../appliance/src/config/index.js'
import { readStatusFile, replicatorStatusPath, settledFromStatusFile } from '../../appliance/src/cluster/replicator.js'
import { createDiskService } from '../../appliance/src/disks/appliance.js'
import { addDisk, drainDisk, drainStatus, formatDisk, removeDisk, replaceDisk, settleRings } from '../../appliance/src/disks/lifecycle.js'
import { systemdMountUnit, wantsMount } from '../../appliance/src/disks/mounts.js'
import type { DiskService, DiskView } from '../../appliance/src/disks/service.js'
import { createLog } from '../../appliance/src/lib/log.js'
import { processAlive } from '../../appliance/src/lib/pids.js'
import { UsageError, exitOnError } from './usage.js'

export const summary = 'discover, burn in, format, add, drain, remove and replace disks'

const USAGE = `usage:
  velox disk list                          every disk: id, size, model, serial, Velox state, SMART
  velox disk status [ID]                   Velox disks: state, weight, partitions, what is left to move
  velox disk burn-in ID [--confirm SERIAL] SMART short self-test + write-read-verify sample
  velox disk format ID [--confirm SERIAL]  XFS, mounted by UUID under the devices root
  velox disk add ID [--ramp PCT] [--skip-burn-in]
  velox disk drain ID                      weight 0: its partitions move to the other disks
  velox disk remove ID                     out of the rings (drained or failed disks)
  velox disk replace ID --with NEW [--confirm SERIAL] [--ramp PCT] [--skip-burn-in]
  velox disk mount-units [--dir DIR]       systemd mount units for the Velox disks (print or write)

options: --data DIR (default ./data), --only DEVICE (repeatable: manage only these), --json.
A disk that holds the OS or data needs --confirm with its serial (or id when it has none).`

export async function run(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        data: { type: 'string', default: './data' },
        only: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean', default: false },
        confirm: { type: 'string' },
        ramp: { type: 'string' },
        'skip-burn-in': { type: 'boolean', default: false },
        with: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    console.error(`velox disk: ${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const { values: v, positionals } = parsed
  if (v.help) {
    console.log(USAGE)
    return 0
  }
  const [sub, id, ...extra] = positionals
  try {
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`)
    const config = loadConfig({ flags: { dataDir: v.data, disks: v.only.length > 0 ? { only: v.only } : undefined }, env: process.env })
    const svc = createDiskService(config, createLog('warn', (l) => process.stderr.write(l)))
    const out = (human: string, json: unknown) => console.log(v.json ? JSON.stringify(json, null, 2) : human)
    const need = () => {
      if (!id) throw new UsageError(`${sub} needs a disk ID (see velox disk list)`)
      return id
    }
    const ramp = v.ramp === undefined ? undefined : Number(v.ramp)
    switch (sub) {
      case 'list': {
        const disks = await svc.list()
        out(table(disks), { disks })
        return 0
      }
      case 'status':
        return await status(svc, config, id, out)
      case 'burn-in':
        return await burnIn(svc, need(), v.confirm, v.json)
      case 'format': {
        const disk = await formatDisk(svc, need(), { confirmSerial: v.confirm })
        out(`formatted ${disk.id} as ${disk.velox!.deviceName}, mounted on ${disk.velox!.mountPoint} (UUID ${disk.velox!.uuid})`, { disk })
        return 0
      }
      case 'add': {
        const disk = await addDisk(svc, need(), { rampPercent: ramp, skipBurnIn: v['skip-burn-in'] })
        out(`added ${disk.velox!.deviceName} to the rings: weight ${disk.velox!.weight} of ${disk.velox!.targetWeight}`, { disk })
        return 0
      }
      case 'drain': {
        const disk = await drainDisk(svc, need())
        const drain = drainStatus(svc, need())
        out(`draining ${disk.velox!.deviceName}: ${drainLine(drain)}`, { disk, drain })
        return 0
      }
      case 'remove': {
        const disk = await removeDisk(svc, need())
        out(`removed ${disk.deviceName} from the rings and unmounted it`, { disk })
        return 0
      }
      case 'replace': {
        if (!v.with) throw new UsageError('replace needs --with NEW')
        const r = await replaceDisk(svc, need(), { with: v.with, confirmSerial: v.confirm, rampPercent: ramp, skipBurnIn: v['skip-burn-in'] })
        const where = [r.old.bay ? `bay ${r.old.bay}` : '', r.old.path].filter(Boolean).join(', ')
        out(
          `${r.old.deviceName} (serial ${r.old.serial ?? 'none'}${where ? `, ${where}` : ''}) is ${r.old.state}; locate LED: ${r.locateLed.ok ? 'blinking' : `not available (${r.locateLed.message})`}\n` +
            `${r.new.velox!.deviceName} (${r.new.id}) is in the rings`,
          r,
        )
        return 0
      }
      case 'mount-units':
        return mountUnits(svc, v.dir, v.json)
      default:
        throw new UsageError(sub ? `unknown subcommand ${JSON.stringify(sub)}` : 'missing subcommand')
    }
  } catch (err) {
    return exitOnError('disk', USAGE, err)
  }
}

/** Whether the running appliance's replicator has moved everything the current rings ask for. */
function replicationSettled(config: Readonly<VeloxConfig>): boolean {
  let ringsChangedAt = 0
  if (!existsSync(config.swiftDir)) return true
  for (const n of readdirSync(config.swiftDir).filter((f) => f.endsWith('.ring.gz'))) ringsChangedAt = Math.max(ringsChangedAt, statSync(join(config.swiftDir, n)).mtimeMs)
  return settledFromStatusFile(readStatusFile(replicatorStatusPath(config.dataDir)), ringsChangedAt, processAlive)
}

async function status(svc: DiskService, config: Readonly<VeloxConfig>, id: string | undefined, out: (h: string, j: unknown) => void): Promise<number> {
  const settled = await settleRings(svc, () => replicationSettled(config))
  const disks = (await svc.list({ smart: false })).filter((d) => d.velox && (!id || d.id === id))
  const rows = disks.map((d) => {
    const x = d.velox!
    const drain = x.state === 'draining' || x.state === 'drained' ? drainStatus(svc, d.id) : null
    return { id: d.id, deviceName: x.deviceName, state: x.state, weight: x.weight, targetWeight: x.targetWeight, rampPercent: x.rampPercent, partitions: x.partitions, drain, failedReason: x.failedReason }
  })
  const lines = rows.map((r) => {
    const parts = r.partitions ? `${r.partitions.object} object partitions` : 'no partitions yet'
    const ramp = r.rampPercent ? `, ramping by ${r.rampPercent} %` : ''
    const more = r.drain ? `; ${drainLine(r.drain)}` : r.failedReason ? `; ${r.failedReason}` : ''
    return `${r.deviceName.padEnd(8)} ${r.state.padEnd(9)} weight ${r.weight}/${r.targetWeight ?? '-'}${ramp}, ${parts}${more}`
  })
  if (settled.ramped.length > 0) lines.push(`ramped up: ${settled.ramped.join(', ')}`)
  if (settled.waiting === 'replication') lines.push('ramp waits: the replicator is still moving the last step\'s data')
  out(lines.join('\n') || 'no Velox disks', { disks: rows, ramped: settled.ramped, waiting: settled.waiting ?? null })
  return 0
}

async function burnIn(svc: DiskService, id: string, confirm: string | undefined, json: boolean): Promise<number> {
  const job = await svc.burnIn(id, { confirmSerial: confirm })
  let shown = -1
  for (;;) {
    const j = svc.jobs.get(job.id)
    const pct = Math.floor(j.progress * 100)
    if (!json && (j.state !== 'running' || pct >= shown + 10)) {
      shown = pct
      if (j.state === 'running') console.log(`${String(pct).padStart(3)} % ${j.phase} ${j.mbps} MB/s ${j.message}`.trimEnd())
    }
    if (j.state !== 'running') {
      if (json) console.log(JSON.stringify({ job: j, result: svc.registry.burnIn(id) }, null, 2))
      else console.log(`burn-in ${j.state}: ${j.message}`)
      return j.state === 'passed' ? 0 : 1
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

function mountUnits(svc: DiskService, dir: string | undefined, json: boolean): number {
  const units = svc.registry.all().filter(wantsMount).map((r) => systemdMountUnit(svc.system.devicesRoot, r))
  if (dir) {
    mkdirSync(dir, { recursive: true })
    for (const u of units) writeFileSync(join(dir, u.name), u.text)
  }
  if (json) console.log(JSON.stringify({ units }, null, 2))
  else if (dir) console.log(units.map((u) => join(dir, u.name)).join('\n'))
  else console.log(units.map((u) => `# ${u.name}\n${u.text}`).join('\n'))
  return 0
}

function drainLine(d: { ringPartitions: number; partitionsOnDisk: number; bytesOnDisk: number; drained: boolean }): string {
  if (d.drained) return 'drained: nothing left to move'
  return `${d.ringPartitions} partition-replicas still assigned, ${d.partitionsOnDisk} partitions (${(d.bytesOnDisk / 1e6).toFixed(1)} MB) still on the disk`
}

function table(disks: DiskView[]): string {
  const rows = [['ID', 'PATH', 'SIZE', 'MEDIA', 'MODEL', 'SERIAL', 'STATE', 'DEVICE', 'SMART']]
  for (const d of disks) {
    const smart = !d.smart?.available ? 'n/a' : d.smart.failing.length > 0 ? 'FAILING' : `ok${d.smart.temperatureC !== null ? ` ${d.smart.temperatureC}°C` : ''}`
    const state = d.velox?.state ?? (d.holdsOs ? 'os' : d.hasData ? 'has data' : 'blank')
    rows.push([d.id, d.path || '(missing)', size(d.sizeBytes), d.media, d.model ?? '-', d.serial ?? '-', state, d.velox?.deviceName ?? '-', smart])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let n = bytes
  let u = 0
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024
    u++
  }
  return `${n.toFixed(n >= 100 || u === 0 ? 0 : 1)} ${units[u]}`
}
