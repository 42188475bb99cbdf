/**
 * Quarantine: moves a bad object's whole hash directory to `<root>/quarantined/objects/<hash>`
 * (with a random suffix when that name is taken), so it is never served again and replication
 * restores a good copy from another replica (Swift `quarantine_renamer`).
 * Owns the move only; it must not decide what is bad (callers do) nor delete anything.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { hasCode, translateOsError } from '../os-errors.js'
import { devicePaths } from './layout.js'

export interface QuarantineEvent {
  hashDir: string
  to: string
  reason: string
}

/**
 * Returns where the directory went, or undefined when it was already gone (quarantined or
 * removed by someone else meanwhile).
 */
export async function quarantineHashDir(root: string, hashDir: string, reason: string): Promise<QuarantineEvent | undefined> {
  const dest = devicePaths(root).quarantined
  try {
    await mkdir(dest, { recursive: true })
    let to = join(dest, basename(hashDir))
    try {
      await rename(hashDir, to)
    } catch (err) {
      if (!hasCode(err, 'EEXIST', 'ENOTEMPTY')) throw err
      to = `${to}-${randomBytes(8).toString('hex')}`
      await rename(hashDir, to)
    }
    return { hashDir, to, reason }
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return undefined
    throw translateOsError(err, 'quarantine object')
  }
}
