import { expect } from 'chai'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { VeloxError } from '../errors.js'
import { CertificateStore, generateSelfSigned, inspectPair } from './certificates.js'

const BOX = { names: ['velox-test.example'], addresses: ['127.0.0.1'] }

function refused(fn: () => unknown, message: RegExp): void {
  try {
    fn()
  } catch (err) {
    expect(err).to.be.instanceOf(VeloxError)
    expect((err as VeloxError).kind).to.equal('bad-request')
    expect((err as Error).message).to.match(message)
    return
  }
  expect.fail(`accepted, expected ${message}`)
}

/** A CA and a leaf it signed for `names`, valid from `from` to `to`. */
async function caSigned(names: string[], from = new Date(Date.now() - 86400_000), to = new Date(Date.now() + 90 * 86400_000)) {
  const ca = await generate([{ name: 'commonName', value: 'Velox Test CA' }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true }],
  })
  const leaf = await generate([{ name: 'commonName', value: names[0] }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notBeforeDate: from, notAfterDate: to,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'basicConstraints', cA: false }, { name: 'subjectAltName', altNames: names.map((value) => ({ type: 2 as const, value })) }],
  })
  return { ca, leaf }
}

describe('setup/certificates', function () {
  this.timeout(20_000)

  it('generates a self-signed certificate naming the appliance and its addresses, with a SHA-256 fingerprint', async () => {
    const pair = await generateSelfSigned(['velox-test.example'], ['127.0.0.1', 'not-an-ip'])
    const info = inspectPair(pair, BOX)
    expect(info.names).to.deep.equal(['velox-test.example', '127.0.0.1'])
    expect(info.selfSigned).to.equal(true)
    expect(info.fingerprint256).to.equal(new X509Certificate(pair.certPem).fingerprint256).and.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
    expect(Date.parse(info.notAfter) - Date.now()).to.be.greaterThan(800 * 86400_000)
  })

  it('accepts an uploaded leaf with its chain and says when it expires', async () => {
    const { ca, leaf } = await caSigned(['velox-test.example'])
    const info = inspectPair({ certPem: leaf.cert + ca.cert, keyPem: leaf.private }, BOX)
    expect(info.chainLength).to.equal(2)
    expect(info.selfSigned).to.equal(false)
    expect(info.issuer).to.include('Velox Test CA')
  })

  it('refuses what is not a certificate, a key of another certificate, a broken chain, an expired or a mismatched certificate', async () => {
    const { ca, leaf } = await caSigned(['velox-test.example'])
    const other = await caSigned(['velox-test.example'])
    refused(() => inspectPair({ certPem: 'hello', keyPem: leaf.private }, BOX), /not a certificate/)
    refused(() => inspectPair({ certPem: leaf.cert, keyPem: 'nope' }, BOX), /key cannot be read/)
    refused(() => inspectPair({ certPem: leaf.cert, keyPem: other.leaf.private }, BOX), /key does not belong to the certificate/)
    refused(() => inspectPair({ certPem: leaf.cert + other.ca.cert, keyPem: leaf.private }, BOX), /chain is broken/)
    const old = await caSigned(['velox-test.example'], new Date(Date.now() - 400 * 86400_000), new Date(Date.now() - 30 * 86400_000))
    refused(() => inspectPair({ certPem: old.leaf.cert, keyPem: old.leaf.private }, BOX), /expired on \d{4}-\d\d-\d\d/)
    const elsewhere = await caSigned(['files.other.example'])
    refused(() => inspectPair({ certPem: elsewhere.leaf.cert, keyPem: elsewhere.leaf.private }, BOX), /is for files\.other\.example, not for this appliance/)
    expect(ca.cert).to.be.a('string')
  })

  it('installs a pair with a private key file and tells listeners', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velox-certs-'))
    try {
      const store = new CertificateStore(dir)
      expect(store.current()).to.equal(undefined)
      const seen: string[] = []
      store.onChange((p) => seen.push(p.certPem))
      const pair = await generateSelfSigned(['velox-test.example'], [])
      store.install(pair, 'self-signed')
      const fingerprint = new X509Certificate(pair.certPem).fingerprint256
      expect(seen.map((pem) => new X509Certificate(pem).fingerprint256)).to.deep.equal([fingerprint])
      expect(store.current()).to.deep.equal({ certPem: seen[0], keyPem: pair.keyPem, source: 'self-signed' })
      expect(seen[0]).to.match(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/)
      expect(statSync(join(dir, 'etc', 'tls', 'key.pem')).mode & 0o777).to.equal(0o600)
      expect(store.info()?.fingerprint256).to.equal(new X509Certificate(pair.certPem).fingerprint256)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
