/**
 * Recorded hardware for the health tests and the console's e2e: smartctl JSON documents of
 * SATA, SAS and NVMe drives (healthy and failing), a systeminformation sample, /proc files,
 * and a `RecordedHardware` source that replays them (with counters it can advance).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StateDb } from '../../src/store/state-db.js'
import { parseDiskstats, parseNetDev, type CpuFigures, type DiskCounters, type FsUsage, type HardwareSource, type MemFigures, type NetCounters, type TempFigures } from '../../src/health/hardware.js'

// dist/appliance/test/harness → appliance/test/fixtures in the source tree
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../appliance/test/fixtures')

/** The disks service's own recorded smartctl documents (issue 13), written independently of ours. */
export function disksSmartFixtures(): { name: string; doc: unknown }[] {
  const dir = resolve(FIXTURES, 'smart-disks')
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => ({ name: f.slice(0, -5), doc: JSON.parse(readFileSync(join(dir, f), 'utf8')) }))
}

export const SMART_FIXTURES = ['sata-healthy', 'sata-failing', 'sas-healthy', 'sas-failing', 'nvme-healthy', 'nvme-failing'] as const
export type SmartFixture = (typeof SMART_FIXTURES)[number]

export function smartFixture(name: SmartFixture): Record<string, any> {
  return JSON.parse(readFileSync(resolve(FIXTURES, 'smart', `${name}.json`), 'utf8'))
}

/**
 * A temp directory of recorded smartctl documents named as a box's devices — sda healthy
 * SATA, sdb failing SATA, nvme0 healthy NVMe — for `health.smartRecordedDir`. The caller removes it.
 */
export function recordedSmartDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velox-smart-'))
  copyFileSync(resolve(FIXTURES, 'smart', 'sata-healthy.json'), join(dir, 'sda.json'))
  copyFileSync(resolve(FIXTURES, 'smart', 'sata-failing.json'), join(dir, 'sdb.json'))
  copyFileSync(resolve(FIXTURES, 'smart', 'nvme-healthy.json'), join(dir, 'nvme0.json'))
  return dir
}

export function healthFixtureText(name: string): string {
  return readFileSync(resolve(FIXTURES, 'health', name), 'utf8')
}

/** A fresh state database in a temp dir for each test (mocha hooks), handed to `use`; closed and removed after. */
export function tempStateDb(use: (db: StateDb) => void): void {
  let dir = ''
  let db: StateDb | undefined
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'velox-health-db-'))
    db = await StateDb.open(dir)
    use(db)
  })
  afterEach(async () => {
    await db?.close()
    rmSync(dir, { recursive: true, force: true })
  })
}

/** A SATA drive whose reallocated/pending counts are set (for a disk degrading over time). */
export function sataWith(counts: { reallocated?: number; pending?: number; passed?: boolean; temperatureC?: number }): Record<string, any> {
  const doc = smartFixture('sata-healthy')
  for (const a of doc.ata_smart_attributes.table) {
    if (a.id === 5 && counts.reallocated !== undefined) a.raw = { value: counts.reallocated, string: String(counts.reallocated) }
    if (a.id === 197 && counts.pending !== undefined) a.raw = { value: counts.pending, string: String(counts.pending) }
  }
  if (counts.passed !== undefined) doc.smart_status.passed = counts.passed
  if (counts.temperatureC !== undefined) doc.temperature.current = counts.temperatureC
  return doc
}

/** Replays the recorded systeminformation sample and /proc files; tests move counters forward. */
export class RecordedHardware implements HardwareSource {
  private readonly si = JSON.parse(healthFixtureText('si-sample.json'))
  net: NetCounters[]
  disks: DiskCounters[]
  fs: FsUsage[]
  temps: TempFigures

  constructor() {
    this.net = parseNetDev(healthFixtureText('net-dev.txt')).map((n) => ({ ...n, up: true, speedMbps: n.name === 'lo' ? undefined : 1000 }))
    this.disks = parseDiskstats(healthFixtureText('diskstats-0.txt'))
    this.fs = this.si.fsSize.map((f: any) => ({ device: f.fs.slice(5), mount: f.mount, sizeBytes: f.size, usedBytes: f.used }))
    this.temps = { cpuC: this.si.cpuTemperature.main, coresC: this.si.cpuTemperature.cores, chipsetC: this.si.cpuTemperature.chipset }
  }

  /** The second recorded /proc/diskstats (10 s after the first). */
  advanceDisks(): void {
    this.disks = parseDiskstats(healthFixtureText('diskstats-1.txt'))
  }

  async cpu(): Promise<CpuFigures> {
    const l = this.si.currentLoad
    return { loadPct: l.currentLoad, coresPct: l.cpus.map((c: { load: number }) => c.load), load1: l.avgLoad }
  }
  async memory(): Promise<MemFigures> {
    const m = this.si.mem
    return { totalBytes: m.total, usedBytes: m.total - m.available, availableBytes: m.available, swapUsedBytes: m.swapused }
  }
  async temperatures(): Promise<TempFigures> {
    return this.temps
  }
  async fans(): Promise<{ name: string; rpm: number }[]> {
    return this.si.fans
  }
  async network(): Promise<NetCounters[]> {
    return this.net.map((n) => ({ ...n }))
  }
  async diskstats(): Promise<DiskCounters[]> {
    return this.disks
  }
  async filesystems(): Promise<FsUsage[]> {
    return this.fs
  }
}

/** A webhook receiver on loopback: the JSON bodies it got (and when), answering the statuses in `answers` in turn, then 204. */
export async function jsonReceiver(): Promise<{ url: string; bodies: any[]; at: number[]; answers: number[]; close(): Promise<void> }> {
  const r = { url: '', bodies: [] as any[], at: [] as number[], answers: [] as number[], close: () => new Promise<void>((done) => server.close(() => done())) }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      r.at.push(Date.now())
      r.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      res.statusCode = r.answers.shift() ?? 204
      res.end()
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()))
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  return r
}
