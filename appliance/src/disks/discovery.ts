/**
 * Block-device discovery: `lsblk -J -b -O` (run by system/) parsed into one record per disk,
 * with a stable identity that survives renaming (sdb today, sdc after a reboot): the WWN,
 * else transport + model + serial as udev's /dev/disk/by-id names them, else (loop devices)
 * the backing file. Also says which disk holds the operating system and which have data, the
 * two facts that make formatting need a typed confirmation.
 *
 * Pure parsing plus two read-only lookups (/dev/disk/by-id, /sys/block/<loop>/loop), both
 * rooted at options so tests can use fixture trees. No commands are run here.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { join } from 'node:path'

export type Media = 'hdd' | 'ssd' | 'nvme' | 'virtual'

export interface Partition {
  path: string
  sizeBytes: number
  fstype: string | null
  label: string | null
  uuid: string | null
  mountpoints: string[]
}

export interface DiscoveredDisk {
  /** Stable identity: "wwn-0x…", "ata-MODEL_SERIAL", "loop-<hash of backing file>"; URL-safe. */
  id: string
  /** False when only the kernel name was there to go by (it may change on reboot). */
  stable: boolean
  /** The current kernel path (/dev/sdb): for commands, never for identity. */
  path: string
  kind: 'disk' | 'loop'
  model: string | null
  vendor: string | null
  serial: string | null
  wwn: string | null
  /** /dev/disk/by-id names that point at this disk. */
  byId: string[]
  /** Loop devices: the file behind it. */
  backingFile: string | null
  sizeBytes: number
  rotational: boolean
  media: Media
  transport: string | null
  /** SCSI host:channel:target:lun, the nearest thing to a bay number lsblk knows. */
  hctl: string | null
  removable: boolean
  readOnly: boolean
  /** A filesystem on the whole disk (Velox formats whole disks). */
  filesystem: { fstype: string; label: string | null; uuid: string | null } | null
  partitions: Partition[]
  /** Every mount point of the disk, its partitions and anything stacked on them. */
  mountpoints: string[]
  /** Holds /, /boot, /usr, /var or swap. */
  holdsOs: boolean
  /** Has a filesystem, a partition table or partitions: formatting would destroy something. */
  hasData: boolean
  /** The Velox device name its XFS label carries ("vx-disk3" → "disk3"): formatted by Velox,
   *  on this box or another (its identity file, once mounted, says which cluster). */
  veloxDevice: string | null
}

/** Velox's XFS labels: this prefix and the device name (XFS allows 12 bytes in all). */
export const VELOX_LABEL_PREFIX = 'vx-'

function veloxDeviceOf(fs: { fstype: string; label: string | null } | null): string | null {
  return fs?.fstype === 'xfs' && fs.label?.startsWith(VELOX_LABEL_PREFIX) ? fs.label.slice(VELOX_LABEL_PREFIX.length) : null
}

export interface DiscoveryOptions {
  /** Where udev's by-id links are (absent on this VM: no udev). */
  byIdDir?: string
  /** /sys, for loop devices' backing files. */
  sysRoot?: string
}

interface LsblkNode {
  name?: string
  kname?: string
  path?: string
  type?: string
  size?: number | string | null
  model?: string | null
  vendor?: string | null
  serial?: string | null
  wwn?: string | null
  rota?: boolean | string | null
  tran?: string | null
  hctl?: string | null
  rm?: boolean | string | null
  ro?: boolean | string | null
  fstype?: string | null
  label?: string | null
  uuid?: string | null
  pttype?: string | null
  mountpoint?: string | null
  mountpoints?: Array<string | null> | null
  children?: LsblkNode[]
}

const OS_MOUNTS = new Set(['/', '/boot', '/boot/efi', '/usr', '/var', '/home', '[SWAP]'])

/** The disks in an lsblk -J -b -O answer (loop devices with a backing file included). */
export function parseLsblk(json: string, opts: DiscoveryOptions = {}): DiscoveredDisk[] {
  const top = (JSON.parse(json) as { blockdevices?: LsblkNode[] }).blockdevices ?? []
  const byId = readByIdLinks(opts.byIdDir ?? '/dev/disk/by-id')
  const out: DiscoveredDisk[] = []
  for (const n of top) {
    if (n.type !== 'disk' && n.type !== 'loop') continue
    const sizeBytes = Number(n.size ?? 0)
    if (!n.path || !(sizeBytes > 0)) continue // empty zram, unbound loop devices
    const kname = n.kname ?? n.name ?? n.path.replace(/^\/dev\//, '')
    const backingFile = n.type === 'loop' ? readBackingFile(opts.sysRoot ?? '/sys', kname) : null
    if (n.type === 'loop' && !backingFile) continue
    out.push(toDisk(n, sizeBytes, backingFile, byId.get(n.path) ?? []))
  }
  return out.sort((a, b) => a.path.localeCompare(b.path))
}

function toDisk(n: LsblkNode, sizeBytes: number, backingFile: string | null, byId: string[]): DiscoveredDisk {
  const clean = (s: string | null | undefined) => (s && s.trim() ? s.trim() : null)
  const serial = clean(n.serial)
  const wwn = clean(n.wwn)
  const model = clean(n.model)
  const transport = clean(n.tran)
  const rotational = bool(n.rota)
  const partitions = (n.children ?? []).filter((c) => c.type === 'part').map(toPartition)
  const mountpoints = [...new Set(collectMounts(n))]
  const fs = n.fstype ? { fstype: n.fstype, label: clean(n.label), uuid: clean(n.uuid) } : null
  const identity = stableId(n, { serial, wwn, model, transport, backingFile, byId })
  return {
    ...identity,
    path: n.path as string,
    kind: n.type === 'loop' ? 'loop' : 'disk',
    model,
    vendor: clean(n.vendor),
    serial,
    wwn,
    byId,
    backingFile,
    sizeBytes,
    rotational,
    media: n.type === 'loop' ? 'virtual' : transport === 'nvme' ? 'nvme' : rotational ? 'hdd' : 'ssd',
    transport,
    hctl: clean(n.hctl),
    removable: bool(n.rm),
    readOnly: bool(n.ro),
    filesystem: fs,
    partitions,
    mountpoints,
    holdsOs: mountpoints.some((m) => OS_MOUNTS.has(m)),
    hasData: fs !== null || Boolean(n.pttype) || partitions.length > 0 || (n.children ?? []).length > 0,
    veloxDevice: veloxDeviceOf(fs),
  }
}

/** The WWN, else udev's by-id name (transport-model_serial), else the loop's file, else the name. */
function stableId(
  n: LsblkNode,
  f: { serial: string | null; wwn: string | null; model: string | null; transport: string | null; backingFile: string | null; byId: string[] },
): { id: string; stable: boolean } {
  if (f.wwn) return { id: safe(`wwn-${f.wwn}`), stable: true }
  if (f.serial) {
    const bus = f.transport === 'sata' ? 'ata' : (f.transport ?? 'disk')
    return { id: safe(`${bus}-${f.model ? `${f.model}_` : ''}${f.serial}`), stable: true }
  }
  if (f.backingFile) return { id: `loop-${createHash('sha256').update(f.backingFile).digest('hex').slice(0, 16)}`, stable: true }
  const link = f.byId.find((l) => !l.startsWith('wwn-'))
  if (link) return { id: safe(link), stable: true }
  return { id: safe(`name-${n.kname ?? n.name}`), stable: false }
}

/** Keeps ids URL- and file-safe: udev's own replacement of blanks, then anything odd → _. */
function safe(s: string): string {
  return s.replace(/\s+/g, '_').replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 128)
}

function toPartition(c: LsblkNode): Partition {
  return {
    path: c.path ?? '',
    sizeBytes: Number(c.size ?? 0),
    fstype: c.fstype ?? null,
    label: c.label ?? null,
    uuid: c.uuid ?? null,
    mountpoints: collectMounts(c),
  }
}

function collectMounts(n: LsblkNode): string[] {
  const own = (n.mountpoints ?? [n.mountpoint ?? null]).filter((m): m is string => typeof m === 'string')
  return [...own, ...(n.children ?? []).flatMap(collectMounts)]
}

function bool(v: boolean | string | null | undefined): boolean {
  return v === true || v === '1' || v === 'true'
}

/** /dev/disk/by-id: kernel path → link names (absent directory: no links). */
function readByIdLinks(dir: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of names.sort()) {
    try {
      const target = realpathSync(join(dir, name))
      out.set(target, [...(out.get(target) ?? []), name])
    } catch {
      // a dangling link: the disk went away between readdir and realpath
    }
  }
  return out
}

function readBackingFile(sysRoot: string, kname: string): string | null {
  try {
    const f = readFileSync(join(sysRoot, 'block', kname, 'loop', 'backing_file'), 'utf8').trim()
    return f || null
  } catch {
    return null
  }
}

/**
 * Fills in what lsblk could not see from blkid's probe of the device itself (without udev,
 * lsblk reports no filesystems): the whole-disk filesystem or partition table, hence hasData.
 */
export function withProbe(d: DiscoveredDisk, probe: Record<string, string>): DiscoveredDisk {
  if (d.filesystem || Object.keys(probe).length === 0) return d
  const filesystem = probe.TYPE ? { fstype: probe.TYPE, label: probe.LABEL ?? null, uuid: probe.UUID ?? null } : null
  return { ...d, filesystem, hasData: d.hasData || filesystem !== null || Boolean(probe.PTTYPE), veloxDevice: veloxDeviceOf(filesystem) }
}
