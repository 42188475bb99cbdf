// End-to-end: `node dist/tools/cli/main.js user …` against a temp data dir, read back by a UserDirectory.
import { expect } from 'chai'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UserDirectory, usersFilePath } from './users.js'

// This file runs from dist/appliance/src/identity/; the CLI is dist/tools/cli/main.js.
const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../tools/cli/main.js')

describe('velox user (CLI)', () => {
  let dataDir: string
  const velox = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [MAIN, 'user', ...args], { encoding: 'utf8', input })
    return { code: r.status, out: r.stdout, err: r.stderr }
  }
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'velox-cli-'))
  })
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

  it('adds users with flags and groups, lists them without keys', async () => {
    const add = velox(['add', '--data', dataDir, 'test', 'tester', 'testing', '--admin', '--group', 'service', '--group', 'ops'])
    expect(add.code, add.err).to.equal(0)
    expect(velox(['add', '--data', dataDir, 'admin', 'admin', 'adminkey', '--reseller-admin']).code).to.equal(0)
    const list = velox(['list', '--data', dataDir])
    expect(list.code).to.equal(0)
    const lines = list.out.trim().split('\n')
    expect(lines[0]).to.match(/^ACCOUNT\s+USER\s+ADMIN\s+RESELLER ADMIN\s+GROUPS$/)
    expect(lines[1]).to.match(/^admin\s+admin\s+no\s+yes$/)
    expect(lines[2]).to.match(/^test\s+tester\s+yes\s+no\s+service,ops$/)
    expect(list.out).not.to.include('testing').and.not.include('$2b$')
    const dir = new UserDirectory(usersFilePath(dataDir))
    expect(await dir.verify('test:tester', 'testing')).to.include({ admin: true })
  })

  it('fails with a clear error when the user exists, and keeps the first key', async () => {
    expect(velox(['add', '--data', dataDir, 'test', 'tester', 'testing']).code).to.equal(0)
    const again = velox(['add', '--data', dataDir, 'test', 'tester', 'other'])
    expect(again.code).to.equal(1)
    expect(again.err).to.include('already exists').and.not.include('other')
    expect(await new UserDirectory(usersFilePath(dataDir)).verify('test:tester', 'testing')).to.not.equal(undefined)
  })

  it('changes a key, reading it from stdin with "-"', async () => {
    expect(velox(['add', '--data', dataDir, 'test', 'tester', 'testing']).code).to.equal(0)
    const passwd = velox(['passwd', '--data', dataDir, 'test', 'tester', '-'], 'new-key\n')
    expect(passwd.code, passwd.err).to.equal(0)
    const dir = new UserDirectory(usersFilePath(dataDir))
    expect(await dir.verify('test:tester', 'testing')).to.equal(undefined)
    expect(await dir.verify('test:tester', 'new-key')).to.not.equal(undefined)
    expect(readFileSync(usersFilePath(dataDir), 'utf8')).not.to.include('new-key')
  })

  it('removes users and reports unknown ones', () => {
    expect(velox(['add', '--data', dataDir, 'test', 'tester', 'testing']).code).to.equal(0)
    expect(velox(['remove', '--data', dataDir, 'test', 'tester']).code).to.equal(0)
    const again = velox(['remove', '--data', dataDir, 'test', 'tester'])
    expect(again.code).to.equal(1)
    expect(again.err).to.include('no user test:tester')
    expect(velox(['passwd', '--data', dataDir, 'test', 'tester', 'x']).code).to.equal(1)
  })

  it('rejects bad names and bad usage with a non-zero exit', () => {
    const bad = velox(['add', '--data', dataDir, 'a:b', 'u', 'k'])
    expect(bad.code).to.equal(1)
    expect(bad.err).to.include("contains ':'")
    expect(velox(['add', '--data', dataDir, 'a', 'u']).code).to.equal(2)
    expect(velox(['frobnicate', '--data', dataDir]).code).to.equal(2)
    expect(velox(['list', '--data', dataDir, '--bogus']).code).to.equal(2)
    expect(velox(['--help']).code).to.equal(0)
  })

  it('defaults --data to ./data', () => {
    const r = spawnSync(process.execPath, [MAIN, 'user', 'add', 'test', 'tester', 'testing'], { cwd: dataDir, encoding: 'utf8' })
    expect(r.status, r.stderr).to.equal(0)
    expect(readFileSync(usersFilePath(join(dataDir, 'data')), 'utf8')).to.include('"tester"')
  })

  it('loses no user when several CLIs add at once (the users file lock)', async () => {
    const names = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']
    const codes = await Promise.all(
      names.map(
        (u) =>
          new Promise<number | null>((done) => {
            const child = spawn(process.execPath, [MAIN, 'user', 'add', '--data', dataDir, 'test', u, 'k'], { stdio: 'ignore' })
            child.on('close', done)
          }),
      ),
    )
    expect(codes).to.deep.equal(names.map(() => 0))
    const users = await new UserDirectory(usersFilePath(dataDir)).list()
    expect(users.map((u) => u.user)).to.deep.equal(names)
  })

  it('is seen by a running UserDirectory', async () => {
    let now = 0
    const server = new UserDirectory(usersFilePath(dataDir), { nowMs: () => now })
    expect(await server.list()).to.deep.equal([])
    expect(velox(['add', '--data', dataDir, 'test', 'tester', 'testing']).code).to.equal(0)
    now += 1000
    expect(await server.verify('test:tester', 'testing')).to.not.equal(undefined)
  })
})
