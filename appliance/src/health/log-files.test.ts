import { expect } from 'chai'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLog } from '../lib/log.js'
import { RotatingLogFile } from '../lib/log-file.js'
import { AuditTrail } from './audit.js'
import { searchLogs } from './log-query.js'
import { formatRfc5424 } from './syslog.js'

describe('health/logs: persisted JSON log, search, audit trail', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'velox-logs-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('rotates at the size cap and never keeps more than maxFiles files', () => {
    const f = new RotatingLogFile(join(dir, 'velox.log'), { maxBytes: 1000, maxFiles: 3 })
    for (let i = 0; i < 100; i++) {
      f.append(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: `line ${i}`, pad: 'x'.repeat(40) }))
      if (i % 10 === 0) f.flush()
    }
    f.close()
    const files = f.files()
    expect(files.map((p) => p.slice(dir.length + 1))).to.deep.equal(['velox.log', 'velox.log.1', 'velox.log.2'])
    for (const p of files) expect(statSync(p).size).to.be.at.most(1000)
    expect(readFileSync(files[0], 'utf8')).to.include('line 99')
  })

  it('finds lines by time range, level, text and request id, newest last', async () => {
    const f = new RotatingLogFile(join(dir, 'velox.log'), { maxBytes: 4000, maxFiles: 5 })
    const log = createLog('debug', () => {})
    const detach = log.attach((l) => f.append(l))
    log.info('audit pass', { device: 'd1' })
    log.record('request', { trans_id: 'txaaaa-0001', method: 'PUT', path: '/v1/AUTH_t/c/o', status: 201 })
    log.error('request failed', { trans_id: 'txaaaa-0001', error: 'Error: disk on fire' })
    log.warn('slow disk', { device: 'd2', password: 'hunter2' })
    for (let i = 0; i < 60; i++) log.debug('noise', { i })
    log.record('request', { trans_id: 'txbbbb-0002', method: 'GET', path: '/v1/AUTH_t/c/o', status: 200 })
    detach()
    f.flush()
    expect(f.files().length).to.be.greaterThan(1) // the search spans rotated files
    const byId = await searchLogs(f.files(), { requestId: 'txaaaa-0001' })
    expect(byId.lines.map((l) => l.type ?? l.level)).to.deep.equal(['request', 'error'])
    expect((await searchLogs(f.files(), { level: 'warn' })).lines.map((l) => l.msg)).to.deep.equal(['request failed', 'slow disk'])
    expect((await searchLogs(f.files(), { text: 'DISK ON FIRE' })).lines).to.have.length(1)
    expect(JSON.stringify((await searchLogs(f.files(), { text: 'slow disk' })).lines)).to.not.include('hunter2')
    expect((await searchLogs(f.files(), { from: Date.now() + 60_000 })).lines).to.have.length(0)
    const limited = await searchLogs(f.files(), { level: 'debug', limit: 5 })
    expect(limited.truncated).to.equal(true)
    expect(limited.lines.at(-1)?.trans_id).to.equal('txbbbb-0002')
    f.close()
  })

  it('keeps admin actions in an audit file apart from the request log', async () => {
    const audit = new AuditTrail(new RotatingLogFile(join(dir, 'audit.log'), { maxBytes: 1 << 20, maxFiles: 2 }))
    const forwarded: string[] = []
    audit.forwardTo((l) => forwarded.push(l))
    audit.record({ who: 'test:admin', action: 'alert.acknowledge', from: '127.0.0.1', target: 'a1' })
    const { lines } = await audit.search({})
    expect(lines).to.have.length(1)
    expect(lines[0]).to.include({ type: 'audit', who: 'test:admin', action: 'alert.acknowledge', from: '127.0.0.1', target: 'a1' })
    expect(forwarded).to.have.length(1)
    audit.close()
  })

  it('formats RFC 5424 messages: priority from level, timestamp, host, app, msgid', () => {
    const m = formatRfc5424('{"time":"2026-01-05T10:00:00.000Z","level":"error","msg":"x"}\n', { appName: 'velox', hostname: 'box 1', procId: '42', facility: 16 })
    expect(m).to.equal('<131>1 2026-01-05T10:00:00.000Z box1 velox 42 error - {"time":"2026-01-05T10:00:00.000Z","level":"error","msg":"x"}')
    expect(formatRfc5424('{"time":"2026-01-05T10:00:00.000Z","type":"audit"}', { appName: 'velox', hostname: 'h', procId: '1', facility: 16 })).to.match(/^<110>1 .* audit - /)
  })
})
