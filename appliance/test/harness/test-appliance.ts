/**
 * Starts a real appliance in process on a temp data dir and a free loopback port, with
 * users, for integration tests; `stop()` shuts it down and removes the dir (unless kept).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type ConfigOverrides } from '../../src/config/index.js'
import { UserDirectory, usersFilePath } from '../../src/identity/users.js'
import { silentLog, type Log } from '../../src/lib/log.js'
import { startAppliance, type Appliance } from '../../src/main.js'

export interface TestUser {
  account: string
  user: string
  key: string
  admin?: boolean
  resellerAdmin?: boolean
  groups?: string[]
}

export const TESTER: TestUser = { account: 'test', user: 'tester', key: 'testing', admin: true }

export interface TestAppliance {
  app: Appliance
  url: string
  dataDir: string
  /** Authenticates and returns { token, storageUrl }. */
  auth(user?: TestUser): Promise<{ token: string; storageUrl: string }>
  stop(opts?: { keepData?: boolean }): Promise<void>
}

export async function startTestAppliance(opts: { users?: TestUser[]; dataDir?: string; flags?: ConfigOverrides; log?: Log } = {}): Promise<TestAppliance> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'velox-test-'))
  const users = new UserDirectory(usersFilePath(dataDir))
  for (const u of opts.users ?? [TESTER]) {
    if (!(await users.get(u.account, u.user))) await users.add(u)
  }
  const config = loadConfig({
    // The health console samples the host on timers: off unless a test asks for it, so that
    // the suite's many appliances do not all sample the same machine. The replicator stays off
    // unless a test turns it on: it would repair what a test breaks on purpose.
    flags: { dataDir, bind: { host: '127.0.0.1', port: 0 }, log: { level: 'error', requests: false }, health: { enabled: false }, replicator: { enabled: false }, ...opts.flags },
    env: {},
  })
  const app = await startAppliance(config, opts.log ?? silentLog)
  return {
    app,
    url: app.url,
    dataDir,
    async auth(u = TESTER) {
      const r = await fetch(`${app.url}/auth/v1.0`, { headers: { 'X-Auth-User': `${u.account}:${u.user}`, 'X-Auth-Key': u.key } })
      if (r.status !== 200) throw new Error(`auth failed: ${r.status}`)
      return { token: r.headers.get('x-auth-token') as string, storageUrl: r.headers.get('x-storage-url') as string }
    },
    async stop({ keepData = false } = {}) {
      await app.stop()
      if (!keepData) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
