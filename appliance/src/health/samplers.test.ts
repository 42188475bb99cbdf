import { expect } from 'chai'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RecordedHardware, healthFixtureText } from '../../test/harness/health-fixtures.js'
import { SystemHardware, isWholeDisk, parseDiskstats, parseNetDev, parseProcStat } from './hardware.js'
import { DEFAULT_INTERVALS_MS, Rates, hardwareSamplers, processSampler, storageSampler } from './samplers.js'
import { StorageCounters } from './storage-counters.js'

const T0 = Date.UTC(2026, 0, 5)
const byName = (hw: RecordedHardware) => Object.fromEntries(hardwareSamplers(hw).map((s) => [s.name, s]))

describe('health/samplers on recorded data', () => {
  it('parses /proc/net/dev and /proc/diskstats', () => {
    const net = parseNetDev(healthFixtureText('net-dev.txt'))
    expect(net.map((n) => n.name)).to.include('lo')
    const d = parseDiskstats(healthFixtureText('diskstats-0.txt'))
    expect(d[0]).to.deep.equal({ name: 'vda', reads: 120000, sectorsRead: 9600000, msReading: 60000, writes: 80000, sectorsWritten: 6400000, msWriting: 40000, msIo: 50000 })
    expect(d.filter((x) => isWholeDisk(x.name)).map((x) => x.name)).to.deep.equal(['vda', 'sda'])
  })

  it('reads CPU per core, memory, temperatures, fans and filesystems from a systeminformation sample', async () => {
    const s = byName(new RecordedHardware())
    expect(await s.cpu.sample(T0)).to.deep.include({ 'cpu.load_pct': 12.5, 'cpu.core.3.load_pct': 16, 'cpu.load1': 0.42 })
    expect((await s.memory.sample(T0))['mem.used_pct']).to.be.closeTo(25, 0.01)
    expect(await s.temperatures.sample(T0)).to.deep.include({ 'temp.cpu_c': 48, 'temp.chipset_c': 52, 'temp.core.1_c': 49 })
    expect(await s.fans.sample(T0)).to.deep.equal({ 'fan.hwmon2_fan1.rpm': 1180, 'fan.hwmon2_fan2.rpm': 1210 })
    expect((await s.filesystems.sample(T0))['fs.sda1.used_pct']).to.equal(85)
  })

  it('turns /proc/diskstats counters into ops/s, bytes/s, latency and utilisation', async () => {
    const hw = new RecordedHardware()
    const io = byName(hw).io
    expect(await io.sample(T0)).to.deep.equal({}) // first reading: no rates yet
    hw.advanceDisks()
    const v = await io.sample(T0 + 10_000)
    expect(v).to.deep.include({ 'io.vda.read_ops_per_s': 100, 'io.vda.write_ops_per_s': 100, 'io.vda.read_bytes_per_s': 80000 * 512 / 10, 'io.vda.util_pct': 50, 'io.vda.latency_ms': 1 })
    expect(v['io.sda.read_ops_per_s']).to.equal(0)
    expect(Object.keys(v).some((k) => k.startsWith('io.vda1') || k.startsWith('io.loop'))).to.equal(false)
  })

  it('gives link state, speed and per-second network rates, and no rate across a counter reset', async () => {
    const hw = new RecordedHardware()
    const net = byName(hw).network
    const eth = hw.net.find((n) => n.name !== 'lo')!
    await net.sample(T0)
    eth.rxBytes += 1_250_000
    eth.rxErrors += 3
    let v = await net.sample(T0 + 10_000)
    expect(v).to.deep.include({ [`net.${eth.name}.up`]: 1, [`net.${eth.name}.speed_mbps`]: 1000, [`net.${eth.name}.rx_bytes_per_s`]: 125_000, [`net.${eth.name}.rx_errors_per_s`]: 0.3 })
    eth.rxBytes = 0
    eth.up = false
    v = await net.sample(T0 + 20_000)
    expect(v[`net.${eth.name}.up`]).to.equal(0)
    expect(v).to.not.have.property(`net.${eth.name}.rx_bytes_per_s`)
  })

  it('counts the storage layer by verb and status class, and per device', async () => {
    const c = new StorageCounters()
    const s = storageSampler(c, 10_000)
    await s.sample(T0)
    for (let i = 0; i < 50; i++) c.countRequest('PUT', 201)
    c.countRequest('GET', 404)
    c.auditPass('d1', { quarantined: 2, errors: 1 })
    const v = await s.sample(T0 + 10_000)
    expect(v).to.deep.include({ 'storage.quarantined_total': 2, 'storage.auditor_errors_total': 1 })
    expect(v['swift.requests.PUT.2xx_per_s']).to.equal(undefined) // first time this key is seen
    for (let i = 0; i < 20; i++) c.countRequest('PUT', 201)
    expect((await s.sample(T0 + 20_000))['swift.requests.PUT.2xx_per_s']).to.equal(2)
    expect(c.deviceTotals('d1')).to.deep.equal({ quarantined: 2, auditorErrors: 1, ioErrors: 0 })
  })

  it('Rates ignores a clock that did not move', () => {
    const r = new Rates()
    r.rate('x', 10, 1)
    expect(r.rate('x', 10, 5)).to.equal(undefined)
  })
})

describe('health/samplers: hwmon files under a fixture sysRoot', () => {
  it('reads CPU package and core temperatures, the chipset, and fans from /sys/class/hwmon', async () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../appliance/test/fixtures/health')
    const hw = new SystemHardware(root)
    expect(await hw.temperatures()).to.deep.equal({ cpuC: 51, coresC: [49, 50], chipsetC: 44 })
    expect(await hw.fans()).to.deep.equal([{ name: 'hwmon2.fan1', rpm: 1180 }, { name: 'hwmon2.fan2', rpm: 0 }])
  })

  it('reads CPU load per core from /proc/stat (busy = all but idle and iowait)', async () => {
    const hw = new SystemHardware(resolve(dirname(fileURLToPath(import.meta.url)), '../../../../appliance/test/fixtures/health'))
    const c = await hw.cpu()
    expect(c.loadPct).to.equal(20)
    expect(c.coresPct).to.deep.equal([20, 20])
    expect(parseProcStat('cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 1 1 1 1 1 1 1\nintr 5')).to.deep.equal([[1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 1, 1, 1, 1]])
  })
})

describe('health/samplers on this machine (real readers)', () => {
  it('every real sampler answers without throwing, tolerating what the VM lacks', async function () {
    this.timeout(30_000)
    const samplers = hardwareSamplers(new SystemHardware('/'), DEFAULT_INTERVALS_MS)
    const all: Record<string, number> = {}
    for (let round = 0; round < 2; round++) {
      for (const s of samplers) Object.assign(all, await s.sample(Date.now()))
      await new Promise((r) => setTimeout(r, 300))
    }
    expect(all['cpu.load_pct']).to.be.within(0, 100)
    expect(all['mem.total_bytes']).to.be.greaterThan(0)
    expect(all['net.lo.up']).to.equal(1)
    expect(Object.keys(all).some((k) => /^io\..+\.read_ops_per_s$/.test(k))).to.equal(true)
    expect(Object.keys(all).some((k) => /^fs\..+\.used_pct$/.test(k))).to.equal(true)
    const p = processSampler(10_000)
    await new Promise((r) => setTimeout(r, 100))
    const v = await p.sample(Date.now())
    p.stop()
    expect(v['process.rss_bytes']).to.be.greaterThan(10 * 1024 * 1024)
    expect(v['process.open_fds']).to.be.greaterThan(2)
  })
})
