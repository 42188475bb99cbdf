/**
 * The replicator's bookkeeping without devices to move: a pass writes its report to the status
 * file that `velox replicator status` reads (human and JSON output), keeps the last reports,
 * and a ring change wakes the loop at once instead of after the interval.
 */
import { expect } from 'chai'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run as replicatorCli } from './replicator.js'
import { Replicator, readStatusFile, replicatorStatusPath, type ReplicationReport } from '../../appliance/src/cluster/replicator.js'
import type { Rings } from '../../appliance/src/cluster/placement.js'

describe('Replicator status', () => {
  let dataDir: string
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'velox-repl-status-'))))
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

  const replicator = (onPass?: (r: ReplicationReport) => void) =>
    new Replicator({
      devices: () => [],
      rings: () => ({}) as Rings,
      resolve: () => undefined,
      bytesPerSec: 1e6,
      filesPerSec: 100,
      intervalMs: 3_600_000,
      reclaimAgeSec: 604800,
      statusFile: replicatorStatusPath(dataDir),
      onPass,
    })

  it('writes each pass to the status file that the CLI prints', async () => {
    const r = replicator()
    await r.runOnce()
    await r.runOnce()
    expect(r.status().reports).to.have.length(2)
    const file = readStatusFile(replicatorStatusPath(dataDir))
    expect(file?.pid).to.equal(process.pid)
    expect(file?.reports.map((x) => x.partitionsChecked)).to.deep.equal([0, 0])
    const lines: string[] = []
    const log = console.log
    console.log = (line: string) => lines.push(line)
    try {
      expect(await replicatorCli(['status', '--data', dataDir])).to.equal(0)
      expect(await replicatorCli(['status', '--data', dataDir, '--json'])).to.equal(0)
    } finally {
      console.log = log
    }
    expect(lines[0]).to.match(/^appliance running \(pid \d+\)/)
    expect(lines[1]).to.match(/^started\s+time\s+parts\s+pushed/)
    const json = JSON.parse(lines[2]) as { running: boolean; reports: unknown[] }
    expect(json.running).to.equal(true)
    expect(json.reports).to.have.length(2)
  })

  it('starts the next pass at once when the ring changes', async () => {
    let passes = 0
    const r = replicator(() => passes++)
    r.start()
    try {
      while (passes < 1) await new Promise((res) => setTimeout(res, 10))
      r.ringChanged()
      const deadline = Date.now() + 5000
      while (passes < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10))
      expect(passes).to.equal(2)
    } finally {
      await r.stop()
    }
  })
})
