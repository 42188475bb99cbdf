import { expect } from 'chai'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OsSettings, clearConsole, showOnConsole } from './os-settings.js'
import { checkPattern } from './validate.js'

/** Records the commands instead of running them: this machine's host name must not change in a test. */
function recorder() {
  const calls: string[] = []
  return {
    calls,
    system: {
      setHostname: async (n: string) => void calls.push(`hostname ${checkPattern(n, /^[a-z0-9][a-z0-9.-]{0,252}$/, 'host name')}`),
      setTimeZone: async (z: string) => void calls.push(`timezone ${z}`),
      reloadNetworkd: async () => void calls.push('networkctl reload'),
      restartTimesyncd: async () => void calls.push('timesyncd restart'),
    },
  }
}

describe('system/os-settings', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'velox-os-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('writes the NTP drop-in and sets name and zone', async () => {
    const r = recorder()
    const os = new OsSettings(r.system, { networkdDir: join(dir, 'network'), timesyncdDir: join(dir, 'timesyncd.conf.d') })
    await os.applyIdentity({ hostname: 'velox-01', timeZone: 'Europe/Paris', ntp: ['0.pool.ntp.org', '10.0.0.1'] })
    expect(r.calls).to.deep.equal(['hostname velox-01', 'timezone Europe/Paris', 'timesyncd restart'])
    expect(readFileSync(join(dir, 'timesyncd.conf.d', '50-velox.conf'), 'utf8')).to.include('NTP=0.pool.ntp.org 10.0.0.1')
    await os.applyIdentity({ hostname: 'x', timeZone: 'UTC', ntp: ['a b'] }).then(() => expect.fail('accepted'), (e: Error) => expect(e.message).to.match(/refusing to write NTP server/))
  })

  it('replaces only its own networkd files, then reloads', async () => {
    const r = recorder()
    const net = join(dir, 'network')
    mkdirSync(net)
    writeFileSync(join(net, '10-velox-old0.network'), 'old')
    writeFileSync(join(net, '99-admin.network'), 'mine')
    const os = new OsSettings(r.system, { networkdDir: net, timesyncdDir: join(dir, 't') })
    await os.applyNetwork({ '10-velox-eno1.network': '[Match]\nName=eno1\n' })
    expect(readdirSync(net).sort()).to.deep.equal(['10-velox-eno1.network', '99-admin.network'])
    expect(r.calls).to.deep.equal(['networkctl reload'])
    await os.applyNetwork({ '../etc/passwd': '' }).then(() => expect.fail('accepted'), (e: Error) => expect(e.message).to.match(/refusing to write/))
  })

  it('shows the setup code in the console banner and takes it away', () => {
    const paths = { issueDir: join(dir, 'issue.d') }
    showOnConsole('Velox setup code: ABCD-EFGH-JKMN\nOpen http://\\4/', paths)
    expect(readFileSync(join(dir, 'issue.d', '50-velox-setup.issue'), 'utf8')).to.equal('Velox setup code: ABCD-EFGH-JKMN\nOpen http://\\4/\n')
    clearConsole(paths)
    expect(readdirSync(join(dir, 'issue.d'))).to.deep.equal([])
  })
})
