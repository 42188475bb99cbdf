/**
 * Shared fixtures of the store/db tests: a device root in a temp directory and timestamps.
 * Owns: nothing the appliance runs. Must not: be imported outside tests.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Timestamp } from '../../lib/timestamp.js'
import { LevelDeviceDatabases } from './device-databases.js'

/** Timestamp `n` ticks (10 µs) after a fixed instant, in internal form. */
export function ts(n: number): string {
  return new Timestamp(1_700_000_000_00000 + n).internal
}

export interface TempDevice {
  root: string
  dbs: LevelDeviceDatabases
  reopen(): Promise<LevelDeviceDatabases>
  remove(): Promise<void>
}

export async function tempDevice(): Promise<TempDevice> {
  const root = await mkdtemp(join(tmpdir(), 'velox-db-'))
  const device: TempDevice = {
    root,
    dbs: await LevelDeviceDatabases.open(root),
    async reopen() {
      await device.dbs.close()
      device.dbs = await LevelDeviceDatabases.open(root)
      return device.dbs
    },
    async remove() {
      await device.dbs.close()
      await rm(root, { recursive: true, force: true })
    },
  }
  return device
}
