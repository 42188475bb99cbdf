/**
 * A handful of blank "disks" for the disks/ tests: sparse image files attached to loop devices
 * (`losetup --find --show`), plus a devices root and etc dir in the same temp directory. The
 * code under test discovers, formats and mounts them itself; `include` keeps it to exactly
 * these loop devices (never /dev/vda nor another test's loops). `destroy()` unmounts whatever
 * is mounted under the devices root, detaches the loops and removes the directory.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { DiscoveredDisk } from '../../src/disks/discovery.js'
import { loopDevicesUnavailable } from './objects/scratch-disk.js'

const run = promisify(execFile)

export { loopDevicesUnavailable }

/** In a `before`: skips the suite, saying why, where loop devices cannot be made. */
export async function skipWithoutLoopDevices(ctx: Mocha.Context): Promise<void> {
  const why = await loopDevicesUnavailable()
  if (!why) return
  console.log(`    skipped: ${why}`)
  ctx.skip()
}

export class LoopDisks {
  private readonly tmpfs: string[] = []

  private constructor(
    readonly work: string,
    /** /dev/loopN of each disk, in creation order. */
    readonly devices: string[],
    readonly images: string[],
  ) {}

  get devicesRoot(): string {
    return join(this.work, 'devices')
  }

  get etcDir(): string {
    return join(this.work, 'etc')
  }

  /** Discovery filter: only this harness's loop devices. */
  readonly include = (d: DiscoveredDisk): boolean => d.backingFile !== null && this.images.includes(d.backingFile)

  static async create(count: number, sizeMb = 320): Promise<LoopDisks> {
    const work = await mkdtemp(join(tmpdir(), 'velox-disks-'))
    mkdirSync(join(work, 'devices'))
    mkdirSync(join(work, 'etc'))
    const disks = new LoopDisks(work, [], [])
    try {
      for (let i = 0; i < count; i++) await disks.attach(sizeMb)
    } catch (err) {
      await disks.destroy()
      throw err
    }
    return disks
  }

  /** One more blank disk; returns its loop device. */
  async attach(sizeMb = 320): Promise<string> {
    const image = join(this.work, `disk${this.images.length + 1}.img`)
    await run('truncate', ['-s', `${sizeMb}M`, image])
    const dev = (await run('losetup', ['--find', '--show', image])).stdout.trim()
    this.images.push(image)
    this.devices.push(dev)
    return dev
  }

  /**
   * A disk that fails writes past its first `goodMb`: its image is sparse on a tmpfs that small,
   * so the loop device answers ENOSPC/EIO once the tmpfs is full (a disk with a bad zone).
   */
  async attachFailing(sizeMb: number, goodMb: number): Promise<string> {
    const dir = join(this.work, `tmpfs${this.tmpfs.length + 1}`)
    mkdirSync(dir)
    await run('mount', ['-t', 'tmpfs', '-o', `size=${goodMb}m`, 'tmpfs', dir])
    this.tmpfs.push(dir)
    const image = join(dir, 'disk.img')
    await run('truncate', ['-s', `${sizeMb}M`, image])
    const dev = (await run('losetup', ['--find', '--show', image])).stdout.trim()
    this.images.push(image)
    this.devices.push(dev)
    return dev
  }

  /** What the kernel has mounted under the devices root, mount point → source. */
  async mounts(): Promise<Map<string, string>> {
    const { stdout } = await run('findmnt', ['-J', '-l', '-o', 'TARGET,SOURCE'])
    const out = new Map<string, string>()
    for (const fs of (JSON.parse(stdout) as { filesystems: Array<{ target: string; source: string }> }).filesystems) {
      if (fs.target.startsWith(`${this.devicesRoot}/`)) out.set(fs.target, fs.source)
    }
    return out
  }

  /** Unmounts everything under the devices root (a "reboot" for the mount table tests). */
  async unmountAll(): Promise<void> {
    for (const target of [...(await this.mounts()).keys()].sort().reverse()) {
      await run('umount', [target]).catch(() => run('umount', ['-l', target]))
    }
  }

  async destroy(): Promise<void> {
    await this.unmountAll().catch(() => undefined)
    for (const dev of this.devices) await run('losetup', ['-d', dev]).catch(() => undefined)
    for (const dir of this.tmpfs) await run('umount', [dir]).catch(() => run('umount', ['-l', dir]))
    rmSync(this.work, { recursive: true, force: true })
  }
}
