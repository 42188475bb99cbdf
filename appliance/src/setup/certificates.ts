/**
 * The appliance's HTTPS certificate: a self-signed one generated for its name and
 * addresses (with the SHA-256 fingerprint people compare by eye), or one uploaded as PEM
 * (leaf first, then its chain), checked before it is used: it parses, the chain links,
 * the key is the leaf's, it is valid now, and it names this appliance. Kept in
 * `<data>/etc/tls/{cert,key}.pem` (key 0600), written atomically; listeners are told of
 * each new one so the HTTPS listener reloads it without a restart.
 * Must not log keys; knows no HTTP (http/tls-endpoint.ts serves what this holds).
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { generate } from 'selfsigned'
import { VeloxError } from '../errors.js'

export interface CertificateInfo {
  subject: string
  issuer: string
  /** DNS names and IP addresses the certificate is valid for. */
  names: string[]
  notBefore: string
  notAfter: string
  /** "AB:CD:…", SHA-256 of the leaf. */
  fingerprint256: string
  selfSigned: boolean
  /** Certificates in the file (leaf + chain). */
  chainLength: number
  source: 'self-signed' | 'uploaded'
}

export interface CertificatePair {
  certPem: string
  keyPem: string
}

const bad = (m: string): never => {
  throw new VeloxError('bad-request', m)
}

/** A self-signed certificate (ECDSA P-256, SHA-256, 825 days, the browsers' maximum) for `names` and `addresses`. */
export async function generateSelfSigned(names: string[], addresses: string[], now = new Date()): Promise<CertificatePair> {
  const altNames = [...names.map((value) => ({ type: 2 as const, value })), ...addresses.filter((a) => isIP(a)).map((ip) => ({ type: 7 as const, ip }))]
  const r = await generate([{ name: 'commonName', value: names[0] ?? addresses[0] ?? 'velox' }, { name: 'organizationName', value: 'Velox appliance' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 825 * 86400_000),
    // cA: true lets clients trust this very certificate as their CA file (swift --os-cacert).
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  })
  return { certPem: r.cert, keyPem: r.private }
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
}

/**
 * Checks a certificate (with its chain) and key for this appliance, known by `names` and
 * `addresses` (empty = no name check). Throws `bad-request` with what is wrong.
 */
export function inspectPair(pair: CertificatePair, appliance: { names: string[]; addresses: string[] }, now = new Date(), source: CertificateInfo['source'] = 'uploaded'): CertificateInfo {
  if (typeof pair.certPem !== 'string' || typeof pair.keyPem !== 'string') bad('send the certificate and its key as PEM text')
  const blocks = splitPem(pair.certPem)
  if (blocks.length === 0) bad('that is not a certificate: expected PEM text starting with -----BEGIN CERTIFICATE-----')
  let chain: X509Certificate[] = []
  try {
    chain = blocks.map((b) => new X509Certificate(b))
  } catch (err) {
    bad(`the certificate cannot be read: ${(err as Error).message}`)
  }
  let key: KeyObject | undefined
  try {
    key = createPrivateKey(pair.keyPem)
  } catch {
    bad('the key cannot be read: expected an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)')
  }
  const leaf = chain[0]
  if (!leaf.checkPrivateKey(key as KeyObject)) bad('the key does not belong to the certificate (it is the key of another certificate)')
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey)) {
      bad(`the chain is broken: certificate ${i + 2} did not sign certificate ${i + 1} (put the leaf first, then each issuer)`)
    }
  }
  for (const [i, c] of chain.entries()) {
    const which = i === 0 ? 'the certificate' : `chain certificate ${i + 1}`
    if (new Date(c.validTo) < now) bad(`${which} expired on ${new Date(c.validTo).toISOString().slice(0, 10)}`)
    if (new Date(c.validFrom) > now) bad(`${which} is not valid before ${new Date(c.validFrom).toISOString().slice(0, 10)}`)
  }
  const matches = appliance.names.some((n) => leaf.checkHost(n) !== undefined) || appliance.addresses.some((a) => leaf.checkIP(a) !== undefined)
  if (appliance.names.length + appliance.addresses.length > 0 && !matches) {
    bad(`the certificate is for ${altNames(leaf).join(', ') || leaf.subject}, not for this appliance (${[...appliance.names, ...appliance.addresses].join(', ')})`)
  }
  return describe(chain, source)
}

/** What a certificate chain is, without judging it (an installed one may have expired since). */
function describe(chain: X509Certificate[], source: CertificateInfo['source']): CertificateInfo {
  const leaf = chain[0]
  return {
    subject: leaf.subject.replace(/\n/g, ', '),
    issuer: leaf.issuer.replace(/\n/g, ', '),
    names: altNames(leaf),
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
    fingerprint256: leaf.fingerprint256,
    selfSigned: leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey),
    chainLength: chain.length,
    source,
  }
}

function altNames(c: X509Certificate): string[] {
  return (c.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((n) => n.replace(/^(DNS|IP Address):/, ''))
}

/** The certificate files of one data dir, and who wants to know when they change. */
export class CertificateStore {
  private readonly dir: string
  private readonly listeners = new Set<(pair: CertificatePair) => void>()

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'etc', 'tls')
  }

  get certPath(): string {
    return join(this.dir, 'cert.pem')
  }

  /** The installed pair, or undefined before one was installed. */
  current(): (CertificatePair & { source: CertificateInfo['source'] }) | undefined {
    if (!existsSync(this.certPath)) return undefined
    const source = existsSync(join(this.dir, 'source')) && readFileSync(join(this.dir, 'source'), 'utf8') === 'uploaded' ? 'uploaded' : 'self-signed'
    return { certPem: readFileSync(this.certPath, 'utf8'), keyPem: readFileSync(join(this.dir, 'key.pem'), 'utf8'), source }
  }

  /** What the installed certificate is (no name check: it was checked when installed). */
  info(): CertificateInfo | undefined {
    const c = this.current()
    return c && describe(splitPem(c.certPem).map((b) => new X509Certificate(b)), c.source)
  }

  /** Writes the pair (key first, each atomically) and tells the listeners. */
  install(given: CertificatePair, source: CertificateInfo['source']): void {
    // One block per line group, whatever line ends and joins the upload had ("…-----END CERTIFICATE----------BEGIN…").
    const pair = { certPem: `${splitPem(given.certPem).join('\n')}\n`, keyPem: given.keyPem }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    atomicWrite(join(this.dir, 'key.pem'), pair.keyPem, 0o600)
    atomicWrite(this.certPath, pair.certPem, 0o644)
    atomicWrite(join(this.dir, 'source'), source, 0o644)
    for (const fn of this.listeners) fn(pair)
  }

  onChange(fn: (pair: CertificatePair) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}

function atomicWrite(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, text, { mode, flush: true })
  renameSync(tmp, path)
}
