import { expect } from 'chai'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from './index.js'

describe('config', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'velox-config-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('layers defaults ← file ← environment ← flags', () => {
    writeFileSync(join(dir, 'velox.json'), JSON.stringify({ bind: { port: 9000 }, auth: { tokenLifeSec: 60 }, log: { level: 'warn' } }))
    const c = loadConfig({ flags: { dataDir: dir, log: { level: 'error' } }, env: { VELOX_TOKEN_LIFE: '120' } })
    expect(c.bind).to.deep.equal({ host: '127.0.0.1', port: 9000 }) // file over default, host kept
    expect(c.auth.tokenLifeSec).to.equal(120) // environment over file
    expect(c.log.level).to.equal('error') // flags over all
    expect(c.constraints.max_file_size).to.equal(5368709122)
    expect(Object.isFrozen(c.bind)).to.equal(true)
  })

  it('generates the hash path prefix/suffix once, in swift.conf, and never changes them', () => {
    const a = loadConfig({ flags: { dataDir: dir }, env: {} })
    expect(a.hashPathPrefix).to.match(/^[0-9a-f]{32}$/)
    expect(readFileSync(join(dir, 'etc', 'swift.conf'), 'utf8')).to.contain(`swift_hash_path_suffix = ${a.hashPathSuffix}`)
    const b = loadConfig({ flags: { dataDir: dir }, env: {} })
    expect([b.hashPathPrefix, b.hashPathSuffix]).to.deep.equal([a.hashPathPrefix, a.hashPathSuffix])
  })

  it('rejects invalid values with a clear message', () => {
    expect(() => loadConfig({ flags: { dataDir: dir, bind: { host: 'x', port: 70000 } }, env: {} })).to.throw(/bind.port/)
    writeFileSync(join(dir, 'velox.json'), '{nope')
    expect(() => loadConfig({ flags: { dataDir: dir }, env: {} })).to.throw(/not valid JSON/)
  })

  it('reads reseller prefixes as tempauth does, and keeps the old single resellerPrefix working', () => {
    expect(loadConfig({ flags: { dataDir: dir }, env: {} }).auth.resellerPrefixes).to.deep.equal(['AUTH_'])
    const c = loadConfig({ flags: { dataDir: dir, auth: { resellerPrefixes: ['AUTH', 'SERVICE_'], requireGroup: { SERVICE: 'service' } } }, env: {} })
    expect(c.auth.resellerPrefixes).to.deep.equal(['AUTH_', 'SERVICE_'])
    expect(c.auth.requireGroup).to.deep.equal({ SERVICE_: 'service' })
    writeFileSync(join(dir, 'velox.json'), JSON.stringify({ auth: { resellerPrefix: 'KEY_' } }))
    expect(loadConfig({ flags: { dataDir: dir }, env: {} }).auth.resellerPrefixes).to.deep.equal(['KEY_'])
    expect(() => loadConfig({ flags: { dataDir: dir, auth: { requireGroup: { OTHER_: 'g' } } }, env: {} })).to.throw(/requireGroup/)
    expect(() => loadConfig({ flags: { dataDir: dir, auth: { resellerPrefixes: ['a b'] } }, env: {} })).to.throw(/resellerPrefixes/)
  })

  it('keeps domain remap off unless a storage domain is given', () => {
    expect(loadConfig({ flags: { dataDir: dir }, env: {} }).domainRemap.storageDomain).to.deep.equal([])
    const c = loadConfig({ flags: { dataDir: dir, domainRemap: { storageDomain: ['example.net'] } }, env: {} })
    expect(c.domainRemap).to.deep.equal({ storageDomain: ['example.net'], resellerPrefixes: ['AUTH'] })
    expect(() => loadConfig({ flags: { dataDir: dir, domainRemap: { storageDomain: ['bad domain'] } }, env: {} })).to.throw(/storageDomain/)
  })
})
