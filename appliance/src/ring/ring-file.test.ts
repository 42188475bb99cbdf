/** Tests for ring-file.ts: the .ring.gz layout, byte orders, short last rows and Python-identical JSON. */
import { expect } from 'chai'
import { gunzipSync, gzipSync } from 'node:zlib'
import { parseRingFile, pythonJsonDumps, serializeRing } from './ring-file.js'
import type { RingData } from './types.js'

function sampleRing(): RingData {
  const dev = (id: number, zone: number) => ({
    id, region: 1, zone, ip: `10.0.0.${id}`, port: 6200, replicationIp: `10.0.1.${id}`, replicationPort: 6300,
    device: `sd${id}`, weight: 100, meta: id === 2 ? 'café ☕' : '',
  })
  return {
    devs: [dev(0, 1), null, dev(2, 2), dev(3, 3)],
    replica2part2dev: [Uint16Array.from([0, 2, 3, 0]), Uint16Array.from([2, 3, 0, 2]), Uint16Array.from([3, 0])],
    partShift: 30,
    version: 7,
    nextPartPower: null,
  }
}

describe('ring-file', () => {
  it('round-trips devices, rows (with a short fractional last row) and header fields', () => {
    const ring = sampleRing()
    const back = parseRingFile(gzipSync(serializeRing(ring)))
    expect(back.devs).to.deep.equal(ring.devs)
    expect(back.partShift).to.equal(30)
    expect(back.version).to.equal(7)
    expect(back.replica2part2dev.map((r) => Array.from(r))).to.deep.equal([[0, 2, 3, 0], [2, 3, 0, 2], [3, 0]])
  })

  it('writes the R1NG magic, format 1 and a big-endian JSON length', () => {
    const raw = serializeRing(sampleRing())
    expect(raw.toString('latin1', 0, 4)).to.equal('R1NG')
    expect(raw.readUInt16BE(4)).to.equal(1)
    const header = JSON.parse(raw.toString('utf8', 10, 10 + raw.readUInt32BE(6)))
    expect(header).to.include({ part_shift: 30, replica_count: 3, byteorder: 'little', version: 7 })
    expect(header).not.to.have.property('next_part_power')
  })

  it('reads big-endian rows when the header says so', () => {
    const raw = serializeRing(sampleRing())
    const jsonLen = raw.readUInt32BE(6)
    const header = JSON.parse(raw.toString('utf8', 10, 10 + jsonLen))
    header.byteorder = 'big'
    const json = Buffer.from(pythonJsonDumps(header))
    const rows = raw.subarray(10 + jsonLen)
    const swapped = Buffer.from(rows)
    swapped.swap16()
    const head = Buffer.alloc(10)
    head.write('R1NG', 0, 'latin1')
    head.writeUInt16BE(1, 4)
    head.writeUInt32BE(json.length, 6)
    const back = parseRingFile(Buffer.concat([head, json, swapped]))
    expect(back.replica2part2dev.map((r) => Array.from(r))).to.deep.equal([[0, 2, 3, 0], [2, 3, 0, 2], [3, 0]])
  })

  it('reads 4-byte device ids when the header declares dev_id_bytes', () => {
    const header = { devs: [], part_shift: 31, replica_count: 1, byteorder: 'little', dev_id_bytes: 4 }
    const json = Buffer.from(JSON.stringify(header))
    const head = Buffer.alloc(10)
    head.write('R1NG', 0, 'latin1')
    head.writeUInt16BE(1, 4)
    head.writeUInt32BE(json.length, 6)
    const row = Buffer.alloc(8)
    row.writeUInt32LE(70000, 0)
    row.writeUInt32LE(5, 4)
    const back = parseRingFile(gzipSync(Buffer.concat([head, json, row])))
    expect(Array.from(back.replica2part2dev[0])).to.deep.equal([70000, 5])
  })

  it('refuses files that are not R1NG rings', () => {
    expect(() => parseRingFile(gzipSync(Buffer.from('not a ring at all')))).to.throw(/R1NG/)
  })

  it('prints JSON as Python json.dumps(sort_keys=True, ensure_ascii=True) does', () => {
    expect(pythonJsonDumps({ b: [1, 'é☕\u007f'], a: null })).to.equal('{"a": null, "b": [1, "\\u00e9\\u2615\\u007f"]}')
    const text = gunzipSync(gzipSync(serializeRing(sampleRing()))).toString('latin1')
    expect(text).to.include('"weight": 100.0')
    expect(text).to.include('"meta": "caf\\u00e9 \\u2615"')
  })
})
