/**
 * The operating-system settings the wizard and the admin settings change on the appliance:
 * host name, time zone, NTP servers (a timesyncd drop-in) and the network (systemd-networkd
 * files, then a reload). The commands go through SystemCommands (fixed argv, execFile, no
 * shell, arguments checked again there); this module owns the files those commands read.
 * Only used when config.system.apply is true (the appliance image); elsewhere the settings
 * are recorded and shown, never applied.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { VeloxError } from '../errors.js'
import type { SystemCommands } from './commands.js'

export interface OsPaths {
  /** /etc/systemd/network */
  networkdDir: string
  /** /etc/systemd/timesyncd.conf.d */
  timesyncdDir: string
  /** /run/issue.d: agetty shows its *.issue files above the console's login prompt. */
  issueDir: string
}

export const OS_PATHS: OsPaths = { networkdDir: '/etc/systemd/network', timesyncdDir: '/etc/systemd/timesyncd.conf.d', issueDir: '/run/issue.d' }

const CONSOLE_NOTE = '50-velox-setup.issue'

const NTP_SERVER = /^[A-Za-z0-9.:-]{1,260}$/
const NETWORK_FILE = /^10-velox-[A-Za-z0-9_.-]{1,15}\.network$/

export class OsSettings {
  constructor(
    private readonly system: Pick<SystemCommands, 'setHostname' | 'setTimeZone' | 'reloadNetworkd' | 'restartTimesyncd'>,
    private readonly paths: Pick<OsPaths, 'networkdDir' | 'timesyncdDir'> = OS_PATHS,
  ) {}

  async applyIdentity(s: { hostname: string; timeZone: string; ntp: string[] }): Promise<void> {
    for (const n of s.ntp) if (!NTP_SERVER.test(n)) throw new VeloxError('bad-request', `refusing to write NTP server ${JSON.stringify(n)}`)
    await this.system.setHostname(s.hostname)
    await this.system.setTimeZone(s.timeZone)
    mkdirSync(this.paths.timesyncdDir, { recursive: true })
    atomicWrite(join(this.paths.timesyncdDir, '50-velox.conf'), `# Written by Velox\n[Time]\nNTP=${s.ntp.join(' ')}\n`)
    await this.system.restartTimesyncd()
  }

  /** Replaces Velox's networkd files (10-velox-*) with `files` and reloads networkd. */
  async applyNetwork(files: Record<string, string>): Promise<void> {
    for (const name of Object.keys(files)) if (!NETWORK_FILE.test(name)) throw new VeloxError('bad-request', `refusing to write ${JSON.stringify(name)}`)
    mkdirSync(this.paths.networkdDir, { recursive: true })
    for (const old of readdirSync(this.paths.networkdDir)) {
      if (old.startsWith('10-velox-') && !(old in files)) rmSync(join(this.paths.networkdDir, old))
    }
    for (const [name, text] of Object.entries(files)) atomicWrite(join(this.paths.networkdDir, name), text)
    await this.system.reloadNetworkd()
  }
}

/**
 * The setup code on the appliance's own screen (the console's login banner), until setup is
 * done. agetty expands its escapes in the text (\\4 = this box's IPv4 address).
 */
export function showOnConsole(text: string, paths: Pick<OsPaths, 'issueDir'> = OS_PATHS): void {
  mkdirSync(paths.issueDir, { recursive: true })
  atomicWrite(join(paths.issueDir, CONSOLE_NOTE), `${text}\n`)
}

export function clearConsole(paths: Pick<OsPaths, 'issueDir'> = OS_PATHS): void {
  rmSync(join(paths.issueDir, CONSOLE_NOTE), { force: true })
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp`
  writeFileSync(tmp, text, { mode: 0o644, flush: true })
  renameSync(tmp, path)
}
