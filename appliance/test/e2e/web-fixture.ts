/**
 * The set-up most browser e2e files of the files app share: skip (saying why) without
 * Chromium, the built web app, a test appliance serving it, the tester signed in over the
 * API (for seeding and checking through Swift), the given containers made, and Chromium
 * launched. `stop()` undoes it all. (Compiles without DOM types.)
 */
import { expect } from 'chai'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { startTestAppliance, type TestAppliance, type TestUser } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { CHROMIUM, CHROMIUM_ARGS, ROOT, ensureWebApp } from './support.js'

export interface WebFixture {
  v: TestAppliance
  owner: WebClient
  browser: Browser
  stop(): Promise<void>
}

/** Call from a `before` hook with its `this`; skips the suite when Chromium is missing. */
export async function startWebFixture(hook: Mocha.Context, containers: string[], users?: TestUser[]): Promise<WebFixture> {
  if (!existsSync(CHROMIUM)) {
    console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
    hook.skip()
  }
  ensureWebApp()
  const v = await startTestAppliance({ users, flags: { web: { distDir: join(ROOT, 'web', 'dist'), sessionLifeSec: 3600 } } })
  const owner = new WebClient(v.url)
  await owner.login()
  for (const c of containers) expect((await owner.fetch(`/v1/AUTH_test/${c}`, { method: 'PUT' })).status, c).to.equal(201)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  return {
    v,
    owner,
    browser,
    stop: async () => {
      await browser.close()
      await v.stop()
    },
  }
}
