/**
 * The real `velox serve` in a child process on a temp data dir and a free loopback port, for
 * tests about the process itself (does it survive a request, does it stay under its fd limit):
 * a crash of the server must fail the test, not kill the test runner. Users are seeded into
 * the data dir before the start; `lines` collects the JSON log lines the process writes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UserDirectory, usersFilePath } from '../../src/identity/users.js'
import { TESTER, type TestUser } from './test-appliance.js'

export interface ServeProcess {
  url: string
  dataDir: string
  child: ChildProcess
  /** Parsed JSON log lines written so far. */
  lines: Array<Record<string, unknown>>
  /** Exit code once the process has exited (null while it runs). */
  exitCode(): number | null
  /** Authenticates and returns { token, storageUrl }. */
  auth(user?: TestUser): Promise<{ token: string; storageUrl: string }>
  stop(): Promise<void>
}

/** dist/tools/cli/main.js, resolved from this compiled file (dist/appliance/test/harness/). */
function cliPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tools', 'cli', 'main.js')
}

export async function startServeProcess(opts: { users?: TestUser[]; config?: object; nodeArgs?: string[]; ulimitNoFile?: number } = {}): Promise<ServeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'velox-serve-'))
  const users = new UserDirectory(usersFilePath(dataDir))
  for (const u of opts.users ?? [TESTER]) await users.add(u)
  const configFile = join(dataDir, 'velox.json')
  writeFileSync(configFile, JSON.stringify({ log: { level: 'info', requests: true }, ...opts.config }))
  const argv = [...(opts.nodeArgs ?? []), cliPath(), 'serve', '--data', dataDir, '--bind', '127.0.0.1:0', '--config', configFile]
  // A lowered descriptor limit needs the shell's ulimit (Node cannot set its own rlimit).
  const child = opts.ulimitNoFile
    ? spawn('/bin/sh', ['-c', `ulimit -n ${opts.ulimitNoFile} && exec "$0" "$@"`, process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: Array<Record<string, unknown>> = []
  let partial = ''
  child.stdout!.on('data', (d: Buffer) => {
    partial += d.toString()
    const parts = partial.split('\n')
    partial = parts.pop() ?? ''
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>)
      } catch {
        lines.push({ text: p })
      }
    }
  })
  let code: number | null = null
  const exited = new Promise<void>((resolve) => child.once('exit', (c, sig) => {
    code = c ?? (sig ? 128 : 1)
    resolve()
  }))
  const url = await new Promise<string>((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const m = /Swift auth URL : (http:\/\/\S+)\/auth\/v1\.0/.exec(err)
      if (m) resolve(m[1])
    })
    void exited.then(() => reject(new Error(`velox serve exited with ${code}: ${err.slice(-2000)}`)))
  })
  return {
    url,
    dataDir,
    child,
    lines,
    exitCode: () => code,
    async auth(u = TESTER) {
      const r = await fetch(`${url}/auth/v1.0`, { headers: { 'X-Auth-User': `${u.account}:${u.user}`, 'X-Auth-Key': u.key } })
      if (r.status !== 200) throw new Error(`auth failed: ${r.status}`)
      return { token: r.headers.get('x-auth-token') as string, storageUrl: r.headers.get('x-storage-url') as string }
    },
    async stop() {
      if (code === null) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(killer)
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
