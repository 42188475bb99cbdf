/**
 * A fresh appliance started as `velox serve --setup` would be, driven through /api/setup
 * to a working HTTPS Swift endpoint; then real clients over HTTPS (python-swiftclient with
 * --os-cacert, rclone with --ca-cert), an uploaded certificate replacing the generated one
 * live, refused certificates, the admin settings, and a restart that comes back on HTTPS.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { generate } from 'selfsigned'
import { loadConfig } from '../../src/config/index.js'
import { createLog, silentLog } from '../../src/lib/log.js'
import { startAppliance, type Appliance } from '../../src/main.js'
import { SetupClient, ringsOf, startNtpServer } from '../harness/setup-client.js'
import { openTerminal } from '../harness/terminal-client.js'

const run = promisify(execFile)
const PASSWORD = 'Velvet-Otter-42!'

async function start(dataDir: string, audit?: string[]): Promise<Appliance> {
  const config = loadConfig({ flags: { dataDir, bind: { host: '127.0.0.1', port: 0 }, https: { port: 0 }, log: { level: 'error', requests: false }, disks: { only: ['/dev/velox-none'] } }, env: {} })
  const log = audit ? createLog('error', (l) => audit.push(l)) : silentLog
  return startAppliance(config, log, { setup: true })
}

/** Object data files (`<timestamp>.data`) anywhere under `root`. */
function dataFilesUnder(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.data'))
}

/** The health console's audit trail of this data dir (after its 200 ms write-behind). */
async function auditLinesOf(dir: string): Promise<Array<Record<string, unknown> & { action: string }>> {
  await new Promise((r) => setTimeout(r, 400))
  const file = join(dir, 'log', 'audit.log')
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown> & { action: string }) : []
}

describe('setup wizard API and HTTPS in the box', function () {
  this.timeout(120_000)
  let dir: string
  let box: Appliance
  let c: SetupClient
  let caFile: string
  const audit: string[] = []
  let ntp: Awaited<ReturnType<typeof startNtpServer>>
  const auditLines = () => auditLinesOf(dir)

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'velox-setup-'))
    ntp = await startNtpServer(1500)
    box = await start(dir, audit)
    c = new SetupClient(box.url)
  })

  after(async () => {
    ntp?.close()
    await box?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers the Swift API with 503 and a clear body, and the JSON API with 503, until set up', async () => {
    const auth = await c.call('GET', '/auth/v1.0')
    expect(auth.status).to.equal(503)
    expect(auth.text).to.match(/not set up yet.*setup code/)
    expect((await c.call('GET', '/v1/AUTH_admin')).status).to.equal(503)
    expect((await c.call('GET', '/api/shares')).status).to.equal(503)
    expect((await c.call('GET', '/api/setup/status')).json).to.deep.equal({ pending: true, claimed: false })
  })

  it('refuses a wrong setup code and steps before a claim', async () => {
    const wrong = await c.call('POST', '/api/setup/claim', { code: 'AAAA-BBBB-CCCC' })
    expect(wrong.status).to.equal(401)
    expect(wrong.json.message).to.match(/wrong setup code/)
    expect((await c.call('POST', '/api/setup/steps/admin', { user: 'x' })).status).to.equal(401)
  })

  it('walks every step with server-side validation, Back, and a resumable state', async () => {
    const ok = await c.call('POST', '/api/setup/claim', { code: box.firstBoot.wizard.code.code.toLowerCase() })
    expect(ok.status).to.equal(200)
    expect(ok.json.step).to.equal('admin')
    const weak = await c.call('POST', '/api/setup/steps/admin', { user: 'ada', password: 'password12' })
    expect([weak.status, weak.json.message]).to.deep.equal([400, 'the password is too weak: make it longer or mix letters, digits and symbols'])
    expect((await c.call('POST', '/api/setup/steps/network', {})).json.message).to.equal('finish the admin step first')
    const admin = await c.call('POST', '/api/setup/steps/admin', { user: 'ada', password: PASSWORD })
    expect(admin.status).to.equal(200)
    expect((admin.json.session as { user: unknown }).user).to.deep.equal({ account: 'admin', user: 'ada', admin: true })

    expect((await c.call('POST', '/api/setup/steps/identity', { hostname: 'bad_name', timeZone: 'UTC', ntp: [ntp.address] })).json.message).to.match(/may only hold letters/)
    const id = await c.call('POST', '/api/setup/steps/identity', { hostname: 'velox-test', timeZone: 'Europe/Paris', ntp: [ntp.address, '127.0.0.1:9'] })
    expect(id.status).to.equal(200)
    const clock = (id.json.identity as { clock: { samples: Array<{ offsetMs: number }>; errors: string[] } }).clock
    expect(clock.samples).to.have.length(1)
    expect(clock.samples[0].offsetMs).to.be.within(1000, 2000)
    expect(clock.errors).to.have.length(1)

    const ifaces = (await c.call('GET', '/api/setup/interfaces')).json.interfaces as Array<{ name: string }>
    expect(ifaces.length).to.be.greaterThan(0)
    expect((await c.call('POST', '/api/setup/steps/network', { frontEnd: ifaces[0].name, mode: 'static', address: '10.1.2.0/24', dns: ['10.1.2.1'] })).json.message).to.match(/network address/)
    if (ifaces.length >= 2) {
      const overlapping = { frontEnd: ifaces[0].name, backEnd: ifaces[1].name, mode: 'static', address: '192.168.1.20/16', dns: ['192.168.1.1'], backEndAddress: '192.168.7.20/24' }
      const o = await c.call('POST', '/api/setup/steps/network', overlapping)
      expect([o.status, o.json.message]).to.deep.equal([400, 'the replication network 192.168.7.20/24 overlaps the client network 192.168.1.20/16: use a separate subnet'])
      expect((await c.call('GET', '/api/setup/status')).json).to.include({ step: 'network' }).and.not.have.property('network')
    }
    expect((await c.call('POST', '/api/setup/steps/network', { frontEnd: ifaces[0].name, mode: 'dhcp', dns: [] })).status).to.equal(200)
    expect((await c.call('POST', '/api/setup/back')).json.step).to.equal('network')
    expect((await c.call('POST', '/api/setup/steps/network', { frontEnd: ifaces[0].name, mode: 'dhcp', dns: [] })).json.step).to.equal('disks')

    expect((await c.call('POST', '/api/setup/steps/disks', { replicas: 1, builtIn: true })).json.message).to.match(/confirm that you accept/)
    expect((await c.call('POST', '/api/setup/steps/disks', { replicas: 3, devices: ['no-such-disk'] })).json.message).to.match(/3 copies need at least 3 disks/)
    expect((await c.call('POST', '/api/setup/steps/disks', { replicas: 3, devices: ['no-such-disk', 'b', 'c'] })).json.message).to.match(/disk no-such-disk is gone/)
    // Two copies on the built-in storage: recorded now, applied to the rings at finish.
    expect((await c.call('POST', '/api/setup/steps/disks', { replicas: 2, acceptFewerCopies: true, builtIn: true })).json.step).to.equal('cluster')
    expect(ringsOf(join(dir, 'etc')).object.replicas).to.equal(3)
    expect((await c.call('POST', '/api/setup/steps/cluster', { mode: 'join' })).json.message).to.match(/not available yet/)
    expect((await c.call('POST', '/api/setup/steps/cluster', { mode: 'create' })).json.step).to.equal('https')
    expect((await c.call('POST', '/api/setup/steps/https', { mode: 'upload', certPem: 'not a certificate', keyPem: '' })).json.message).to.match(/not a certificate/)

    // A restart here (a reboot) resumes at the same step; the claim cookie and session still work.
    await box.stop()
    box = await start(dir, audit)
    c.base = box.url
    const resumed = await c.call('GET', '/api/setup/status')
    expect([resumed.json.claimed, resumed.json.step]).to.deep.equal([true, 'https'])

    const https = await c.call('POST', '/api/setup/steps/https', { mode: 'self-signed' })
    const cert = https.json.https as { fingerprint256: string; names: string[] }
    expect(cert.names).to.include.members(['velox-test', 'velox-test.local', '127.0.0.1'])
    expect(https.json.step).to.equal('summary')
  })

  it('finishes: HTTPS with HSTS, HTTP redirects, the wizard is gone, the audit log has the steps', async () => {
    const done = await c.call('POST', '/api/setup/finish')
    expect(done.status).to.equal(200)
    const httpsUrl = done.json.httpsUrl as string
    expect(httpsUrl).to.match(/^https:\/\/127\.0\.0\.1:\d+$/)
    caFile = join(dir, 'ca.pem')
    writeFileSync(caFile, readFileSync(join(dir, 'etc', 'tls', 'cert.pem')))
    const redirect = await c.call('GET', '/v1/AUTH_admin/c?x=1')
    expect(redirect.status).to.equal(308)
    expect(redirect.headers.location).to.equal(`${httpsUrl}/v1/AUTH_admin/c?x=1`)
    c.base = httpsUrl
    c.ca = readFileSync(caFile, 'utf8')
    const info = await c.call('GET', '/info')
    expect(info.status).to.equal(200)
    expect(info.headers['strict-transport-security']).to.equal('max-age=63072000')
    const session = await c.call('GET', '/api/session')
    expect(session.status).to.equal(200)
    expect(String(session.headers['set-cookie'])).to.match(/^velox_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Secure$/)
    expect((await c.call('GET', '/api/setup/status')).status).to.equal(404)
    const page = await c.call('GET', '/setup')
    expect([page.status, page.headers.location]).to.deep.equal([302, '/'])
    expect((await c.call('POST', '/api/setup/claim', { code: box.firstBoot.wizard.code.code })).status).to.equal(404)
    expect((await c.call('GET', '/auth/v1.0')).status).to.equal(401)
    // The disk step's two copies are in every ring file, over the built-in devices.
    for (const ring of Object.values(ringsOf(join(dir, 'etc')))) expect(ring).to.deep.equal({ replicas: 2, devices: ['d1', 'd2', 'd3'] })
    const lines = await auditLines()
    expect(lines.filter((l) => l.action === 'setup.step').map((l) => l.target)).to.include.members(['admin', 'identity', 'network', 'disks', 'cluster', 'https'])
    expect(lines.find((l) => l.action === 'setup.complete')).to.include({ who: 'admin:ada', hostname: 'velox-test', replicas: 2 })
    expect(JSON.stringify(lines) + audit.join('')).to.not.include(PASSWORD)
  })

  it('opens the web terminal over HTTPS (wss) with the generated certificate; plain HTTP refuses it', async () => {
    const headers = { Cookie: c.cookieHeader(), Origin: c.base }
    const out = await openTerminal(c.base, { headers, ca: c.ca, first: { type: 'auth', password: PASSWORD, csrfToken: c.csrf, cols: 80, rows: 24 }, input: 'echo hi-$((6*7))\r' })
    expect(out.messages[0]).to.include({ type: 'ready' })
    expect(out.output).to.match(/hi-42/)
    const plain = await openTerminal(box.url, { headers: { Cookie: c.cookieHeader(), Origin: box.url } })
    expect(plain.status).to.equal(403)
  })

  it('serves python-swiftclient and rclone over HTTPS with the generated certificate as CA file', async function () {
    if (!existsSync('/usr/bin/swift') || !existsSync('/usr/bin/rclone')) {
      console.log('    (skipped: python3-swiftclient or rclone missing; make test installs them)')
      return this.skip()
    }
    const authUrl = `${c.base}/auth/v1.0`
    const file = join(dir, 'hello.txt')
    writeFileSync(file, 'hello over TLS\n')
    const swift = (...a: string[]) => run('/usr/bin/swift', ['--os-cacert', caFile, '-A', authUrl, '-U', 'admin:ada', '-K', PASSWORD, ...a], { cwd: dir })
    await swift('upload', 'tls', 'hello.txt')
    expect(dataFilesUnder(join(dir, 'devices')), 'one object, two copies').to.have.length(2)
    const { stdout } = await swift('download', 'tls', 'hello.txt', '-o', '-')
    expect(stdout).to.equal('hello over TLS\n')
    const { stdout: storage } = await swift('auth')
    expect(storage).to.include(`export OS_STORAGE_URL=${c.base}/v1/AUTH_admin`)
    const remote = `:swift,auth='${authUrl}',user='admin:ada',key='${PASSWORD}':`
    await run('/usr/bin/rclone', ['--config', '/dev/null', '--ca-cert', caFile, 'copyto', file, `${remote}tls/rclone.txt`])
    const { stdout: cat } = await run('/usr/bin/rclone', ['--config', '/dev/null', '--ca-cert', caFile, 'cat', `${remote}tls/rclone.txt`])
    expect(cat).to.equal('hello over TLS\n')
  })

  it('speaks HTTP/2 (ALPN h2) to curl --http2: auth, a 6 MiB PUT, GET and HEAD, the storage URL on the host asked', async () => {
    const curl = async (...a: string[]) => (await run('curl', ['-sS', '--http2', '--cacert', caFile, '--max-time', '60', ...a])).stdout
    const head = await curl('-D', '-', '-o', '/dev/null', '-H', 'X-Auth-User: admin:ada', '-H', `X-Auth-Key: ${PASSWORD}`, `${c.base}/auth/v1.0`)
    expect(head).to.match(/^HTTP\/2 200/)
    expect(head).to.match(/^strict-transport-security: max-age=63072000\r$/m)
    const token = /^x-auth-token: (\S+)/im.exec(head)![1]
    const storage = /^x-storage-url: (\S+)/im.exec(head)![1]
    expect(storage).to.equal(`${c.base}/v1/AUTH_admin`)
    const file = join(dir, 'h2.bin')
    const body = randomBytes(6 * 2 ** 20)
    writeFileSync(file, body)
    const auth = ['-H', `X-Auth-Token: ${token}`]
    expect(await curl(...auth, '-X', 'PUT', '-w', '%{http_version} %{http_code}', '-o', '/dev/null', `${storage}/h2`)).to.equal('2 201')
    expect(await curl(...auth, '-T', file, '-w', '%{http_version} %{http_code}', '-o', '/dev/null', `${storage}/h2/big.bin`)).to.equal('2 201')
    const out = join(dir, 'h2.out')
    expect(await curl(...auth, '-w', '%{http_version} %{http_code}', '-o', out, `${storage}/h2/big.bin`)).to.equal('2 200')
    expect(readFileSync(out).equals(body)).to.equal(true)
    const headObject = await curl(...auth, '-I', `${storage}/h2/big.bin`)
    expect(headObject).to.match(/^HTTP\/2 200/).and.match(/^content-length: 6291456\r$/m)
    expect(await curl(...auth, '-w', '%{http_version} %{http_code}', '-o', '/dev/null', `${storage}/h2/missing`)).to.equal('2 404')
    expect(await curl('--http1.1', ...auth, '-w', '%{http_version} %{http_code}', '-o', '/dev/null', `${storage}/h2/big.bin`), 'HTTP/1.1 still answers').to.equal('1.1 200')
  })

  it('replaces the certificate live with an uploaded one and refuses bad ones with clear messages', async () => {
    const before = (await c.call('GET', '/info')).fingerprint256
    const ca = await generate([{ name: 'commonName', value: 'Test CA' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, critical: true }] })
    const leaf = await generate([{ name: 'commonName', value: 'velox-test' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', ca: { key: ca.private, cert: ca.cert }, extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'velox-test' }, { type: 7, ip: '127.0.0.1' }] }] })
    const other = await generate([{ name: 'commonName', value: 'elsewhere.example' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' })
    const wrongKey = await c.call('POST', '/api/admin/settings/certificate', { mode: 'upload', certPem: leaf.cert, keyPem: other.private })
    expect([wrongKey.status, wrongKey.json.message]).to.deep.equal([400, 'the key does not belong to the certificate (it is the key of another certificate)'])
    const mismatch = await c.call('POST', '/api/admin/settings/certificate', { mode: 'upload', certPem: other.cert, keyPem: other.private })
    expect(mismatch.json.message).to.match(/is for .*elsewhere\.example.*not for this appliance/)
    const day = 86400_000
    const old = await generate([{ name: 'commonName', value: 'velox-test' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate: new Date(Date.now() - 400 * day), notAfterDate: new Date(Date.now() - 30 * day), extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'velox-test' }] }] })
    const expired = await c.call('POST', '/api/admin/settings/certificate', { mode: 'upload', certPem: old.cert, keyPem: old.private })
    expect(`${expired.status} ${expired.json.message}`).to.match(/^400 .*expired on \d{4}-\d\d-\d\d/)
    expect((await c.call('GET', '/info')).fingerprint256, 'still the certificate from before').to.equal(before)
    const up = await c.call('POST', '/api/admin/settings/certificate', { mode: 'upload', certPem: leaf.cert + ca.cert, keyPem: leaf.private })
    expect(up.status).to.equal(200)
    c.ca = ca.cert
    const after = await c.call('GET', '/info')
    expect(after.status).to.equal(200)
    expect(after.fingerprint256).to.not.equal(before)
    expect(after.fingerprint256).to.equal((up.json.certificate as { fingerprint256: string }).fingerprint256)
    expect((await auditLines()).find((l) => l.action === 'settings.set-certificate')).to.include({ who: 'admin:ada', from: '127.0.0.1', source: 'uploaded' })
  })

  it('manages users from the admin settings, keeping the last admin', async () => {
    expect((await c.call('POST', '/api/admin/users', { account: 'family', user: 'bob', password: 'Blue-Kettle-77?' })).status).to.equal(201)
    expect((await c.call('PUT', '/api/admin/users/family/bob/admin', { admin: true })).json.users).to.deep.include({ account: 'family', user: 'bob', admin: true })
    expect((await c.call('PUT', '/api/admin/users/family/bob/password', { password: 'Green-Teapot-88#' })).status).to.equal(204)
    expect((await c.call('DELETE', '/api/admin/users/admin/ada')).json.message).to.match(/cannot remove yourself/)
    expect((await c.call('DELETE', '/api/admin/users/family/bob')).status).to.equal(200)
    expect((await c.call('PUT', '/api/admin/settings/identity', { hostname: '-bad' })).status).to.equal(400)
    expect((await c.call('GET', '/api/admin/settings')).json.identity).to.deep.equal({ hostname: 'velox-test' })
    expect((await auditLines()).filter((l) => l.action.startsWith('settings.') && l.target === 'family:bob').map((l) => l.action)).to.deep.equal(['settings.add-user', 'settings.make-admin', 'settings.reset-password', 'settings.remove-user'])
    const anon = new SetupClient(c.base, c.ca)
    expect((await anon.call('GET', '/api/admin/users')).status).to.equal(401)
  })

  it('comes back after a restart on HTTPS without the wizard', async () => {
    await box.stop()
    box = await start(dir)
    expect(box.firstBoot.gated()).to.equal(false)
    expect(box.firstBoot.https.active).to.equal(true)
    const again = new SetupClient(box.firstBoot.https.url, c.ca)
    expect((await again.call('GET', '/info')).status).to.equal(200)
  })
})
