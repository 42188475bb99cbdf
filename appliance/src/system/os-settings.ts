/**
 * The operating-system settings the wizard and the admin settings change on the appliance:
 * host name (hostnamectl), time zone (timedatectl), NTP servers (a timesyncd drop-in) and
 * the network (systemd-networkd files, then `networkctl reload`). Fixed argv, execFile, no
 * shell; every argument was validated by setup/validate.ts and is checked again here
 * against a strict pattern, because this is the door to root. Only called when
 * config.system.apply is true (the appliance image); elsewhere settings are recorded only.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { VeloxError } from '../errors.js'

const run = promisify(execFile)

export interface OsPaths {
  /** /etc/systemd/network */
  networkdDir: string
  /** /etc/systemd/timesyncd.conf.d */
  timesyncdDir: string
}

export const OS_PATHS: OsPaths = { networkdDir: '/etc/systemd/network', timesyncdDir: '/etc/systemd/timesyncd.conf.d' }

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new VeloxError('bad-request', `refusing to pass ${what} ${JSON.stringify(value)} to the system`)
  return value
}

async function command(file: string, args: string[]): Promise<void> {
  try {
    await run(file, args, { timeout: 15_000 })
  } catch (err) {
    throw new VeloxError('internal', `${file} ${args[0] ?? ''} failed: ${(err as Error).message}`)
  }
}

export async function applyIdentity(s: { hostname: string; timeZone: string; ntp: string[] }, paths: OsPaths = OS_PATHS): Promise<void> {
  await command('hostnamectl', ['set-hostname', check(s.hostname, /^[a-z0-9.-]{1,253}$/, 'host name')])
  await command('timedatectl', ['set-timezone', check(s.timeZone, /^[A-Za-z0-9_+\-/]{1,64}$/, 'time zone')])
  const servers = s.ntp.map((n) => check(n, /^[A-Za-z0-9.:-]{1,260}$/, 'NTP server'))
  mkdirSync(paths.timesyncdDir, { recursive: true })
  atomicWrite(join(paths.timesyncdDir, '50-velox.conf'), `# Written by Velox\n[Time]\nNTP=${servers.join(' ')}\n`)
  await command('systemctl', ['try-restart', 'systemd-timesyncd.service'])
}

/** Replaces Velox's networkd files (10-velox-*) with `files` and reloads networkd. */
export async function applyNetwork(files: Record<string, string>, paths: OsPaths = OS_PATHS): Promise<void> {
  mkdirSync(paths.networkdDir, { recursive: true })
  for (const name of Object.keys(files)) check(name, /^10-velox-[A-Za-z0-9_.-]{1,15}\.network$/, 'file name')
  for (const old of readdirSync(paths.networkdDir)) {
    if (old.startsWith('10-velox-') && !(old in files)) rmSync(join(paths.networkdDir, old))
  }
  for (const [name, text] of Object.entries(files)) atomicWrite(join(paths.networkdDir, name), text)
  await command('networkctl', ['reload'])
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp`
  writeFileSync(tmp, text, { mode: 0o644, flush: true })
  renameSync(tmp, path)
}
