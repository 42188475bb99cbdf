/**
 * axe-core in an e2e page (issue 16: no serious violations on any page): the serious and
 * critical violations of the page as it is now, as "id (impact): target" lines. (No DOM types.)
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { ROOT } from './support.js'

const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js')

export async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ path: AXE })
  const found = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')))`)) as string[]
  return found
}
