/**
 * Swift's `.ring.gz` format (RingData.serialize_v1 / RingData.load in swift/common/ring/ring.py):
 * gzip of  "R1NG" | uint16 BE format version (1) | uint32 BE JSON length | JSON header | rows,
 * one row of device ids per replica, in the byte order the header names.
 * This module owns reading and writing that format and nothing else: no placement logic.
 * Old pickled rings (pre-R1NG) are refused with a clear error rather than guessed at.
 */
import { readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs'
import { endianness } from 'node:os'
import { gunzipSync, gzipSync } from 'node:zlib'
import { VeloxError } from '../errors.js'
import type { PartToDevice, RingData, RingDevice } from './types.js'

const MAGIC = 'R1NG'
const HOST_BYTE_ORDER = endianness() === 'LE' ? 'little' : 'big'

/** Parse the bytes of a .ring.gz (gzipped or already inflated). */
export function parseRingFile(bytes: Uint8Array): RingData {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : Buffer.from(bytes)
  if (raw.length < 10 || raw.toString('latin1', 0, 4) !== MAGIC) {
    throw new VeloxError('bad-request', 'not an R1NG ring file (old pickled rings are not supported)')
  }
  const formatVersion = raw.readUInt16BE(4)
  if (formatVersion !== 1) throw new VeloxError('bad-request', `unknown ring format version ${formatVersion}`)
  const jsonLen = raw.readUInt32BE(6)
  const header = JSON.parse(raw.toString('utf8', 10, 10 + jsonLen)) as RingHeader
  const devIdBytes = header.dev_id_bytes ?? 2
  if (devIdBytes !== 2 && devIdBytes !== 4) throw new VeloxError('bad-request', `unsupported dev_id_bytes ${devIdBytes}`)
  const swap = (header.byteorder ?? HOST_BYTE_ORDER) !== HOST_BYTE_ORDER
  const partCount = 2 ** (32 - header.part_shift)
  const rows: PartToDevice[] = []
  let pos = 10 + jsonLen
  for (let r = 0; r < header.replica_count; r++) {
    // As Swift's deserialize_v1: read a full row, or whatever is left for a short (fractional) last row.
    const len = Math.min(devIdBytes * partCount, raw.length - pos)
    const aligned = new Uint8Array(len - (len % devIdBytes))
    aligned.set(raw.subarray(pos, pos + aligned.length))
    if (swap) (devIdBytes === 2 ? swap16 : swap32)(aligned)
    rows.push(devIdBytes === 2 ? new Uint16Array(aligned.buffer) : new Uint32Array(aligned.buffer))
    pos += len
  }
  return {
    devs: header.devs.map((d) => (d ? deviceFromJson(d) : null)),
    replica2part2dev: rows,
    partShift: header.part_shift,
    version: header.version ?? null,
    nextPartPower: header.next_part_power ?? null,
  }
}

export function readRingFile(path: string): RingData {
  return parseRingFile(readFileSync(path))
}

/** The inflated bytes of a ring, laid out exactly as Swift 2.30's serialize_v1 writes them. */
export function serializeRing(ring: RingData): Buffer {
  for (const row of ring.replica2part2dev) {
    for (let i = 0; i < row.length; i++) {
      if (row[i] > 0xfffe) throw new VeloxError('internal', `device id ${row[i]} does not fit Swift's 2-byte ring format`)
    }
  }
  const header: Record<string, unknown> = {
    devs: ring.devs.map((d) => (d ? deviceToJson(d) : null)),
    part_shift: ring.partShift,
    replica_count: ring.replica2part2dev.length,
    byteorder: HOST_BYTE_ORDER,
  }
  if (ring.version !== null) header.version = ring.version
  if (ring.nextPartPower !== null) header.next_part_power = ring.nextPartPower
  const json = Buffer.from(pythonJsonDumps(header), 'ascii')
  const head = Buffer.alloc(10)
  head.write(MAGIC, 0, 'latin1')
  head.writeUInt16BE(1, 4)
  head.writeUInt32BE(json.length, 6)
  const rows = ring.replica2part2dev.map((row) => {
    const u16 = row instanceof Uint16Array ? row : Uint16Array.from(row)
    return Buffer.from(u16.buffer, u16.byteOffset, u16.byteLength)
  })
  return Buffer.concat([head, json, ...rows])
}

/** Write a .ring.gz atomically (temp file, fsync, rename), as Swift's RingData.save does. */
export function writeRingFile(path: string, ring: RingData): void {
  const gz = gzipSync(serializeRing(ring))
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, gz, { mode: 0o644 })
  const fd = openSync(tmp, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
}

interface JsonDevice {
  id: number
  region?: number
  zone: number
  ip: string
  port: number
  replication_ip?: string
  replication_port?: number
  device: string
  weight?: number
  meta?: string
}

interface RingHeader {
  devs: (JsonDevice | null)[]
  part_shift: number
  replica_count: number
  byteorder?: 'little' | 'big'
  version?: number
  next_part_power?: number
  dev_id_bytes?: number
}

/** Swift's defaults for keys old rings lack (Ring._reload: region 1, replication address = data address). */
function deviceFromJson(d: JsonDevice): RingDevice {
  return {
    id: d.id,
    region: d.region ?? 1,
    zone: d.zone,
    ip: d.ip,
    port: d.port,
    replicationIp: d.replication_ip ?? d.ip,
    replicationPort: d.replication_port ?? d.port,
    device: d.device,
    weight: d.weight ?? 0,
    meta: d.meta ?? '',
  }
}

function deviceToJson(d: RingDevice): Record<string, unknown> {
  return {
    device: d.device,
    id: d.id,
    ip: d.ip,
    meta: d.meta,
    port: d.port,
    region: d.region,
    replication_ip: d.replicationIp,
    replication_port: d.replicationPort,
    weight: new PyFloat(d.weight),
    zone: d.zone,
  }
}

/** A number Python's json module would print as a float (100.0, not 100). */
class PyFloat {
  constructor(readonly value: number) {}
}

/** json.dumps(obj, sort_keys=True, ensure_ascii=True) with Python's default separators. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (value instanceof PyFloat) {
    const v = value.value
    if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1)
    return String(v)
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj).sort()
  return `{${keys.map((k) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(obj[k])}`).join(', ')}}`
}

function swap16(b: Uint8Array): void {
  for (let i = 0; i + 1 < b.length; i += 2) {
    const t = b[i]
    b[i] = b[i + 1]
    b[i + 1] = t
  }
}

function swap32(b: Uint8Array): void {
  for (let i = 0; i + 3 < b.length; i += 4) {
    let t = b[i]
    b[i] = b[i + 3]
    b[i + 3] = t
    t = b[i + 1]
    b[i + 1] = b[i + 2]
    b[i + 2] = t
  }
}
