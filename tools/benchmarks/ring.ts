/**
 * `velox bench ring`: Velox's ring builder against swift-ring-builder on the same machine.
 * For part power 18 and 20 (only 18 with --quick), 3 replicas, 4 zones × 12 equal devices: create +
 * rebalance, then a fifth zone of 12 devices + rebalance. Each side's time includes writing its builder
 * file and .ring.gz. Prints time, balance and partition-replicas moved for both, and the speed-up.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { RingBuilder, ringPathForBuilder } from '../../appliance/src/ring/builder.js'

const SWIFT_RING_BUILDER = '/usr/bin/swift-ring-builder'
const REPLICAS = 3
const DEVICES_PER_ZONE = 12
const DEVICES_PER_HOST = 3

interface Step {
  seconds: number
  balance: number
  /** % of partition-replicas reassigned (100% = every replica of every partition) */
  movedPct: number
}

/** rRzZ-IP:PORT/DEVICE strings for one zone: 4 hosts of 3 devices. */
function zoneDevices(zone: number): string[] {
  return Array.from({ length: DEVICES_PER_ZONE }, (_, i) => {
    const host = Math.floor(i / DEVICES_PER_HOST)
    return `r1z${zone}-10.0.${zone}.${host + 1}:6200/sd${'bcd'[i % DEVICES_PER_HOST]}`
  })
}

function veloxSteps(dir: string, partPower: number): [Step, Step] {
  const path = join(dir, 'velox.builder')
  const addZone = (b: RingBuilder, zone: number) => {
    zoneDevices(zone).forEach((_, i) => {
      b.addDevice({ region: 1, zone, ip: `10.0.${zone}.${Math.floor(i / DEVICES_PER_HOST) + 1}`, port: 6200, device: `sd${'bcd'[i % DEVICES_PER_HOST]}`, weight: 100 })
    })
  }
  const step = (change: (b: RingBuilder) => void, load: () => RingBuilder, seed: number): Step => {
    const t0 = performance.now()
    const b = load()
    change(b)
    const r = b.rebalance({ seed })
    b.save(path)
    b.writeRing(ringPathForBuilder(path))
    return { seconds: (performance.now() - t0) / 1000, balance: r.balance, movedPct: (100 * r.changedParts) / (b.parts * REPLICAS) }
  }
  const first = step((b) => [1, 2, 3, 4].forEach((z) => addZone(b, z)), () => RingBuilder.create(partPower, REPLICAS, 0), 1)
  const second = step((b) => addZone(b, 5), () => RingBuilder.load(path), 2)
  return [first, second]
}

function swiftSteps(dir: string, partPower: number): [Step, Step] {
  const builder = join(dir, 'swift.builder')
  const parts = 2 ** partPower
  const run = (args: string[]): string => {
    const r = spawnSync(SWIFT_RING_BUILDER, [builder, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
    // exit 1 is swift-ring-builder's "warning" (e.g. balance still settling); 2 is an error
    if (r.status !== 0 && r.status !== 1) throw new Error(`swift-ring-builder ${args[0]} failed (${r.status}): ${r.stderr}${r.stdout}`)
    return r.stdout
  }
  const weighted = (zone: number) => zoneDevices(zone).flatMap((d) => [d, '100'])
  const step = (before: () => void, seed: number): Step => {
    const t0 = performance.now()
    before()
    const out = run(['rebalance', '--seed', String(seed)])
    const seconds = (performance.now() - t0) / 1000
    const m = /Reassigned (\d+) \([\d.]+%\) partitions\. Balance is now ([\d.]+)\./.exec(out)
    if (!m) throw new Error(`unexpected swift-ring-builder output: ${out}`)
    return { seconds, balance: Number(m[2]), movedPct: (100 * Number(m[1])) / (parts * REPLICAS) }
  }
  const first = step(() => {
    run(['create', String(partPower), String(REPLICAS), '0'])
    run(['add', ...[1, 2, 3, 4].flatMap(weighted)])
  }, 1)
  const second = step(() => run(['add', ...weighted(5)]), 2)
  return [first, second]
}

export async function run(args: string[]): Promise<void> {
  const powers = args.includes('--quick') ? [18] : [18, 20]
  const haveSwift = existsSync(SWIFT_RING_BUILDER)
  if (!haveSwift) console.error(`bench ring: ${SWIFT_RING_BUILDER} not found; timing Velox only`)
  const rows: string[][] = []
  for (const pp of powers) {
    const dir = mkdtempSync(join(tmpdir(), 'velox-bench-ring-'))
    try {
      process.stderr.write(`ring bench: part power ${pp}, Velox…\n`)
      const velox = veloxSteps(dir, pp)
      process.stderr.write(`ring bench: part power ${pp}, swift-ring-builder (may take minutes)…\n`)
      const swift = haveSwift ? swiftSteps(dir, pp) : null
      const labels = ['create 4×12 + rebalance', 'add zone of 12 + rebalance']
      labels.forEach((label, i) => {
        const v = velox[i]
        const s = swift?.[i]
        rows.push([
          String(pp),
          label,
          `${v.seconds.toFixed(2)} s`,
          v.balance.toFixed(2),
          `${v.movedPct.toFixed(2)}%`,
          s ? `${s.seconds.toFixed(2)} s` : '-',
          s ? s.balance.toFixed(2) : '-',
          s ? `${s.movedPct.toFixed(2)}%` : '-',
          s ? `${(s.seconds / v.seconds).toFixed(1)}×` : '-',
        ])
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const header = ['power', 'step', 'velox time', 'balance', 'moved', 'swift time', 'balance', 'moved', 'speed-up']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  console.log(`ring rebalance, ${REPLICAS} replicas, equal weights; moved = % of partition-replicas reassigned (ideal: 20% for the fifth zone)`)
  console.log(line(header))
  for (const r of rows) console.log(line(r))
}
