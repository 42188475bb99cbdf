/**
 * HTTPS served by the appliance itself: HTTP/2 where the client offers it (ALPN h2) and
 * HTTP/1.1 on the same port otherwise (node:http2 with allowHTTP1; Swift clients, WebSocket
 * upgrades and curl --http1.1 take that side). TLS 1.2 and 1.3 only, Mozilla's
 * "intermediate" cipher list, the certificate from setup/certificates.ts reloaded live
 * (setSecureContext) whenever a new one is installed, HSTS on every answer. Once it is on,
 * the plain HTTP listener answers everything with a redirect to the same path over HTTPS
 * (308, so that a PUT stays a PUT). Koa, cookies and the storage URL need nothing more:
 * they read the scheme from the socket (ctx.protocol).
 */
import type { IncomingMessage, Server as HttpServer, RequestListener, ServerResponse } from 'node:http'
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
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
  prepare?: (server: HttpsServer) => void
}

export class HttpsEndpoint {
  private server: HttpsServer | undefined
  private unsubscribe: (() => void) | undefined
  private boundPort = 0
  /** Every TCP connection (HTTP/1.1 and HTTP/2 sessions alike), to end them at stop. */
  private readonly sockets = new Set<Socket>()

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
    const server = <HttpsServer>(<unknown>createSecureServer({ ...tlsOptions(pair), allowHTTP1: true, ALPNProtocols: ['h2', 'http/1.1'], settings: { initialWindowSize: H2_WINDOW } }, (req, res) => {
      res.setHeader('Strict-Transport-Security', HSTS)
      if (req.httpVersionMajor >= 2) adaptH2(req, res)
      this.o.handler(req as unknown as IncomingMessage, res as unknown as ServerResponse)
    }))
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket)
      socket.once('close', () => this.sockets.delete(socket))
    })
    server.on('session', (session) => session.setLocalWindowSize(H2_WINDOW))
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
      for (const socket of this.sockets) socket.destroy()
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

/**
 * The listener: HTTP/2 (ALPN h2) and HTTP/1.1 (allowHTTP1) on one port. Node runs its http1
 * server code on this same object for HTTP/1.1 connections, so the http Server's options
 * and events (headersTimeout, maxHeaderSize, clientError, upgrade, checkContinue) apply to
 * that side; closeAllConnections is the one method it lacks (stop() tracks sockets itself).
 */
export type HttpsServer = Http2SecureServer & HttpServer

/** Flow-control window per stream and per connection: 64 KiB (the default) would throttle uploads on any real round trip. */
const H2_WINDOW = 8 * 2 ** 20

/** Connection-specific headers HTTP/2 forbids (RFC 9113 8.2.2); Node would throw or warn on them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'])

/**
 * The one place where HTTP/2 differs for the handlers, which are written for HTTP/1.1: the
 * request names its host in :authority (Swift storage URLs, domain remap and the redirect
 * read Host), and `Connection: close` on an error answer means nothing (the stream ends
 * with the answer, other streams go on), so such headers are left out here.
 */
function adaptH2(req: Http2ServerRequest, res: Http2ServerResponse): void {
  const authority = req.headers[':authority']
  if (req.headers.host === undefined && typeof authority === 'string') req.headers.host = authority
  const setHeader = res.setHeader.bind(res)
  res.setHeader = (name: string, value: number | string | readonly string[]) => (HOP_BY_HOP.has(name.toLowerCase()) ? res : setHeader(name, value))
  const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => Http2ServerResponse
  res.writeHead = ((status: number, ...rest: unknown[]) => writeHead(status, ...rest.map((r) => (r && typeof r === 'object' && !Array.isArray(r) ? withoutHopByHop(r as Record<string, unknown>) : r)))) as typeof res.writeHead
}

function withoutHopByHop(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())))
}

function tlsOptions(p: CertificatePair): SecureContextOptions {
  return { cert: p.certPem, key: p.keyPem, minVersion: 'TLSv1.2', ciphers: CIPHERS, honorCipherOrder: false }
}
