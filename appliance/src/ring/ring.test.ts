/** Tests for ring.ts and hash-path.ts on a small hand-made ring (Swift parity is swift-parity.test.ts). */
import { expect } from 'chai'
import { createHash } from 'node:crypto'
import { hashPath, partitionOfHash, Ring } from './ring.js'
import type { RingData, RingDevice } from './types.js'

const dev = (id: number, region: number, zone: number, ip: string): RingDevice => ({
  id, region, zone, ip, port: 6200, replicationIp: ip, replicationPort: 6200, device: 'sdb', weight: 100, meta: '',
})

function smallRing(): RingData {
  // 8 partitions; device 0 holds two replicas of partition 7 (old-style ring) to show deduplication
  return {
    devs: [dev(0, 1, 1, '10.0.0.1'), dev(1, 1, 2, '10.0.0.2'), dev(2, 1, 3, '10.0.0.3'), dev(3, 2, 1, '10.1.0.1'), null, dev(5, 1, 1, '10.0.0.1')],
    replica2part2dev: [Uint16Array.from([0, 1, 2, 3, 5, 0, 1, 0]), Uint16Array.from([1, 2, 3, 5, 0, 1, 2, 0]), Uint16Array.from([2, 3])],
    partShift: 29,
    version: 1,
    nextPartPower: null,
  }
}

describe('ring (read side)', () => {
  const secrets = { hashPathPrefix: 'p', hashPathSuffix: 's' }

  it('hashes md5(prefix/account/container/object + suffix) over UTF-8 and treats empty parts as absent', () => {
    const md5 = (s: string) => createHash('md5').update(Buffer.from(s, 'utf8')).digest('hex')
    expect(hashPath('p', 's', 'AUTH_a', 'c', 'ö/☃')).to.equal(md5('p/AUTH_a/c/ö/☃s'))
    expect(hashPath('p', 's', 'AUTH_a')).to.equal(md5('p/AUTH_a' + 's'))
    expect(hashPath('p', 's', 'AUTH_a', '')).to.equal(hashPath('p', 's', 'AUTH_a'))
    expect(() => hashPath('p', 's', 'AUTH_a', undefined, 'o')).to.throw(/needs a container/)
  })

  it('takes the partition from the top bits of the hash', () => {
    const ring = new Ring(smallRing(), secrets)
    const { partition, hash } = ring.getNodes('AUTH_a', 'c', 'o')
    expect(partition).to.equal(parseInt(hash.slice(0, 8), 16) >>> 29)
    expect(partitionOfHash(hash, 3)).to.equal(partition)
    expect(ring.getPart('AUTH_a', 'c', 'o')).to.equal(partition)
  })

  it('lists primaries once each, with their index, including the short fractional row', () => {
    const ring = new Ring(smallRing(), secrets)
    expect(ring.replicaCount).to.equal(2.25)
    expect(ring.getPartNodes(1).map((n) => [n.id, n.index])).to.deep.equal([[1, 0], [2, 1], [3, 2]])
    expect(ring.getPartNodes(7).map((n) => n.id)).to.deep.equal([0])
  })

  it('hands off to unused regions first, then zones, then ips, then any device, never repeating one', () => {
    const ring = new Ring(smallRing(), secrets)
    const handoffs = [...ring.getMoreNodes(5)]
    const primaries = ring.getPartDeviceIds(5)
    expect(primaries).to.deep.equal([0, 1])
    expect(handoffs.map((h) => h.handoffIndex)).to.deep.equal(handoffs.map((_, i) => i))
    const ids = handoffs.map((h) => h.id)
    expect(new Set([...ids, ...primaries]).size).to.equal(ids.length + primaries.length)
    expect(ids[0]).to.equal(3) // the only device in region 2
    expect(ids.sort()).to.deep.equal([2, 3, 5])
  })
})
