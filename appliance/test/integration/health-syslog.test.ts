/**
 * Syslog forwarding received by listeners the test starts on loopback: UDP (a datagram per
 * message), TCP and TLS (octet-counted frames), the TLS one with a certificate made here.
 */
import { expect } from 'chai'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import selfsigned from 'selfsigned'
import { createLog } from '../../src/lib/log.js'
import { SyslogForwarder } from '../../src/health/syslog.js'

/** Splits an octet-counted stream into messages. */
function framer(onMessage: (m: string) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0)
  return (chunk) => {
    buf = Buffer.concat([buf, chunk])
    for (;;) {
      const sp = buf.indexOf(0x20)
      if (sp < 0) return
      const len = Number(buf.subarray(0, sp).toString())
      if (buf.length < sp + 1 + len) return
      onMessage(buf.subarray(sp + 1, sp + 1 + len).toString())
      buf = buf.subarray(sp + 1 + len)
    }
  }
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
}

function emitThree(fwd: SyslogForwarder): void {
  const log = createLog('info', () => {})
  log.attach((l) => fwd.send(l))
  log.info('first', { n: 1 })
  log.error('second', { trans_id: 'tx123' })
  log.record('request', { trans_id: 'tx123', status: 200 })
}

function check(msgs: string[]): void {
  expect(msgs).to.have.length(3)
  expect(msgs[0]).to.match(/^<134>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ velox \d+ info - \{.*"msg":"first"/)
  expect(msgs[1]).to.match(/^<131>1 .* velox \d+ error - .*"trans_id":"tx123"/)
  expect(msgs[2]).to.match(/^<134>1 .* request - /)
}

describe('health syslog forwarding (integration: local UDP, TCP and TLS listeners)', () => {
  it('UDP: one RFC 5424 datagram per line', async () => {
    const got: string[] = []
    const sock = createSocket('udp4')
    sock.on('message', (m) => got.push(m.toString()))
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))
    const fwd = new SyslogForwarder({ host: '127.0.0.1', port: sock.address().port, transport: 'udp' })
    emitThree(fwd)
    await until(() => got.length >= 3)
    await fwd.close()
    sock.close()
    check(got)
  })

  it('TCP: octet-counted frames, queued until the listener is there', async () => {
    const got: string[] = []
    const server: Server = createServer((s: Socket) => s.on('data', framer((m) => got.push(m))))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const fwd = new SyslogForwarder({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, transport: 'tcp' })
    emitThree(fwd)
    await until(() => got.length >= 3)
    await fwd.close()
    await new Promise<void>((r) => server.close(() => r()))
    check(got)
  })

  it('TLS: the same frames over a verified TLS connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velox-syslog-tls-'))
    try {
      const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { days: 1, keySize: 2048, extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }] } as never)
      const caFile = join(dir, 'ca.pem')
      writeFileSync(caFile, pems.cert)
      const got: string[] = []
      const server = createTlsServer({ key: pems.private, cert: pems.cert }, (s) => s.on('data', framer((m) => got.push(m))))
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      const fwd = new SyslogForwarder({ host: 'localhost', port: (server.address() as AddressInfo).port, transport: 'tls', caFile })
      emitThree(fwd)
      await until(() => got.length >= 3)
      await fwd.close()
      await new Promise<void>((r) => server.close(() => r()))
      check(got)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
