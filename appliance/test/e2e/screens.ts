/**
 * What the files-app e2e files of issue 16 share: an appliance serving web/dist with a
 * signed-in owner (WebClient) and a signed-in Chromium page, skipping (saying why) when
 * Chromium is missing; and screenshots of a new page as the issue notes want them: desktop
 * (1280 px) and phone (375 px) width, light and dark, named `<name>-<width>-<scheme>.png`.
 * (No DOM types.)
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startTestAppliance, type TestAppliance, type TestUser } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { CHROMIUM, CHROMIUM_ARGS, ROOT, SHOTS, signIn } from './support.js'

export interface WebApp {
  v: TestAppliance
  owner: WebClient
  browser: Browser
  page: Page
  stop(): Promise<void>
}

/** Call from `before` with its `this`; `prepare` fills the appliance before the browser signs in. */
export async function startWebApp(ctx: Mocha.Context, prepare: (owner: WebClient) => Promise<void> = async () => undefined, opts: { users?: TestUser[] } = {}): Promise<WebApp> {
  if (!existsSync(CHROMIUM)) {
    console.log(`      skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
    ctx.skip()
  }
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist is missing: run make build first')
  mkdirSync(SHOTS, { recursive: true })
  const v = await startTestAppliance({ users: opts.users, flags: { web: { distDir: join(ROOT, 'web', 'dist'), sessionLifeSec: 3600 } } })
  let browser: Browser | undefined
  try {
    const owner = new WebClient(v.url)
    await owner.login()
    await prepare(owner)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage()
    await signIn(page, v.url)
    const b = browser
    return { v, owner, browser: b, page, stop: async () => { await b.close(); await v.stop() } }
  } catch (err) {
    await browser?.close()
    await v.stop()
    throw err
  }
}

export async function shotsLightDark(page: Page, name: string): Promise<void> {
  for (const [w, h, tag] of [[1280, 860, 'desktop'], [375, 812, 'phone']] as const) {
    await page.setViewportSize({ width: w, height: h })
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      await page.screenshot({ path: join(SHOTS, `${name}-${tag}-${scheme}.png`), fullPage: true })
    }
  }
  await page.setViewportSize({ width: 1280, height: 860 })
  await page.emulateMedia({ colorScheme: 'light' })
}
