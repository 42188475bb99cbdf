/**
 * Real small filesystems for object-store fault tests: a sparse image file on a loop device
 * (`losetup --find --show`), formatted ext4 or XFS and mounted under a temp directory, with
 * `shutdown()` (xfs_io's forced shutdown, a dead disk: every call fails) and `destroy()`.
 * Needs root and the tools; `loopDevicesUnavailable()` says why not, for a clear skip.
 * Owns its image, loop device and mount point only; it must not touch other mounts.
 */
import { execFile } from 'node:child_process'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const TOOLS = ['losetup', 'mkfs.ext4', 'mkfs.xfs', 'xfs_io', 'mount', 'umount', 'chattr']

/** undefined when loop-mounted filesystems can be made here, else the reason. */
export async function loopDevicesUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (loop devices, mount)'
  for (const tool of TOOLS) {
    try {
      await run('which', [tool])
    } catch {
      return `needs ${tool}`
    }
  }
  try {
    await access('/dev/loop-control')
  } catch {
    return 'needs /dev/loop-control'
  }
  return undefined
}

export interface ScratchDiskOptions {
  fs: 'ext4' | 'xfs'
  sizeMb: number
  mkfsArgs?: string[]
}

export class ScratchDisk {
  private mounted = true

  private constructor(
    readonly dir: string,
    readonly device: string,
    private readonly work: string,
  ) {}

  static async create(options: ScratchDiskOptions): Promise<ScratchDisk> {
    const work = await mkdtemp(join(tmpdir(), 'velox-disk-'))
    const image = join(work, 'disk.img')
    const dir = join(work, 'mnt')
    await run('truncate', ['-s', `${options.sizeMb}M`, image])
    const device = (await run('losetup', ['--find', '--show', image])).stdout.trim()
    try {
      const mkfs = options.fs === 'ext4' ? ['mkfs.ext4', '-q', '-F'] : ['mkfs.xfs', '-q', '-f']
      await run(mkfs[0]!, [...mkfs.slice(1), ...(options.mkfsArgs ?? []), device])
      await run('mkdir', ['-p', dir])
      await run('mount', [device, dir])
    } catch (err) {
      await run('losetup', ['-d', device]).catch(() => undefined)
      await rm(work, { recursive: true, force: true })
      throw err
    }
    return new ScratchDisk(dir, device, work)
  }

  /** Forced shutdown: every later call on the filesystem fails (EIO). `flushLog` false drops
   *  what was not yet committed, like a power cut (xfstests' "godown"). */
  async shutdown(flushLog = true): Promise<void> {
    await run('xfs_io', ['-x', '-c', flushLog ? 'shutdown -f' : 'shutdown', this.dir])
  }

  /** Unmounts and mounts again (log recovery after a shutdown). */
  async remount(): Promise<void> {
    await run('umount', [this.dir])
    await run('mount', [this.device, this.dir])
  }

  async destroy(): Promise<void> {
    if (this.mounted) await run('umount', [this.dir]).catch(() => run('umount', ['-l', this.dir]))
    this.mounted = false
    await run('losetup', ['-d', this.device]).catch(() => undefined)
    await rm(this.work, { recursive: true, force: true })
  }
}
