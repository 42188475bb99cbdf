/**
 * A real OpenStack Swift all-in-one (Debian's Swift 2.30 packages) for differential tests:
 * starts the copied SAIO scripts (harness/saio/start.sh, stop.sh) on free loopback ports in a
 * temp dir with plain device dirs, and stops exactly that SAIO again. `saioAvailable()` tells
 * a suite whether it can run here at all (CI installs the packages through the Makefile).
 */
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The scripts live beside the TypeScript source; tests run from dist/, so resolve from the repo root. */
function scriptDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, 'saio'), join(here, '..', '..', '..', '..', 'appliance', 'test', 'harness', 'saio')]
  const found = candidates.find((d) => existsSync(join(d, 'start.sh')))
  if (!found) throw new Error(`SAIO scripts not found (looked in ${candidates.join(', ')})`)
  return found
}

export const SWIFT_PROXY_SERVER = '/usr/bin/swift-proxy-server'

/** Why the real Swift cannot run here, or undefined when it can. */
export function saioUnavailableReason(): string | undefined {
  if (!existsSync(SWIFT_PROXY_SERVER)) return `${SWIFT_PROXY_SERVER} is not installed (apt-get install swift-proxy swift-account swift-container swift-object memcached)`
  return undefined
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

/** `count` consecutive free ports starting at a random base in 20000..59999. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 40000)
    let ok = true
    for (let p = base; p < base + count && ok; p++) ok = await portFree(p)
    if (ok) return base
  }
  throw new Error('no free port range found')
}

export interface Saio {
  /** The proxy's base URL, e.g. http://127.0.0.1:34567 */
  url: string
  baseDir: string
  /** Authenticates with tempauth (default test:tester / testing). */
  auth(user?: string, key?: string): Promise<{ token: string; storageUrl: string }>
  stop(): Promise<void>
}

/** Backend port bases tried first (36200, 36210, …), so that the ring cache below usually hits. */
const PREFERRED_BACKEND_PORTS = Array.from({ length: 8 }, (_, i) => 36200 + 10 * i)
const PART_POWER = 6

async function backendPortBase(): Promise<number> {
  for (const base of PREFERRED_BACKEND_PORTS) {
    if ((await Promise.all([0, 1, 2].map((i) => portFree(base + i)))).every(Boolean)) return base
  }
  return freePorts(3)
}

/**
 * Building the four rings is most of a SAIO's start time (24 swift-ring-builder runs, ~30 s).
 * start.sh keeps rings whose parameters match (etc/.ring-params), so rings built once for a
 * given backend port are kept in a cache dir and copied into each new SAIO.
 */
function ringCacheDir(replicas: number, backendPort: number): string {
  return join(tmpdir(), 'velox-saio-rings', `pp${PART_POWER}-r${replicas}-p${backendPort}`)
}

function isRingFile(name: string): boolean {
  return name.endsWith('.ring.gz') || name.endsWith('.builder') || name === '.ring-params'
}

function copyRings(from: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const name of readdirSync(from)) if (isRingFile(name)) copyFileSync(join(from, name), join(to, name))
}

/**
 * Starts a SAIO; rejects with start.sh's output when it does not come up. A start that loses
 * a port race with another process (start.sh refuses busy ports) is retried on other ports.
 */
export async function startSaio(opts: { replicas?: number; timeoutSec?: number } = {}): Promise<Saio> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSaioOnce(opts)
    } catch (err) {
      if (attempt >= 3 || !/already in use/.test((err as Error).message)) throw err
    }
  }
}

async function startSaioOnce(opts: { replicas?: number; timeoutSec?: number }): Promise<Saio> {
  const dir = scriptDir()
  const replicas = opts.replicas ?? 1
  const baseDir = mkdtempSync(join(tmpdir(), 'velox-saio-'))
  const proxyPort = await freePorts(1)
  const backendPort = await backendPortBase()
  const cache = ringCacheDir(replicas, backendPort)
  if (existsSync(join(cache, '.ring-params'))) copyRings(cache, join(baseDir, 'etc'))
  const env = {
    ...process.env,
    SAIO_FS: 'dir',
    SAIO_BACKEND_PORT: String(backendPort),
    SAIO_REPLICAS: String(replicas),
    SAIO_PART_POWER: String(PART_POWER),
    SAIO_START_TIMEOUT: String(opts.timeoutSec ?? 90),
    // A test SAIO holds nothing worth a long graceful shutdown.
    SAIO_STOP_GRACE: '5',
  }
  try {
    await run(join(dir, 'start.sh'), [baseDir, String(proxyPort)], { env, timeout: ((opts.timeoutSec ?? 90) + 60) * 1000 })
  } catch (err) {
    const e = err as { stderr?: string; message: string }
    await run(join(dir, 'stop.sh'), [baseDir], { env }).catch(() => undefined)
    rmSync(baseDir, { recursive: true, force: true })
    throw new Error(`SAIO did not start: ${e.message}\n${e.stderr ?? ''}`)
  }
  if (!existsSync(join(cache, '.ring-params'))) {
    // Fill the cache atomically: a concurrent run sees either no cache or a complete one.
    const tmp = `${cache}.${process.pid}`
    copyRings(join(baseDir, 'etc'), tmp)
    try {
      rmSync(cache, { recursive: true, force: true }) // an incomplete leftover, if any
      renameSync(tmp, cache)
    } catch {
      rmSync(tmp, { recursive: true, force: true })
    }
  }
  const url = `http://127.0.0.1:${proxyPort}`
  return {
    url,
    baseDir,
    async auth(user = 'test:tester', key = 'testing') {
      const r = await fetch(`${url}/auth/v1.0`, { headers: { 'X-Auth-User': user, 'X-Auth-Key': key } })
      if (r.status !== 200) throw new Error(`SAIO auth failed: ${r.status}`)
      return { token: r.headers.get('x-auth-token') as string, storageUrl: r.headers.get('x-storage-url') as string }
    },
    async stop() {
      await run(join(dir, 'stop.sh'), [baseDir], { env }).catch(() => undefined)
      rmSync(baseDir, { recursive: true, force: true })
    },
  }
}
