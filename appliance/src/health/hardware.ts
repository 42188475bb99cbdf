/**
 * Where hardware figures come from: the `HardwareSource` seam (tests feed recorded
 * systeminformation samples and /proc files) and its real implementation, the only import of
 * systeminformation in Velox (memory). Cheap counters (/proc/net/dev,
 * /proc/diskstats, /sys/class/net, hwmon temperatures and fans) are read as files under `sysRoot` so tests point them at fixture trees; what
 * the VM lacks (temperatures, fans, link speed) comes back empty, never as an error.
 */
import { readFile, readdir, statfs } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import si from 'systeminformation'

export interface CpuFigures {
  loadPct: number
  coresPct: number[]
  load1: number
}
export interface MemFigures {
  totalBytes: number
  usedBytes: number
  availableBytes: number
  swapUsedBytes: number
}
export interface TempFigures {
  cpuC?: number
  coresC: number[]
  chipsetC?: number
}
export interface NetCounters {
  name: string
  up: boolean
  /** Negotiated speed in Mb/s; undefined where the driver does not say (virtual NICs). */
  speedMbps?: number
  rxBytes: number
  txBytes: number
  rxPackets: number
  txPackets: number
  rxErrors: number
  txErrors: number
  rxDropped: number
  txDropped: number
}
export interface DiskCounters {
  name: string
  reads: number
  writes: number
  sectorsRead: number
  sectorsWritten: number
  msReading: number
  msWriting: number
  msIo: number
}
export interface FsUsage {
  device: string
  mount: string
  sizeBytes: number
  usedBytes: number
}

export interface HardwareSource {
  cpu(): Promise<CpuFigures>
  memory(): Promise<MemFigures>
  temperatures(): Promise<TempFigures>
  fans(): Promise<{ name: string; rpm: number }[]>
  network(): Promise<NetCounters[]>
  diskstats(): Promise<DiskCounters[]>
  filesystems(): Promise<FsUsage[]>
}

/** /proc/net/dev: name: rx bytes packets errs drop fifo frame compressed multicast, tx bytes packets errs drop … */
export function parseNetDev(text: string): Omit<NetCounters, 'up' | 'speedMbps'>[] {
  const out: Omit<NetCounters, 'up' | 'speedMbps'>[] = []
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line)
    if (!m) continue
    const f = m[2].trim().split(/\s+/).map(Number)
    out.push({ name: m[1], rxBytes: f[0], rxPackets: f[1], rxErrors: f[2], rxDropped: f[3], txBytes: f[8], txPackets: f[9], txErrors: f[10], txDropped: f[11] })
  }
  return out
}

/** /proc/stat's "cpu" lines (all, then cpu0, cpu1, …): user nice system idle iowait irq softirq steal, in ticks. */
export function parseProcStat(text: string): number[][] {
  return text
    .split('\n')
    .filter((l) => /^cpu\d* /.test(l))
    .map((l) => l.trim().split(/\s+/).slice(1, 9).map(Number))
}

/** /proc/diskstats (Documentation/admin-guide/iostats.rst); partitions and ram/loop devices with no I/O are kept, the caller filters. */
export function parseDiskstats(text: string): DiskCounters[] {
  const out: DiskCounters[] = []
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 14) continue
    const n = f.map(Number)
    out.push({ name: f[2], reads: n[3], sectorsRead: n[5], msReading: n[6], writes: n[7], sectorsWritten: n[9], msWriting: n[10], msIo: n[12] })
  }
  return out
}

/** Whole disks only (sda, vda, nvme0n1, md0), not their partitions nor ram/loop devices. */
export function isWholeDisk(name: string): boolean {
  return /^(sd[a-z]+|vd[a-z]+|hd[a-z]+|xvd[a-z]+|nvme\d+n\d+|md\d+)$/.test(name)
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return undefined
  }
}

/** The real source on this machine. */
export class SystemHardware implements HardwareSource {
  constructor(private readonly sysRoot = '/') {}

  private lastStat?: number[][]

  /**
   * CPU load from /proc/stat deltas between calls (the first call: since boot).
   * systeminformation's currentLoad runs `cat /proc/stat | grep cpu` through a shell with
   * execSync, blocking the event loop for a fork every call: 1.5 s of CPU a minute here.
   */
  async cpu(): Promise<CpuFigures> {
    const rows = parseProcStat((await readText(join(this.sysRoot, 'proc/stat'))) ?? '')
    const prev = this.lastStat
    this.lastStat = rows
    const pct = (now: number[], before?: number[]) => {
      const busy = (r: number[]) => r.reduce((a, b) => a + b, 0) - r[3] - (r[4] ?? 0)
      const total = (r: number[]) => r.reduce((a, b) => a + b, 0)
      const dt = total(now) - (before ? total(before) : 0)
      return dt > 0 ? (100 * (busy(now) - (before ? busy(before) : 0))) / dt : 0
    }
    const [all, ...cores] = rows
    return { loadPct: all ? pct(all, prev?.[0]) : 0, coresPct: cores.map((c, i) => pct(c, prev?.[i + 1])), load1: loadavg()[0] }
  }

  async memory(): Promise<MemFigures> {
    const m = await si.mem()
    return { totalBytes: m.total, usedBytes: m.total - m.available, availableBytes: m.available, swapUsedBytes: m.swapused }
  }

  /**
   * hwmon sensors read as files (systeminformation's cpuTemperature forks `sensors` and more
   * each call: ~25 ms of CPU here, too much every 30 s): coretemp/k10temp/zenpower give the
   * CPU (package first, then cores), a PCH or ACPI zone the chipset.
   */
  async temperatures(): Promise<TempFigures> {
    const base = join(this.sysRoot, 'sys/class/hwmon')
    const out: TempFigures = { coresC: [] }
    for (const hw of await readdir(base).catch(() => [] as string[])) {
      const name = (await readText(join(base, hw, 'name')))?.trim() ?? ''
      const files = (await readdir(join(base, hw)).catch(() => [] as string[])).filter((f) => /^temp\d+_input$/.test(f)).sort((a, b) => parseInt(a.slice(4)) - parseInt(b.slice(4)))
      const temps: { label: string; c: number }[] = []
      for (const f of files) {
        const milli = Number((await readText(join(base, hw, f)))?.trim())
        const label = (await readText(join(base, hw, f.replace('_input', '_label'))))?.trim() ?? ''
        if (Number.isFinite(milli) && milli > 0) temps.push({ label, c: milli / 1000 })
      }
      if (!temps.length) continue
      if (/^(coretemp|k10temp|zenpower|cpu_thermal)$/.test(name)) {
        const pkg = temps.find((t) => /package|tctl|tdie/i.test(t.label)) ?? temps[0]
        out.cpuC ??= pkg.c
        for (const t of temps) if (/^core/i.test(t.label)) out.coresC.push(t.c)
      } else if (/^(pch_|acpitz)/.test(name)) out.chipsetC ??= temps[0].c
    }
    return out
  }

  async fans(): Promise<{ name: string; rpm: number }[]> {
    const base = join(this.sysRoot, 'sys/class/hwmon')
    const out: { name: string; rpm: number }[] = []
    for (const hw of await readdir(base).catch(() => [] as string[])) {
      for (const f of await readdir(join(base, hw)).catch(() => [] as string[])) {
        const m = /^(fan\d+)_input$/.exec(f)
        const v = m && Number((await readText(join(base, hw, f)))?.trim())
        if (m && Number.isFinite(v)) out.push({ name: `${hw}.${m[1]}`, rpm: v as number })
      }
    }
    return out
  }

  async network(): Promise<NetCounters[]> {
    const rows = parseNetDev((await readText(join(this.sysRoot, 'proc/net/dev'))) ?? '')
    return Promise.all(
      rows.map(async (r) => {
        const dir = join(this.sysRoot, 'sys/class/net', r.name)
        const state = (await readText(join(dir, 'operstate')))?.trim()
        const speed = Number((await readText(join(dir, 'speed')))?.trim())
        return { ...r, up: state === 'up' || (state === 'unknown' && r.name === 'lo'), speedMbps: speed > 0 ? speed : undefined }
      }),
    )
  }

  async diskstats(): Promise<DiskCounters[]> {
    return parseDiskstats((await readText(join(this.sysRoot, 'proc/diskstats'))) ?? '')
  }

  /**
   * Mounted block-device filesystems from /proc/self/mounts, sized with statfs (systeminformation's
   * fsSize forks df). A device mounted twice is counted once.
   */
  async filesystems(): Promise<FsUsage[]> {
    const out = new Map<string, FsUsage>()
    for (const line of ((await readText(join(this.sysRoot, 'proc/self/mounts'))) ?? '').split('\n')) {
      const [source, mountRaw] = line.split(' ')
      if (!source?.startsWith('/dev/') || !mountRaw || out.has(source)) continue
      const mount = mountRaw.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)))
      const st = await statfs(mount).catch(() => undefined)
      if (!st || st.blocks === 0) continue
      out.set(source, { device: source.slice(5), mount, sizeBytes: st.blocks * st.bsize, usedBytes: (st.blocks - st.bfree) * st.bsize })
    }
    return [...out.values()]
  }
}
