/**
 * Screenshots of a new page as the issue notes want them: desktop (1280 px) and phone
 * (375 px) width, light and dark (prefers-color-scheme), named `<name>-<width>-<scheme>.png`
 * in SHOTS; the page is left at desktop width in light. (No DOM types.)
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { SHOTS } from './support.js'

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
