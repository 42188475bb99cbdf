/**
 * The network step's model: the box's interfaces (link state and speed from sysfs,
 * addresses from the kernel), the plan a person chose (which port serves clients, which
 * carries replication, DHCP or static, DNS), its validation (addresses, gateways, overlaps)
 * and the systemd-networkd files that plan becomes. Writing and reloading those files is
 * system/'s job, and only on the appliance; elsewhere the plan is recorded and shown.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { VeloxError } from '../errors.js'
import { inNetwork, networksOverlap, parseCidr, validateIpv4, type Ipv4Network } from './validate.js'

export interface NetInterface {
  name: string
  mac: string
  /** "up", "down", "unknown" (sysfs operstate). */
  link: string
  /** Mbit/s, or null when the driver does not say (virtual NICs). */
  speedMbps: number | null
  addresses: string[]
}

export interface NetworkPlan {
  /** The interface that serves clients (Swift API, web app). */
  frontEnd: string
  /** The interface that carries replication; "" = the front end does both. */
  backEnd: string
  mode: 'dhcp' | 'static'
  /** Static: "a.b.c.d/nn", the gateway and DNS servers. */
  address?: string
  gateway?: string
  dns: string[]
  /** The back end's static address ("a.b.c.d/nn"), when there is a back end. */
  backEndAddress?: string
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** Every interface but loopback, by name. */
export function listInterfaces(sysNetDir = '/sys/class/net'): NetInterface[] {
  const kernel = networkInterfaces()
  let names: string[]
  try {
    names = readdirSync(sysNetDir)
  } catch {
    names = Object.keys(kernel)
  }
  return names
    .filter((n) => n !== 'lo')
    .sort()
    .map((name) => {
      const speed = Number(read(join(sysNetDir, name, 'speed')))
      return {
        name,
        mac: read(join(sysNetDir, name, 'address')) ?? kernel[name]?.[0]?.mac ?? '',
        link: read(join(sysNetDir, name, 'operstate')) ?? 'unknown',
        speedMbps: Number.isFinite(speed) && speed > 0 ? speed : null,
        addresses: (kernel[name] ?? []).filter((a) => a.family === 'IPv4').map((a) => a.cidr ?? a.address),
      }
    })
}

const bad = (m: string): never => {
  throw new VeloxError('bad-request', m)
}

/** Checks a plan against the interfaces there are; returns it cleaned. */
export function validatePlan(input: unknown, interfaces: readonly NetInterface[]): NetworkPlan {
  const p = (input ?? {}) as Record<string, unknown>
  const names = new Set(interfaces.map((i) => i.name))
  const frontEnd = String(p.frontEnd ?? '')
  const backEnd = String(p.backEnd ?? '')
  if (!names.has(frontEnd)) bad(`choose the interface that serves clients (there is no interface ${JSON.stringify(frontEnd)})`)
  if (backEnd && !names.has(backEnd)) bad(`there is no interface ${JSON.stringify(backEnd)} for replication`)
  if (backEnd === frontEnd) bad('replication needs its own interface, or none (the client interface then carries it)')
  const mode = p.mode === 'static' ? 'static' : p.mode === 'dhcp' ? 'dhcp' : bad('choose DHCP or a static address')
  const dns = (Array.isArray(p.dns) ? p.dns : []).filter((s) => String(s).trim() !== '').map((s) => validateIpv4(s, 'DNS server'))
  const plan: NetworkPlan = { frontEnd, backEnd, mode, dns }
  let front: Ipv4Network | undefined
  if (mode === 'static') {
    front = parseCidr(p.address, 'the client address')
    plan.address = `${front.address}/${front.prefix}`
    if (p.gateway !== undefined && p.gateway !== '') {
      plan.gateway = validateIpv4(p.gateway, 'the gateway')
      if (!inNetwork(plan.gateway, front)) bad(`the gateway ${plan.gateway} is not in the client network ${plan.address}`)
      if (plan.gateway === front.address) bad('the gateway cannot be the appliance\'s own address')
    }
    if (dns.length === 0) bad('a static address needs at least one DNS server')
  }
  if (backEnd) {
    const back = parseCidr(p.backEndAddress, 'the replication address')
    plan.backEndAddress = `${back.address}/${back.prefix}`
    if (front && networksOverlap(front, back)) bad(`the replication network ${plan.backEndAddress} overlaps the client network ${plan.address}: use a separate subnet`)
  }
  return plan
}

/** The systemd-networkd files of a plan, by file name (10-velox-<iface>.network). */
export function networkdFiles(plan: NetworkPlan): Record<string, string> {
  const files: Record<string, string> = {}
  const front = [`[Match]`, `Name=${plan.frontEnd}`, '', '[Network]']
  if (plan.mode === 'dhcp') front.push('DHCP=ipv4')
  else {
    front.push(`Address=${plan.address}`)
    if (plan.gateway) front.push(`Gateway=${plan.gateway}`)
  }
  for (const d of plan.dns) front.push(`DNS=${d}`)
  files[`10-velox-${plan.frontEnd}.network`] = `# Written by the Velox setup wizard (clients)\n${front.join('\n')}\n`
  if (plan.backEnd) {
    const back = ['[Match]', `Name=${plan.backEnd}`, '', '[Network]', `Address=${plan.backEndAddress}`, 'LinkLocalAddressing=no']
    files[`10-velox-${plan.backEnd}.network`] = `# Written by the Velox setup wizard (replication)\n${back.join('\n')}\n`
  }
  return files
}
