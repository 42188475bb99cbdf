/**
 * Where Velox disks are mounted and how they come back after a reboot: by filesystem UUID,
 * noatime, on `<devicesRoot>/<deviceName>`. The records in disks.json are the mount table,
 * replayed at start (`make run`, tests); on the appliance firmware/ also writes the systemd
 * mount units from `systemdMountUnit` so the OS mounts them before velox.service starts.
 * The XFS label ("vx-<device>") and the identity file written at format time tell a Velox disk
 * (and its cluster) apart from any other XFS disk, wherever the kernel names it.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { SystemCommands } from '../system/commands.js'
import type { DiskRecord } from './registry.js'

export const IDENTITY_FILE = '.velox-device.json'

export interface DeviceIdentity {
  clusterId: string
  deviceName: string
  diskId: string
  serial: string | null
  formattedAt: string
}

export function mountPointOf(devicesRoot: string, deviceName: string): string {
  return join(devicesRoot, deviceName)
}

export function writeIdentity(mountPoint: string, id: DeviceIdentity): void {
  const fd = openSync(join(mountPoint, IDENTITY_FILE), 'w', 0o644)
  try {
    writeSync(fd, `${JSON.stringify(id, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export function readIdentity(mountPoint: string): DeviceIdentity | undefined {
  try {
    return JSON.parse(readFileSync(join(mountPoint, IDENTITY_FILE), 'utf8')) as DeviceIdentity
  } catch {
    return undefined
  }
}

/** States whose disks should be mounted. */
export function wantsMount(rec: DiskRecord): boolean {
  return rec.state === 'formatted' || rec.state === 'in-ring' || rec.state === 'draining' || rec.state === 'drained'
}

export interface ReplayReport {
  mounted: string[]
  alreadyMounted: string[]
  /** Device name → why it could not be mounted (disk missing, wrong filesystem, foreign identity). */
  failed: Record<string, string>
}

/**
 * Mounts every recorded disk that should be mounted and is not. A mount point already holding
 * the right UUID is left alone; one holding something else is reported, never unmounted.
 * A disk whose identity file names another cluster or device is unmounted again and reported.
 */
export async function replayMounts(system: SystemCommands, records: DiskRecord[], clusterId: string): Promise<ReplayReport> {
  const report: ReplayReport = { mounted: [], alreadyMounted: [], failed: {} }
  for (const rec of records.filter(wantsMount)) {
    const mp = mountPointOf(system.devicesRoot, rec.deviceName)
    try {
      const current = await system.mountedSource(mp)
      if (current) {
        if (current.uuid === rec.uuid) report.alreadyMounted.push(rec.deviceName)
        else report.failed[rec.deviceName] = `${mp} holds ${current.source}, not UUID ${rec.uuid}`
        continue
      }
      mkdirSync(mp, { recursive: true })
      await system.mountByUuid(rec.uuid, mp)
      const id = readIdentity(mp)
      if (!id || id.deviceName !== rec.deviceName || (clusterId && id.clusterId !== clusterId)) {
        await system.umount(mp)
        report.failed[rec.deviceName] = `the filesystem ${rec.uuid} is not ${rec.deviceName} of this cluster`
        continue
      }
      report.mounted.push(rec.deviceName)
    } catch (err) {
      report.failed[rec.deviceName] = (err as Error).message
    }
  }
  return report
}

/** systemd's path escaping for unit names (systemd-escape --path). */
export function systemdEscapePath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '').replace(/\/+/g, '/')
  if (!trimmed) return '-'
  return trimmed
    .split('/')
    .map((part) =>
      [...Buffer.from(part, 'utf8')]
        .map((byte, i) => {
          const c = String.fromCharCode(byte)
          if (/[A-Za-z0-9:_]/.test(c) || (c === '.' && i > 0)) return c
          return `\\x${byte.toString(16).padStart(2, '0')}`
        })
        .join(''),
    )
    .join('-')
}

/** The systemd mount unit firmware/ installs for a disk: its file name and text. */
export function systemdMountUnit(devicesRoot: string, rec: Pick<DiskRecord, 'deviceName' | 'uuid' | 'serial'>): { name: string; text: string } {
  const where = mountPointOf(devicesRoot, rec.deviceName)
  const name = `${systemdEscapePath(where)}.mount`
  const text = [
    '[Unit]',
    `Description=Velox device ${rec.deviceName}${rec.serial ? ` (serial ${rec.serial})` : ''}`,
    'Before=velox.service',
    '',
    '[Mount]',
    `What=/dev/disk/by-uuid/${rec.uuid}`,
    `Where=${where}`,
    'Type=xfs',
    // nofail: a dead disk must not stop the box from booting; Velox routes around it.
    'Options=noatime,nofail',
    '',
    '[Install]',
    'WantedBy=velox.service',
    '',
  ].join('\n')
  return { name, text }
}
