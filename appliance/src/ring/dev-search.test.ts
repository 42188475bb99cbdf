/** Tests for dev-search.ts: swift-ring-builder's add and search notation, table-driven from Swift's docstrings. */
import { expect } from 'chai'
import { formatDevice, matchesSearch, parseAddValue, parseSearchValue } from './dev-search.js'
import type { RingDevice } from './types.js'

describe('ring device notation', () => {
  const adds: [string, object][] = [
    ['r1z2-10.1.2.3:7878/sdf', { region: 1, zone: 2, ip: '10.1.2.3', port: 7878, device: 'sdf', replicationIp: null, meta: '' }],
    ['z3-10.0.0.1:6200/sdb', { region: null, zone: 3 }],
    ['r2z1-10.0.0.1:6200R10.9.0.1:6300/sdb_fast disk', { replicationIp: '10.9.0.1', replicationPort: 6300, meta: 'fast disk' }],
    ['r1z1-[FD00::1]:6200R[fd00::2]:6300/sdc', { ip: 'fd00::1', port: 6200, replicationIp: 'fd00::2', replicationPort: 6300 }],
  ]
  for (const [text, want] of adds) {
    it(`parses the add value ${text}`, () => {
      expect(parseAddValue(text)).to.include(want)
    })
  }

  for (const bad of ['r1-10.0.0.1:6200/sdb', 'z1-10.0.0.1/sdb', 'z1-10.0.0.1:6200', 'z1-10.0.0.1:6200/']) {
    it(`refuses the add value ${bad}`, () => {
      expect(() => parseAddValue(bad)).to.throw(/invalid/)
    })
  }

  const searches: [string, object][] = [
    ['d74', { id: 74 }],
    ['r4', { region: 4 }],
    ['z1-1.2.3.4', { zone: 1, ip: '1.2.3.4' }],
    ['1.2.3.4', { ip: '1.2.3.4' }],
    [':5678', { port: 5678 }],
    ['R5.6.7.8', { replicationIp: '5.6.7.8' }],
    ['R:5678', { replicationPort: 5678 }],
    ['/sdb1', { device: 'sdb1' }],
    ['_shiny', { meta: 'shiny' }],
    ['z1-[::1]:5678', { zone: 1, ip: '::1', port: 5678 }],
    ['d74r4z1-1.2.3.4:5678/sdb1_"snet: 5.6.7.8"', { id: 74, region: 4, zone: 1, ip: '1.2.3.4', port: 5678, device: 'sdb1', meta: '"snet: 5.6.7.8"' }],
  ]
  for (const [text, want] of searches) {
    it(`parses the search value ${text}`, () => {
      expect(parseSearchValue(text)).to.deep.equal(want)
    })
  }

  it('refuses search values with leftovers', () => {
    expect(() => parseSearchValue('d1x')).to.throw(/invalid search value/)
    expect(() => parseSearchValue('')).to.throw(/invalid search value/)
  })

  it('matches devices as search_devs does (meta as a substring) and formats them as Swift prints them', () => {
    const dev: RingDevice = { id: 3, region: 1, zone: 2, ip: 'fd00::1', port: 6200, replicationIp: '10.0.0.9', replicationPort: 6300, device: 'sdb', weight: 100, meta: 'shiny new' }
    expect(matchesSearch(dev, parseSearchValue('d3'))).to.equal(true)
    expect(matchesSearch(dev, parseSearchValue('z2-[FD00::1]'))).to.equal(true)
    expect(matchesSearch(dev, parseSearchValue('_new'))).to.equal(true)
    expect(matchesSearch(dev, parseSearchValue('z3'))).to.equal(false)
    expect(formatDevice(dev)).to.equal('d3r1z2-[fd00::1]:6200R10.0.0.9:6300/sdb_"shiny new"')
  })
})
