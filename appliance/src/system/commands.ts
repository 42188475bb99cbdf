/**
 * The one door to the operating system's privileged commands. Every command Velox runs as
 * root goes through `SystemCommands`: a fixed table of tools (absolute paths, found once),
 * argv built here from validated values, `execFile` (never a shell), a timeout and an output
 * bound. Device paths must belong to the set the last `lsblk()` discovered; mount points must
 * be one level under the devices root. Nothing above this folder builds an argv.
 *
 * It owns running commands and checking their arguments; it must not decide policy (which
 * disk may be formatted is disks/' call, made before it gets here).
 */
import { execFile } from 'node:child_process'
import { beforeSpawn } from '../lib/close-on-exec.js'
import { constants, existsSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { resolve } from 'node:path'
import { VeloxError } from '../errors.js'
import { checkDevicePath, checkLabel, checkMountPoint, checkPattern, checkUuid } from './validate.js'

/** The tools this module may run; nothing else can be run through it. */
const TOOLS = ['lsblk', 'blkid', 'mkfs.xfs', 'mount', 'umount', 'wipefs', 'smartctl', 'ledctl', 'xfs_io', 'findmnt', 'hostnamectl', 'timedatectl', 'networkctl', 'systemctl'] as const
export type Tool = (typeof TOOLS)[number]

const SEARCH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin']
const OUTPUT_BYTES_MAX = 32 * 1024 * 1024

export interface CommandResult {
  stdout: string
  stderr: string
  /** The exit status (0 unless the caller accepted other codes). */
  code: number
}

export interface SystemOptions {
  /** Mount points live directly under this directory (`/srv/velox` on the appliance). */
  devicesRoot: string
  /** Per-command time limit; mkfs and self-tests get more. */
  timeoutMs?: number
}

/** smartctl's exit status is a bit mask; bits 0-1 mean it could not talk to the disk at all. */
export const SMARTCTL_ANSWERED = (code: number): boolean => (code & 0b11) === 0

export class SystemCommands {
  readonly devicesRoot: string
  private readonly timeoutMs: number
  private known = new Set<string>()
  private readonly paths = new Map<Tool, string>()

  constructor(opts: SystemOptions) {
    this.devicesRoot = resolve(opts.devicesRoot)
    this.timeoutMs = opts.timeoutMs ?? 30_000
  }

  /** Whether a tool is installed (ledctl and smartctl may not be). */
  has(tool: Tool): boolean {
    return this.toolPath(tool) !== undefined
  }

  /**
   * `lsblk -J -b -O`: every block device with all columns, as text (disks/discovery parses it).
   * Also refreshes the set of device paths the other commands accept.
   */
  async lsblk(): Promise<string> {
    const r = await this.run('lsblk', ['-J', '-b', '-O'])
    const known = new Set<string>()
    const walk = (nodes: unknown): void => {
      if (!Array.isArray(nodes)) return
      for (const n of nodes as Array<{ path?: unknown; children?: unknown }>) {
        if (typeof n.path === 'string') known.add(n.path)
        walk(n.children)
      }
    }
    try {
      walk((JSON.parse(r.stdout) as { blockdevices?: unknown }).blockdevices)
    } catch {
      throw new VeloxError('internal', 'lsblk answered something that is not JSON')
    }
    this.known = known
    return r.stdout
  }

  /**
   * What is on a device, probed from the device itself (blkid -p: no cache, no udev, which
   * this VM lacks, so lsblk alone shows no filesystems): TYPE, LABEL, UUID, PTTYPE, USAGE….
   * Empty when blkid finds nothing.
   */
  async blkidProbe(device: string): Promise<Record<string, string>> {
    const r = await this.run('blkid', ['-p', '-o', 'export', this.device(device)], [0, 2])
    const out: Record<string, string> = {}
    for (const line of r.stdout.split('\n')) {
      const eq = line.indexOf('=')
      if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
    }
    return out
  }

  /** The filesystem UUID of a device, or undefined when it has none. */
  async blkidUuid(device: string): Promise<string | undefined> {
    const uuid = (await this.blkidProbe(device)).UUID
    return uuid ? checkUuid(uuid) : undefined
  }

  /** Erases every filesystem and partition-table signature (wipefs -a). */
  async wipefs(device: string): Promise<void> {
    await this.run('wipefs', ['-a', '-q', this.device(device)])
  }

  /** A new XFS filesystem with a label (-f: the caller has already had it confirmed). */
  async mkfsXfs(device: string, label: string): Promise<void> {
    await this.run('mkfs.xfs', ['-q', '-f', '-L', checkLabel(label), this.device(device)], [0], 300_000)
  }

  /** Mounts the XFS filesystem with this UUID on `<devicesRoot>/<name>`, noatime. */
  async mountByUuid(uuid: string, mountPoint: string): Promise<void> {
    const mp = checkMountPoint(this.devicesRoot, mountPoint)
    await this.run('mount', ['-t', 'xfs', '-o', 'noatime', `UUID=${checkUuid(uuid)}`, mp])
  }

  /** Unmounts a mount point under the devices root; `lazy` detaches a dead one (-l). */
  async umount(mountPoint: string, lazy = false): Promise<void> {
    const mp = checkMountPoint(this.devicesRoot, mountPoint)
    await this.run('umount', lazy ? ['-l', mp] : [mp])
  }

  /** What is mounted on a mount point under the devices root (findmnt), or undefined. */
  async mountedSource(mountPoint: string): Promise<{ source: string; uuid: string; fstype: string } | undefined> {
    const mp = checkMountPoint(this.devicesRoot, mountPoint)
    const r = await this.run('findmnt', ['-J', '-n', '-o', 'SOURCE,UUID,FSTYPE', '--mountpoint', mp], [0, 1])
    if (r.code !== 0 || !r.stdout.trim()) return undefined
    const fs = (JSON.parse(r.stdout) as { filesystems?: Array<{ source: string; uuid: string | null; fstype: string }> }).filesystems?.[0]
    return fs ? { source: fs.source, uuid: fs.uuid ?? '', fstype: fs.fstype } : undefined
  }

  /** `smartctl --json ARGS DEVICE`; the JSON text and exit mask (never throws on a non-zero mask). */
  async smartctl(device: string, what: 'info' | 'short-test' | 'abort-test'): Promise<CommandResult> {
    const args = { info: ['-a'], 'short-test': ['-t', 'short'], 'abort-test': ['-X'] }[what]
    return this.run('smartctl', ['--json', ...args, this.device(device)], 'any', 60_000)
  }

  /** Blinks (or stops blinking) the locate LED of a disk's bay; false where ledctl cannot. */
  async ledLocate(device: string, on: boolean): Promise<{ ok: boolean; message: string }> {
    if (!this.has('ledctl')) return { ok: false, message: 'ledctl is not installed' }
    const r = await this.run('ledctl', [`${on ? 'locate' : 'locate_off'}=${this.device(device)}`], 'any')
    return { ok: r.code === 0, message: (r.stderr || r.stdout).trim().split('\n').pop() ?? '' }
  }

  /** Forced XFS shutdown of a mounted device (tests: a disk that dies; -f flushes the log first). */
  async xfsShutdown(mountPoint: string): Promise<void> {
    await this.run('xfs_io', ['-x', '-c', 'shutdown -f', checkMountPoint(this.devicesRoot, mountPoint)])
  }

  /**
   * Opens a discovered block device for raw reads and writes (burn-in). O_EXCL makes the
   * kernel refuse (EBUSY) a device that is mounted or otherwise claimed.
   */
  async openBlockDevice(device: string): Promise<FileHandle> {
    try {
      return await open(this.device(device), constants.O_RDWR | constants.O_EXCL)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new VeloxError(code === 'EBUSY' ? 'conflict' : 'internal', `cannot open ${device} for writing: ${code ?? (err as Error).message}`)
    }
  }

  /** A device path that the last discovery saw (throws otherwise). */
  device(path: string): string {
    const p = checkDevicePath(path)
    if (!this.known.has(p)) throw new VeloxError('bad-request', `${p} is not a discovered block device`)
    return p
  }

  /** The setup wizard's and admin settings' OS changes (setup/, via system/os-settings.ts). */
  async setHostname(name: string): Promise<void> {
    await this.run('hostnamectl', ['set-hostname', checkPattern(name, /^[a-z0-9][a-z0-9.-]{0,252}$/, 'host name')])
  }

  async setTimeZone(zone: string): Promise<void> {
    await this.run('timedatectl', ['set-timezone', checkPattern(zone, /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/, 'time zone')])
  }

  /** After Velox's networkd files changed. */
  async reloadNetworkd(): Promise<void> {
    await this.run('networkctl', ['reload'])
  }

  /** After the NTP drop-in changed. */
  async restartTimesyncd(): Promise<void> {
    await this.run('systemctl', ['try-restart', 'systemd-timesyncd.service'])
  }

  private toolPath(tool: Tool): string | undefined {
    if (!this.paths.has(tool)) {
      const found = SEARCH.map((d) => `${d}/${tool}`).find((p) => existsSync(p))
      if (found) this.paths.set(tool, found)
    }
    return this.paths.get(tool)
  }

  private run(tool: Tool, args: string[], okCodes: number[] | 'any' = [0], timeoutMs = this.timeoutMs): Promise<CommandResult> {
    const bin = this.toolPath(tool)
    if (!bin) return Promise.reject(new VeloxError('unavailable', `${tool} is not installed`))
    const env = { PATH: SEARCH.join(':'), LC_ALL: 'C' }
    return new Promise((done, fail) => {
      beforeSpawn()
      execFile(bin, args, { env, timeout: timeoutMs, maxBuffer: OUTPUT_BYTES_MAX, encoding: 'utf8' }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0
        if (code === -1 || (okCodes !== 'any' && !okCodes.includes(code))) {
          const why = stderr.trim().split('\n').slice(-2).join(' ') || (err as Error).message
          fail(new VeloxError('internal', `${tool} failed (${code === -1 ? 'did not finish' : `exit ${code}`}): ${why}`))
          return
        }
        done({ stdout, stderr, code })
      })
    })
  }
}
