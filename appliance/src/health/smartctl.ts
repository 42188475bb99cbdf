/**
 * The real SMART reader, through the one door to OS commands (`system/`): the whole disks
 * `lsblk` finds (loop and RAM devices excluded), and `smartctl --json -a` per disk. smartctl's
 * non-zero exit masks still carry JSON (a failing drive sets bit 3), so only output that is not
 * JSON is an error. Device names are checked here too, before system/ checks the paths again.
 * Also the `SmartSource` seam every reader goes through (recorded documents in tests and demos);
 * the parsing is disks/smart.ts, the one SMART parser.
 */
import { VeloxError } from '../errors.js'
import type { SystemCommands } from '../system/commands.js'

/** Where SMART comes from: the real smartctl on the appliance, recorded outputs in tests. */
export interface SmartSource {
  /** Device names (e.g. "sda", "nvme0") that answer SMART. */
  devices(): Promise<string[]>
  /** The `smartctl --json -a` document of one device. */
  read(device: string): Promise<unknown>
}

/** A source answering from recorded documents (tests, demos). `set` replaces one. */
export class RecordedSmartSource implements SmartSource {
  private readonly docs = new Map<string, unknown>()
  constructor(docs: Record<string, unknown> = {}) {
    for (const [k, v] of Object.entries(docs)) this.docs.set(k, v)
  }
  set(device: string, doc: unknown): void {
    this.docs.set(device, doc)
  }
  async devices(): Promise<string[]> {
    return [...this.docs.keys()]
  }
  async read(device: string): Promise<unknown> {
    return this.docs.get(device)
  }
}

const DEVICE_NAME = /^(sd[a-z]{1,3}|nvme\d{1,3}(n\d{1,3})?|vd[a-z]{1,3}|hd[a-z]{1,3}|xvd[a-z]{1,3})$/

export function validDeviceName(name: string): boolean {
  return DEVICE_NAME.test(name)
}

export class SystemSmartSource implements SmartSource {
  constructor(private readonly sys: Pick<SystemCommands, 'lsblk' | 'smartctl' | 'has'>) {}

  async devices(): Promise<string[]> {
    if (!this.sys.has('smartctl')) return []
    const doc = JSON.parse(await this.sys.lsblk()) as { blockdevices?: { name?: string; type?: string }[] }
    return (doc.blockdevices ?? []).filter((d) => d.type === 'disk' && validDeviceName(String(d.name))).map((d) => String(d.name))
  }

  async read(device: string): Promise<unknown> {
    if (!validDeviceName(device)) throw new VeloxError('bad-request', `not a disk name: ${JSON.stringify(device)}`)
    const r = await this.sys.smartctl(`/dev/${device}`, 'info')
    try {
      return JSON.parse(r.stdout)
    } catch {
      throw new VeloxError('internal', `smartctl gave no JSON for ${device} (exit ${r.code})`)
    }
  }
}
