/**
 * Validation of what the install wizard and the admin settings accept: host names, time
 * zones, NTP servers, IPv4 addresses and networks (and their overlaps), DNS servers, and
 * the strength of the first admin's password. Owns the rules and their messages, which the
 * person at the wizard reads, so each says what is wrong and what would be right.
 * Throws `bad-request`; touches nothing.
 */
import { isIP } from 'node:net'
import { VeloxError } from '../errors.js'
import { passwordScore } from './password-score.js'

export { passwordScore }

const bad = (message: string): never => {
  throw new VeloxError('bad-request', message)
}

/** RFC 1123 host name (letters, digits, '-', dot-separated labels ≤ 63, total ≤ 253). */
export function validateHostname(name: unknown, what = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') return bad(`the ${what} is required`)
  const s = name.trim().toLowerCase()
  if (s.length > 253) bad(`the ${what} is longer than 253 characters`)
  for (const label of s.split('.')) {
    if (label.length === 0) bad(`the ${what} ${JSON.stringify(name)} has an empty part (two dots, or a dot at an end)`)
    if (label.length > 63) bad(`each part of the ${what} must be at most 63 characters`)
    if (!/^[a-z0-9-]+$/.test(label)) bad(`the ${what} ${JSON.stringify(name)} may only hold letters, digits, '-' and '.'`)
    if (label.startsWith('-') || label.endsWith('-')) bad(`a part of the ${what} cannot start or end with '-'`)
  }
  if (/^[0-9.]+$/.test(s)) bad(`the ${what} ${JSON.stringify(name)} looks like an address, not a name`)
  return s
}

/** An IANA time zone this Node knows (its ICU data), e.g. "Europe/Paris"; "UTC" too. */
export function validateTimeZone(tz: unknown): string {
  if (typeof tz !== 'string' || tz === '') return bad('the time zone is required')
  if (tz === 'UTC' || tz === 'Etc/UTC') return tz
  if (!Intl.supportedValuesOf('timeZone').includes(tz)) bad(`unknown time zone ${JSON.stringify(tz)} (expected e.g. "Europe/Paris")`)
  return tz
}

/** An NTP server: a host name or an IP address, with an optional ":port" (tests use a local one). */
export function validateNtpServer(s: unknown): string {
  if (typeof s !== 'string' || s.trim() === '') return bad('an NTP server is empty')
  const v = s.trim()
  const m = /^(.+?)(?::(\d{1,5}))?$/.exec(v)
  const host = m?.[1] ?? v
  if (m?.[2] && !(Number(m[2]) > 0 && Number(m[2]) < 65536)) bad(`NTP server ${JSON.stringify(v)}: port out of range`)
  if (isIP(host) === 0) validateHostname(host, `NTP server ${JSON.stringify(v)}`)
  return v
}

export function validateIpv4(s: unknown, what: string): string {
  if (typeof s !== 'string' || isIP(s.trim()) !== 4) return bad(`${what} ${JSON.stringify(s)} is not an IPv4 address (like 192.168.1.20)`)
  return s.trim()
}

export interface Ipv4Network {
  address: string
  prefix: number
}

/** "a.b.c.d/nn" with a usable host address in it (not the network or broadcast address). */
export function parseCidr(s: unknown, what: string): Ipv4Network {
  const m = typeof s === 'string' ? /^\s*([0-9.]+)\/(\d{1,2})\s*$/.exec(s) : null
  if (!m) return bad(`${what} ${JSON.stringify(s)} must be an address with its prefix, like 192.168.1.20/24`)
  const address = validateIpv4(m[1], what)
  const prefix = Number(m[2])
  if (prefix < 8 || prefix > 30) bad(`${what}: the prefix /${prefix} must be between /8 and /30`)
  const host = ipv4ToInt(address) & ~maskOf(prefix)
  if (host === 0) bad(`${what}: ${address} is the network address of /${prefix}, not a host address`)
  if (host === (~maskOf(prefix) >>> 0)) bad(`${what}: ${address} is the broadcast address of /${prefix}`)
  return { address, prefix }
}

export function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0)
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

export function inNetwork(address: string, net: Ipv4Network): boolean {
  const mask = maskOf(net.prefix)
  return ((ipv4ToInt(address) & mask) >>> 0) === ((ipv4ToInt(net.address) & mask) >>> 0)
}

/** Two networks overlap when the shorter prefix's network contains the other's address. */
export function networksOverlap(a: Ipv4Network, b: Ipv4Network): boolean {
  const wide = a.prefix <= b.prefix ? a : b
  const narrow = wide === a ? b : a
  return inNetwork(narrow.address, wide)
}

/** The first admin's password: score ≥ 2 (a fresh box is reachable by anyone on the LAN). */
export function validateNewPassword(pw: unknown): string {
  if (typeof pw !== 'string' || pw === '') return bad('the password is required')
  if (pw.length < 10) bad('the password must be at least 10 characters long')
  if (passwordScore(pw) < 2) bad('the password is too weak: make it longer or mix letters, digits and symbols')
  return pw
}

/** Time zone and NTP servers (the identity step and the admin's time settings). */
export function parseTime(b: Record<string, unknown>): { timeZone: string; ntp: string[] } {
  const timeZone = validateTimeZone(b.timeZone)
  const ntp = (Array.isArray(b.ntp) ? b.ntp : []).filter((s) => String(s).trim() !== '').map(validateNtpServer)
  if (ntp.length === 0) bad('give at least one NTP server (e.g. pool.ntp.org)')
  if (ntp.length > 5) bad('give at most five NTP servers')
  return { timeZone, ntp }
}
