/**
 * Burn-in jobs across restarts: a job whose process is killed mid-run (a real child process,
 * SIGKILL) comes back as interrupted with its phase and a "run it again", no longer blocks a
 * new burn-in of the disk, and finished jobs are still there after a restart; a job another
 * live process runs (the CLI beside the appliance) is seen as running and followed to its end.
 */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JobTable } from './jobs.js'

const JOBS_JS = join(dirname(fileURLToPath(import.meta.url)), 'jobs.js')

/** A process that starts a burn-in job in the write phase, says its id, and waits to be killed. */
async function killedMidJob(path: string): Promise<string> {
  const script = `const { JobTable } = await import(${JSON.stringify(JOBS_JS)});
    const t = new JobTable(${JSON.stringify(path)}); const j = t.create('disk-a', 'burn-in', 100);
    j.progress = 0.42; t.phase(j, 'write'); process.stdout.write(j.id + '\\n'); setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const id = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (b: Buffer) => resolve(b.toString().trim()))
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)))
  })
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGKILL')
  await exited
  return id
}

describe('disk jobs survive a restart', function () {
  this.timeout(30_000)
  let dir: string
  let path: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'velox-jobs-'))
    path = join(dir, 'disk-jobs.json')
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('shows a job whose process was killed as interrupted, with its phase, and lets it run again', async () => {
    const id = await killedMidJob(path)
    // Before any restart, another process already sees it is no longer running.
    const t = new JobTable(path)
    const j = t.get(id)
    expect(j).to.include({ state: 'interrupted', diskId: 'disk-a', phase: 'write' })
    expect(j.message).to.match(/interrupted in its write phase at 42 %.*run the burn-in again/)
    expect(t.latestFor('disk-a')?.id).to.equal(id)
    expect(t.runningFor('disk-a')).to.equal(undefined)
    // Run again: a new job, and the interrupted one is kept (this process now owns it).
    const again = t.create('disk-a', 'burn-in', 100)
    t.finish(again, 'passed', 'ok')
    const after = new JobTable(path)
    expect(after.get(id).state).to.equal('interrupted')
    expect(after.get(again.id).state).to.equal('passed')
    expect(after.latestFor('disk-a')?.id).to.equal(again.id)
  })

  it('treats a running job under its own pid as an earlier process\'s (a container restarts as pid 1)', () => {
    const job = { id: 'j1', diskId: 'disk-b', kind: 'burn-in', state: 'running', phase: 'read-verify', progress: 0.9, bytesDone: 90, bytesTotal: 100, mbps: 1, message: '', startedAt: new Date().toISOString(), finishedAt: null, pid: process.pid }
    writeFileSync(path, JSON.stringify({ jobs: [job] }))
    expect(new JobTable(path).get('j1')).to.include({ state: 'interrupted', phase: 'read-verify' })
    expect(JSON.parse(readFileSync(path, 'utf8')).jobs[0].state).to.equal('interrupted')
  })

  it('sees a job of another live process as running until that process finishes it', () => {
    const job = { id: 'j2', diskId: 'disk-c', kind: 'burn-in', state: 'running', phase: 'write', progress: 0.1, bytesDone: 10, bytesTotal: 100, mbps: 1, message: '', startedAt: new Date().toISOString(), finishedAt: null, pid: 1 }
    writeFileSync(path, JSON.stringify({ jobs: [job] }))
    const t = new JobTable(path)
    expect(t.runningFor('disk-c')?.id).to.equal('j2')
    t.finish(t.create('disk-d', 'burn-in', 1), 'failed', 'bad zone') // writing keeps the other's job
    writeFileSync(path, JSON.stringify({ jobs: [...JSON.parse(readFileSync(path, 'utf8')).jobs.filter((j: { id: string }) => j.id !== 'j2'), { ...job, state: 'passed', phase: 'done', progress: 1, finishedAt: new Date().toISOString() }] }))
    expect(t.get('j2').state).to.equal('passed')
    expect(t.runningFor('disk-c')).to.equal(undefined)
  })
})
