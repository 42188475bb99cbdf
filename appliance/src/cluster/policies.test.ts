import { expect } from 'chai'
import { loadConfig } from '../config/index.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { policyProblems } from '../config/policies.js'
import { StoragePolicies, objectRingName } from './policies.js'

describe('storage policies', () => {
  it('names object rings as Swift does: object for policy 0, object-N for policy N', () => {
    expect([0, 1, 12].map(objectRingName)).to.deep.equal(['object', 'object-1', 'object-12'])
  })

  it('finds policies by name or alias, case-insensitively, and lists them for /info', () => {
    const p = new StoragePolicies([{ index: 0, name: 'standard' }, { index: 1, name: 'cheap', aliases: ['two', 'CHEAP'], default: true, replicas: 2 }], 3)
    expect(p.byName('Cheap')?.index).to.equal(1)
    expect(p.byName('TWO')?.index).to.equal(1)
    expect(p.byName('gold')).to.equal(undefined)
    expect(p.default.name).to.equal('cheap')
    expect(p.all.map((x) => x.replicas)).to.deep.equal([3, 2])
    expect(p.info()).to.deep.equal([
      { name: 'standard', aliases: 'standard' },
      { name: 'cheap', aliases: 'cheap, two', default: true },
    ])
  })

  it('refuses what Swift refuses: duplicate indexes or names, bad names, no policy 0, two defaults', () => {
    expect(policyProblems([{ index: 0, name: 'a' }])).to.deep.equal([])
    expect(policyProblems([{ index: 0, name: 'a' }, { index: 0, name: 'b' }])).to.have.length(1)
    expect(policyProblems([{ index: 0, name: 'a' }, { index: 1, name: 'A' }])).to.have.length(1)
    expect(policyProblems([{ index: 0, name: 'a b' }])).to.have.length(1)
    expect(policyProblems([{ index: 1, name: 'a' }])).to.have.length(1)
    expect(policyProblems([{ index: 0, name: 'a', default: true }, { index: 1, name: 'b', default: true }])).to.have.length(1)
  })

  it('gives an appliance a 3-replica default and a 2-replica cheap policy, and a config file may replace them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'velox-policies-'))
    try {
      expect(loadConfig({ flags: { dataDir: dir } }).policies.map((p) => p.name)).to.deep.equal(['standard', 'cheap'])
      const custom = loadConfig({ flags: { dataDir: dir, policies: [{ index: 0, name: 'gold' }] } })
      expect(custom.policies.map((p) => p.name)).to.deep.equal(['gold'])
      expect(() => loadConfig({ flags: { dataDir: dir, policies: [{ index: 2, name: 'x' }] } })).to.throw(/index 0/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
