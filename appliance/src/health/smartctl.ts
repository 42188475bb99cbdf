/**
 * The real SMART reader: `smartctl --scan-open --json` to list devices and
 * `smartctl --json -a /dev/<name>` per device, with fixed argv through execFile (no shell).
 * Interim home: the one door to OS commands (`system/`) is being built in parallel (issue 13);
 * once it lands this calls it instead. Device names are validated before they reach argv.
 */
import { execFile } from 'node:child_process'
import { VeloxError } from '../errors.js'
import type { SmartSource } from './smart.js'

const SMARTCTL = '/usr/sbin/smartctl'
const DEVICE_NAME = /^(sd[a-z]{1,3}|nvme\d{1,3}(n\d{1,3})?|vd[a-z]{1,3}|hd[a-z]{1,3}|loop\d{1,4})$/
const TIMEOUT_MS = 20_000

/** smartctl exits with a bit mask (bit 3 = SMART failed, …) while still printing valid JSON. */
function runJson(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(SMARTCTL, args, { timeout: TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      try {
        resolve(JSON.parse(stdout))
      } catch {
        reject(new VeloxError('internal', `smartctl gave no JSON: ${err ? err.message : 'empty output'}`))
      }
    })
  })
}

export function validDeviceName(name: string): boolean {
  return DEVICE_NAME.test(name)
}

export class SmartctlSource implements SmartSource {
  async devices(): Promise<string[]> {
    const doc = (await runJson(['--scan-open', '--json'])) as { devices?: { name?: string }[] }
    return (doc.devices ?? []).map((d) => String(d.name ?? '').replace(/^\/dev\//, '')).filter(validDeviceName)
  }

  async read(device: string): Promise<unknown> {
    if (!validDeviceName(device)) throw new VeloxError('bad-request', `not a block device name: ${JSON.stringify(device)}`)
    return runJson(['--json', '-a', `/dev/${device}`])
  }
}
