/**
 * HTTPS served by the appliance itself (node:https): TLS 1.2 and 1.3 only, Mozilla's
 * "intermediate" cipher list, the certificate from setup/certificates.ts reloaded live
 * (setSecureContext) whenever a new one is installed, HSTS on every answer. Once it is on,
 * the plain HTTP listener answers everything with a redirect to the same path over HTTPS
 * (308, so that a PUT stays a PUT). Koa, cookies and the storage URL need nothing more:
 * they read the scheme from the socket (ctx.protocol).
 */
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SecureContextOptions } from 'node:tls'
import type { CertificatePair, CertificateStore } from '../setup/certificates.js'

/** Mozilla intermediate (TLS 1.2 part); TLS 1.3 suites are Node's defaults. */
const CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':')

/** Two years, as hstspreload.org asks; no includeSubDomains (the box's name may sit in a company's domain). */
export const HSTS = 'max-age=63072000'

export interface HttpsEndpointOptions {
  host: string
  /** 443 on the appliance; 0 picks a free port (tests). */
  port: number
  handler: RequestListener
  certificates: CertificateStore
  /** Prepares the server's edge before it listens (limits, timeouts: http/connection-limits.ts). */
  prepare?: (server: Server) => void
}

export class HttpsEndpoint {
  private server: Server | undefined
  private unsubscribe: (() => void) | undefined
  private boundPort = 0

  constructor(private readonly o: HttpsEndpointOptions) {}

  get active(): boolean {
    return this.server !== undefined
  }

  get port(): number {
    return this.boundPort
  }

  /** "https://host:port" actually bound. */
  get url(): string {
    const h = this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host === '0.0.0.0' ? '127.0.0.1' : this.o.host
    return `https://${h}${this.boundPort === 443 ? '' : `:${this.boundPort}`}`
  }

  /** Starts listening with the installed certificate (there must be one); a no-op when on. */
  async start(): Promise<void> {
    if (this.server) return
    const pair = this.o.certificates.current()
    if (!pair) throw new Error('no certificate installed')
    const server = createServer({ ...tlsOptions(pair), ALPNProtocols: ['http/1.1'] }, (req, res) => {
      res.setHeader('Strict-Transport-Security', HSTS)
      this.o.handler(req, res)
    })
    server.requestTimeout = 0
    server.keepAliveTimeout = 65_000
    this.o.prepare?.(server)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.o.port, this.o.host, () => resolve())
    })
    this.boundPort = (server.address() as AddressInfo).port
    this.server = server
    this.unsubscribe = this.o.certificates.onChange((p) => server.setSecureContext(tlsOptions(p)))
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    const s = this.server
    this.server = undefined
    if (!s) return
    await new Promise<void>((r) => {
      s.close(() => r())
      s.closeAllConnections()
    })
  }

  /** The plain HTTP listener's handler: a redirect to HTTPS once it is on, else `handler`. */
  httpHandler(handler: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (!this.server) return handler(req, res)
      const host = (req.headers.host ?? this.o.host).replace(/:\d+$/, '')
      const port = this.boundPort === 443 ? '' : `:${this.boundPort}`
      res.writeHead(308, { Location: `https://${host}${port}${req.url ?? '/'}`, 'Content-Type': 'text/plain', Connection: 'close' })
      res.end('This appliance answers over HTTPS.\n')
    }
  }
}

function tlsOptions(p: CertificatePair): SecureContextOptions {
  return { cert: p.certPem, key: p.keyPem, minVersion: 'TLSv1.2', ciphers: CIPHERS, honorCipherOrder: false }
}
