/**
 * This process's own resource limits, read from /proc/self/limits (Linux). No Velox imports:
 * the HTTP layer sizes its connection cap from it without touching files itself.
 */
import { readFileSync } from 'node:fs'

/** The soft limit on open files of this process, undefined when unknown. */
export function openFilesLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}
