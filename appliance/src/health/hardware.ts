/**
 * Where hardware figures come from: the `HardwareSource` seam (tests feed recorded
 * systeminformation samples and /proc files) and its real implementation, the only import of
 * systeminformation in Velox. Cheap counters (/proc/net/dev, /proc/diskstats, /sys/class/net,
 * hwmon fans) are read as files under `sysRoot` so tests point them at fixture trees; what
 * the VM lacks (temperatures, fans, link speed) comes back empty, never as an error.
 */
import { readFile, readdir } from 'node:fs/promises'
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

  async cpu(): Promise<CpuFigures> {
    const l = await si.currentLoad()
    return { loadPct: l.currentLoad, coresPct: l.cpus.map((c) => c.load), load1: l.avgLoad }
  }

  async memory(): Promise<MemFigures> {
    const m = await si.mem()
    return { totalBytes: m.total, usedBytes: m.total - m.available, availableBytes: m.available, swapUsedBytes: m.swapused }
  }

  async temperatures(): Promise<TempFigures> {
    const t = await si.cpuTemperature()
    const ok = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined)
    return { cpuC: ok(t.main), coresC: (t.cores ?? []).filter((c) => ok(c) !== undefined), chipsetC: ok(t.chipset) }
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

  async filesystems(): Promise<FsUsage[]> {
    const list = await si.fsSize()
    return list.filter((f) => f.fs.startsWith('/dev/') && f.size > 0).map((f) => ({ device: f.fs.slice(5), mount: f.mount, sizeBytes: f.size, usedBytes: f.used }))
  }
}
