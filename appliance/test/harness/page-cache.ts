/**
 * Looking at the page cache from a test: how much of a file is resident (util-linux fincore,
 * i.e. mincore(2)), and a scratch directory whose files have a page cache to look at (tmpfs
 * files are their pages: nothing there can be dropped).
 */
import { execFileSync } from 'node:child_process'
import { statfsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const TMPFS_MAGIC = 0x01021994

/** Bytes of `path` resident in the page cache. */
export function residentBytes(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim())
}

/** A fresh directory on a disk-backed filesystem: the system temp dir unless it is tmpfs, then
 *  one under the working directory (the repository, where `/.velox-*` is ignored). */
export async function diskScratchDir(prefix = 'velox-page-cache-'): Promise<{ dir: string; remove(): Promise<void> }> {
  const base = statfsSync(tmpdir()).type === TMPFS_MAGIC ? process.cwd() : tmpdir()
  const dir = await mkdtemp(join(base, `.${prefix}`))
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Polls `probe` until it returns true or `ms` pass (a drop runs after the PUT has answered). */
export async function eventually(probe: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms
  for (;;) {
    if (probe()) return true
    if (Date.now() > until) return false
    await new Promise((r) => setTimeout(r, 25))
  }
}
