/**
 * The health console end to end in process: a real appliance with health on (real samplers
 * on this VM, recorded SMART of a healthy SATA, a failing SATA and an NVMe drive), its admin
 * API, /metrics parsed by Prometheus's own Python parser, the log viewer following a request
 * by id, the terminal WebSocket, and non-admins refused everywhere.
 */
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { openTerminal } from '../harness/terminal-client.js'
import { createLog } from '../../src/lib/log.js'
import { TESTER, startTestAppliance, type TestAppliance, type TestUser } from '../harness/test-appliance.js'
import { WebClient } from '../harness/web-client.js'
import { recordedSmartDir } from '../harness/health-fixtures.js'

const VIEWER: TestUser = { account: 'test', user: 'viewer', key: 'viewing' }
const TOKEN = 'scrape-token-0123456789'

const until = async <T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Opens the terminal socket and resolves with what the server sent until `stop` matches. */
const terminal = (url: string, headers: Record<string, string>, first: object | undefined, input?: string, stop?: RegExp) => openTerminal(url, { headers, first, input, stop })

describe('health console (integration: real appliance, real samplers, recorded SMART)', function () {
  this.timeout(90_000)
  let t: TestAppliance
  let smartDir: string
  let admin: WebClient
  let viewer: WebClient

  before(async () => {
    smartDir = recordedSmartDir()
    t = await startTestAppliance({
      users: [TESTER, VIEWER],
      log: createLog('info', () => {}),
      flags: {
        log: { level: 'info', requests: true },
        health: { enabled: true, sampleIntervalSec: 1, alertIntervalSec: 1, smartRecordedDir: smartDir, metrics: { token: TOKEN, allowFrom: [] } },
      },
    })
    admin = new WebClient(t.url)
    await admin.login()
    viewer = new WebClient(t.url)
    await viewer.login('test', 'viewer', 'viewing')
  })
  after(async () => {
    await t?.stop()
    rmSync(smartDir, { recursive: true, force: true })
  })

  it('refuses every admin API to a non-admin session (403) and to no session (401)', async () => {
    const anon = new WebClient(t.url)
    const gets = ['/api/admin/health/summary', '/api/admin/health/history?metric=cpu.load_pct', '/api/admin/health/disks/sdb', '/api/admin/health/disks/sdb/holds', '/api/admin/health/delivery', '/api/admin/alerts', '/api/admin/logs', '/api/admin/audit', '/api/admin/health/events']
    for (const p of gets) {
      expect((await viewer.fetch(p)).status, p).to.equal(403)
      expect((await anon.fetch(p)).status, p).to.equal(401)
    }
    expect((await viewer.fetch('/api/admin/alerts/x/acknowledge', { method: 'POST' })).status).to.equal(403)
    expect((await viewer.fetch('/api/admin/health/smart', { method: 'POST' })).status).to.equal(403)
    const webhook = JSON.stringify({ webhook: { url: 'http://127.0.0.1:9/hook' } })
    expect((await viewer.fetch('/api/admin/health/delivery', { method: 'PUT', body: webhook, headers: { 'Content-Type': 'application/json' } })).status).to.equal(403)
    expect((await viewer.fetch('/api/admin/health/delivery/test', { method: 'POST', body: JSON.stringify({ kind: 'webhook' }), headers: { 'Content-Type': 'application/json' } })).status).to.equal(403)
    // An admin's save without the CSRF token is refused too, and changes nothing.
    expect((await admin.fetch('/api/admin/health/delivery', { method: 'PUT', body: webhook, headers: { 'Content-Type': 'application/json' }, csrf: false })).status).to.equal(403)
    expect(await (await admin.fetch('/api/admin/health/delivery')).json()).to.deep.equal({})
  })

  it('shows the failing disk with its score and reasons, and fires its alert once', async () => {
    const summary = await until(async () => {
      const s = (await (await admin.fetch('/api/admin/health/summary')).json()) as any
      return s.alerts.some((a: any) => a.key === 'smart-failed:sdb') && s.values['cpu.load_pct'] !== undefined ? s : undefined
    })
    const sdb = summary.disks.find((d: any) => d.device === 'sdb')
    expect(sdb.score.status).to.equal('failing')
    expect(sdb.score.reasons).to.include('SMART overall status FAILED')
    expect(summary.disks.find((d: any) => d.device === 'sda').score.score).to.equal(100)
    expect(summary.alerts.filter((a: any) => a.key === 'smart-failed:sdb')).to.have.length(1)
    expect(summary.firing).to.be.at.least(1)
    const disk = (await (await admin.fetch('/api/admin/health/disks/sdb')).json()) as any
    expect(disk.report.attributes.find((a: any) => a.id === 5).raw).to.equal(3912)
  })

  it('acknowledges an alert with the CSRF token only, and writes who did it to the audit trail', async () => {
    const { alerts } = (await (await admin.fetch('/api/admin/alerts?state=firing')).json()) as any
    const a = alerts.find((x: any) => x.key === 'smart-failed:sdb')
    expect((await admin.fetch(`/api/admin/alerts/${a.id}/acknowledge`, { method: 'POST', csrf: false })).status).to.equal(403)
    const r = await admin.fetch(`/api/admin/alerts/${a.id}/acknowledge`, { method: 'POST' })
    expect(r.status).to.equal(200)
    expect(await r.json()).to.include({ state: 'acknowledged', acknowledgedBy: 'test:tester' })
    const audit = (await (await admin.fetch('/api/admin/audit')).json()) as any
    expect(audit.lines.at(-1)).to.include({ type: 'audit', who: 'test:tester', action: 'alert.acknowledge', target: a.id, from: '127.0.0.1' })
  })

  it('answers history of a sampled metric by range', async () => {
    const h = await until(async () => {
      const b = (await (await admin.fetch('/api/admin/health/history?metric=cpu.load_pct,mem.used_bytes&range=hour')).json()) as any
      return b.series[0].points.length >= 2 ? b : undefined
    })
    expect(h.series.map((s: any) => s.metric)).to.deep.equal(['cpu.load_pct', 'mem.used_bytes'])
    expect(h.series[0].stepMs).to.equal(10_000)
    expect((await admin.fetch('/api/admin/health/history?metric=cpu.load_pct&range=decade')).status).to.equal(400)
  })

  it('streams live values and alert changes as server-sent events', async () => {
    const ac = new AbortController()
    const r = await admin.fetch('/api/admin/health/events', { signal: ac.signal })
    expect(r.headers.get('content-type')).to.match(/^text\/event-stream/)
    const reader = r.body!.getReader()
    let text = ''
    const end = Date.now() + 10_000
    while (!/event: values/.test(text) && Date.now() < end) text += new TextDecoder().decode((await reader.read()).value)
    ac.abort()
    expect(text).to.match(/^event: hello/)
    expect(text).to.match(/event: values\ndata: \{"at":\d+,"values":\{/)
  })

  it('serves /metrics with the token only, parsed by the Prometheus text parser', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).to.equal(403)
    expect((await fetch(`${t.url}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status).to.equal(401)
    const { storageUrl, token } = await t.auth()
    await fetch(`${storageUrl}/c`, { method: 'PUT', headers: { 'X-Auth-Token': token } })
    await new Promise((r) => setTimeout(r, 1500))
    const r = await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(r.status).to.equal(200)
    const text = await r.text()
    const parsed = JSON.parse(execFileSync('/usr/bin/python3', ['-c', [
      'import sys, json',
      'from prometheus_client.parser import text_string_to_metric_families',
      'out = {}',
      'for f in text_string_to_metric_families(sys.stdin.read()):',
      '    for s in f.samples: out.setdefault(s.name, []).append([s.labels, s.value])',
      'print(json.dumps(out))',
    ].join('\n')], { input: text, encoding: 'utf8' })) as Record<string, [Record<string, string>, number][]>
    expect(parsed.velox_cpu_load_pct[0][1]).to.be.within(0, 100)
    expect(parsed.velox_disk_score.find(([l]) => l.device === 'sdb')![1]).to.be.below(50)
    expect(parsed.velox_swift_requests_total.find(([l]) => l.verb === 'PUT' && l.status === '2xx')![1]).to.be.at.least(1)
    expect(parsed.velox_alerts.some(([l]) => l.severity === 'critical')).to.equal(true)
    expect(parsed.velox_process_rss_bytes[0][1]).to.be.greaterThan(0)
    expect(parsed).to.have.property('velox_node_process_cpu_seconds_total')
    expect(parsed.velox_storage_replication_backlog[0][1]).to.equal(0)
  })

  it('shows what a ring device holds: partitions from the ring, objects and bytes from the device', async () => {
    const { storageUrl, token } = await t.auth()
    await fetch(`${storageUrl}/holds`, { method: 'PUT', headers: { 'X-Auth-Token': token } })
    for (let i = 0; i < 3; i++) await fetch(`${storageUrl}/holds/o${i}`, { method: 'PUT', headers: { 'X-Auth-Token': token }, body: 'x'.repeat(1000) })
    const devices = [...t.app.devices.keys()]
    const all = await Promise.all(devices.map(async (d) => (await (await admin.fetch(`/api/admin/health/disks/${d}/holds`)).json()) as any))
    for (const b of all) expect(b.devices).to.have.length(1)
    const held = all.map((b) => b.devices[0])
    // Every device of the test ring holds partitions; three replicas of three objects land on them.
    expect(held.every((h) => h.open && h.partitions > 0 && h.handoffPartitions === 0)).to.equal(true)
    expect(held.reduce((a, h) => a + h.objects, 0)).to.equal(9)
    expect(held.reduce((a, h) => a + h.bytes, 0)).to.equal(9000)
    expect(all[0].replication).to.have.property('reports')
    expect((await viewer.fetch(`/api/admin/health/disks/${devices[0]}/holds`)).status).to.equal(403)
    expect((await admin.fetch('/api/admin/health/disks/..%2Fetc/holds')).status).to.equal(400)
  })

  it('finds every log line of one request by its id', async () => {
    const { storageUrl, token } = await t.auth()
    const r = await fetch(`${storageUrl}/no-such-container/o`, { headers: { 'X-Auth-Token': token } })
    const id = r.headers.get('x-trans-id')!
    const logs = await until(async () => {
      const b = (await (await admin.fetch(`/api/admin/logs?requestId=${id}`)).json()) as any
      return b.lines.length ? b : undefined
    })
    expect(logs.lines).to.have.length(1)
    expect(logs.lines[0]).to.include({ type: 'request', trans_id: id, method: 'GET', status: 404 })
    expect((await admin.fetch('/api/admin/logs?level=loud')).status).to.equal(400)
  })

  it('terminal: runs a command after the password, refuses a wrong one, a foreign origin and a non-admin', async () => {
    const cookie = (c: WebClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const origin = t.url
    const ok = await terminal(t.url, { Cookie: cookie(admin), Origin: origin }, { type: 'auth', password: 'testing', csrfToken: admin.csrfToken, cols: 100, rows: 30 }, 'echo hi-$((6*7))\r')
    expect(ok.messages[0].type).to.equal('ready')
    expect(ok.output).to.match(/hi-42/)
    const wrong = await terminal(t.url, { Cookie: cookie(admin), Origin: origin }, { type: 'auth', password: 'nope', csrfToken: admin.csrfToken, cols: 80, rows: 24 })
    expect(wrong.messages).to.deep.equal([{ type: 'error', message: 'wrong password' }])
    const noCsrf = await terminal(t.url, { Cookie: cookie(admin), Origin: origin }, { type: 'auth', password: 'testing', cols: 80, rows: 24 })
    expect(noCsrf.messages).to.deep.equal([{ type: 'error', message: 'missing or wrong CSRF token' }])
    expect((await terminal(t.url, { Cookie: cookie(admin), Origin: 'http://evil.example' }, undefined)).status).to.equal(403)
    expect((await terminal(t.url, { Cookie: cookie(viewer), Origin: origin }, undefined)).status).to.equal(403)
    expect((await terminal(t.url, { Origin: origin }, undefined)).status).to.equal(401)
    const audit = (await (await admin.fetch('/api/admin/audit?q=terminal.session')).json()) as any
    expect(audit.lines).to.have.length(1)
    expect(audit.lines[0]).to.include({ who: 'test:tester', action: 'terminal.session' })
  })

  it('terminal: the shell holds none of the appliance’s files (a disk stays unmountable)', async () => {
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    // The shell's own descriptors that point into the data dir (the databases on every device).
    const dataDir = t.app.config.dataDir
    const r = await terminal(t.url, { Cookie: cookie, Origin: t.url }, { type: 'auth', password: 'testing', csrfToken: admin.csrfToken, cols: 200, rows: 30 }, `echo held=$(ls -l /proc/$$/fd | grep -c -F '${dataDir}')\r`, /held=\d+/)
    expect(r.output).to.match(/held=0\b/)
  })

  // Last: it takes a device away from the appliance.
  it('follows the devices in use now: a device the ring reloader drops fires device-failed and replicas-below-ring', async () => {
    const device = [...t.app.devices.keys()].sort()[0]
    await t.app.replication.reloader.dropDevice(device)
    await t.app.health!.service.evaluate()
    const { alerts } = (await (await admin.fetch('/api/admin/alerts?state=firing')).json()) as any
    const keys = alerts.map((a: any) => a.key)
    expect(keys).to.include(`device-failed:${device}`)
    expect(keys).to.include('replicas-below-ring')
    expect(alerts.find((a: any) => a.key === 'replicas-below-ring').message).to.equal('the ring wants 3 replicas but only 2 devices can hold them')
  })
})
