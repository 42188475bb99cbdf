/**
 * Ring weights for the devices of this box that are not disks Velox formatted: the embedded
 * default's directory devices (d1, d2, d3 under the devices root, created with weight 100
 * before any disk existed). Disks weigh their size in TiB (ring-placement.ts), so once a real
 * disk joins a ring, a directory device keeping 100 would claim the data of a 100 TiB disk.
 * Here it weighs what it can actually hold, in the same unit: its filesystem's size, shared
 * equally among the directory devices that sit on that one filesystem.
 * Owns this rule; it must not edit rings.
 */
import { readdirSync, statSync, statfsSync } from 'node:fs'
import { join } from 'node:path'
import { weightForSize } from './ring-placement.js'

/**
 * The TiB weight of device `name` under `devicesRoot`, or undefined when it is a disk
 * (`isDisk`: in the mount table) or not a directory here (another box's, or gone).
 */
export function directoryDeviceWeight(devicesRoot: string, name: string, isDisk: (name: string) => boolean): number | undefined {
  if (isDisk(name)) return undefined
  let dev: number
  let rootDev: number
  try {
    const st = statSync(join(devicesRoot, name))
    if (!st.isDirectory()) return undefined
    dev = st.dev
    rootDev = statSync(devicesRoot).dev
  } catch {
    return undefined
  }
  const fs = statfsSync(join(devicesRoot, name))
  const size = fs.blocks * fs.bsize
  // Mounted there by hand (its own filesystem): all of it. Else the devices root's filesystem,
  // shared by every directory device on it.
  if (dev !== rootDev) return weightForSize(size)
  const sharing = readdirSync(devicesRoot, { withFileTypes: true }).filter((e) => {
    if (!e.isDirectory() || isDisk(e.name)) return false
    try {
      return statSync(join(devicesRoot, e.name)).dev === rootDev
    } catch {
      return false
    }
  }).length
  return weightForSize(size / Math.max(1, sharing))
}
