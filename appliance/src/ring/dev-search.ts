/**
 * swift-ring-builder's device notation, parsed as swift/common/ring/utils.py does:
 * add values `[rR]zZ-IP:PORT[RRIP:RPORT]/DEVICE[_META]` and search values
 * `[dID][rR][zZ][-IP][:PORT][RRIP][:RPORT][/DEVICE][_META]`, plus the one-line device format
 * swift-ring-builder prints. Strings in, plain values out; no builder state here.
 */
import { VeloxError } from '../errors.js'
import type { RingDevice } from './types.js'

export interface AddValue {
  region: number | null
  zone: number
  ip: string
  port: number
  replicationIp: string | null
  replicationPort: number | null
  device: string
  meta: string
}

export type DeviceSearch = Partial<Pick<RingDevice, 'id' | 'region' | 'zone' | 'ip' | 'port' | 'replicationIp' | 'replicationPort' | 'device' | 'meta'>>

const bad = (what: string, value: string) => new VeloxError('bad-request', `invalid ${what}: ${JSON.stringify(value)}`)

/** Leading digits of s after a one-character prefix: [number, rest]. */
function prefixedNumber(s: string): [number, string] {
  let i = 1
  while (i < s.length && s[i] >= '0' && s[i] <= '9') i++
  const n = Number.parseInt(s.slice(1, i), 10)
  if (Number.isNaN(n)) throw bad('number', s)
  return [n, s.slice(i)]
}

/** IPv6 is kept lower-case without brackets so searches match, as Swift's validate_and_normalize_ip. */
function normalizeIp(ip: string): string {
  return ip.includes(':') ? ip.toLowerCase() : ip
}

/** parse_address: "IP:PORT" or "[IPv6]:PORT", up to the next "R" or "/". */
function parseAddress(rest: string, whole: string): [string, number, string] {
  if (rest.startsWith('[')) rest = rest.replace('[', '').replace(']', '')
  let pos = 0
  while (pos < rest.length && rest[pos] !== 'R' && rest[pos] !== '/') pos++
  const address = rest.slice(0, pos)
  const colon = address.lastIndexOf(':')
  if (colon < 0) throw bad('port in add value', whole)
  const port = Number(address.slice(colon + 1))
  if (!Number.isInteger(port) || address.slice(colon + 1) === '') throw bad('port in add value', whole)
  return [normalizeIp(address.slice(0, colon)), port, rest.slice(pos)]
}

export function parseAddValue(value: string): AddValue {
  let rest = value
  let region: number | null = null
  if (rest.startsWith('r')) [region, rest] = prefixedNumber(rest)
  if (!rest.startsWith('z')) throw bad('add value', value)
  let zone: number
  ;[zone, rest] = prefixedNumber(rest)
  if (!rest.startsWith('-')) throw bad('add value', value)
  let ip: string
  let port: number
  ;[ip, port, rest] = parseAddress(rest.slice(1), value)
  let replicationIp: string | null = null
  let replicationPort: number | null = null
  if (rest.startsWith('R')) [replicationIp, replicationPort, rest] = parseAddress(rest.slice(1), value)
  if (!rest.startsWith('/')) throw bad('add value', value)
  const us = rest.indexOf('_')
  const device = us < 0 ? rest.slice(1) : rest.slice(1, us)
  if (!device || device.startsWith(' ') || device.endsWith(' ')) throw bad('device name', value)
  const meta = us < 0 ? '' : rest.slice(us + 1)
  return { region, zone, ip, port, replicationIp, replicationPort, device, meta }
}

function takeIp(s: string): [string | undefined, string] {
  if (s && s[0] >= '0' && s[0] <= '9') {
    let i = 1
    while (i < s.length && '0123456789.'.includes(s[i])) i++
    return [s.slice(0, i), s.slice(i)]
  }
  if (s.startsWith('[')) {
    const end = s.indexOf(']')
    const stop = end < 0 ? s.length : end + 1
    return [normalizeIp(s.slice(1, end < 0 ? s.length : end)), s.slice(stop)]
  }
  return [undefined, s]
}

export function parseSearchValue(value: string): DeviceSearch {
  const match: DeviceSearch = {}
  let s = value
  if (s.startsWith('d')) [match.id, s] = prefixedNumber(s)
  if (s.startsWith('r')) [match.region, s] = prefixedNumber(s)
  if (s.startsWith('z')) [match.zone, s] = prefixedNumber(s)
  if (s.startsWith('-')) s = s.slice(1)
  let ip: string | undefined
  ;[ip, s] = takeIp(s)
  if (ip !== undefined) match.ip = ip
  if (s.startsWith(':')) [match.port, s] = prefixedNumber(s)
  if (s.startsWith('R')) {
    ;[ip, s] = takeIp(s.slice(1))
    if (ip !== undefined) match.replicationIp = ip
    if (s.startsWith(':')) [match.replicationPort, s] = prefixedNumber(s)
  }
  if (s.startsWith('/')) {
    const us = s.indexOf('_')
    match.device = us < 0 ? s.slice(1) : s.slice(1, us)
    s = us < 0 ? '' : s.slice(us)
  }
  if (s.startsWith('_')) {
    match.meta = s.slice(1)
    s = ''
  }
  if (s || value === '') throw bad('search value', value)
  return match
}

/** RingBuilder.search_devs: every given key must match; meta matches as a substring. */
export function matchesSearch(dev: RingDevice, q: DeviceSearch): boolean {
  for (const [k, v] of Object.entries(q) as [keyof DeviceSearch, unknown][]) {
    if (v === undefined) continue
    if (k === 'meta') {
      if (!dev.meta.includes(v as string)) return false
    } else if (k === 'ip' || k === 'replicationIp') {
      if (normalizeIp(dev[k]) !== v) return false
    } else if (dev[k] !== v) return false
  }
  return true
}

/** format_device: d1r1z2-10.0.0.1:6200R10.0.0.1:6200/sdb_"meta" */
export function formatDevice(d: RingDevice): string {
  const br = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip)
  return `d${d.id}r${d.region}z${d.zone}-${br(d.ip)}:${d.port}R${br(d.replicationIp)}:${d.replicationPort}/${d.device}_"${d.meta}"`
}
