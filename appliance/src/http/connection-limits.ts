/**
 * Slow and idle clients (issue 11, item 6). Owns, for the one HTTP server:
 *   - the idle request body: a body that receives no byte for `bodyIdleSec` while the
 *     handler is ready for more is answered 408 (Swift's client_timeout answer) and the
 *     connection closed. Only silence counts: an upload that keeps moving, however slowly
 *     or for however long, is never cut, and a body the handler is not reading (its buffer
 *     full: the disk is the slow side) is not the client's fault;
 *   - the request-head timeout (Node's headersTimeout, checked often enough to matter);
 *   - connections per client address that have not yet made an authenticated request
 *     (a credential on a request answered below 400): at most `unauthenticatedPerClient`,
 *     the ones beyond are answered 503 and closed at once, so that one address cannot hold
 *     the box's descriptors with a slowloris;
 *   - all connections: at most `max` (0 = three quarters of the open-file limit), so that
 *     the process keeps descriptors for its disks whoever connects.
 * It knows nothing of what a request means beyond its credential headers.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Log } from '../lib/log.js'
import { openFilesLimit } from '../lib/process-limits.js'
import { SESSION_COOKIE } from './cookies.js'
import { swiftHtmlBody } from './error-response.js'
import { MAX_HEAD_BYTES, answerClientError } from './head-limits.js'

export interface ConnectionLimitsConfig {
  bodyIdleSec: number
  headersTimeoutSec: number
  unauthenticatedPerClient: number
  max: number
}

interface Upload {
  req: IncomingMessage
  res: ServerResponse
  socket: Socket
  bytesRead: number
  quietSinceMs: number
}

const REFUSED = 'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'

/** True when the request carries a credential: a token, a sign-in (v1 auth), Basic/Bearer, a web session. */
function carriesCredential(req: IncomingMessage): boolean {
  const h = req.headers
  return h['x-auth-token'] !== undefined || h['x-storage-token'] !== undefined || h['x-auth-key'] !== undefined || h['x-storage-pass'] !== undefined || h.authorization !== undefined || (h.cookie ?? '').includes(`${SESSION_COOKIE}=`)
}

function peerKey(socket: Socket): string {
  return `${socket.remoteAddress ?? ''} ${socket.remotePort ?? ''}`
}

export class ConnectionLimits {
  private readonly unproven = new Map<string, number>()
  /**
   * Open connections by "address port". Keyed by the peer, not by the socket object: over TLS
   * the request sees the TLS socket (over HTTP/2 a proxy of the session's), while `connection`
   * gave the TCP socket beneath it; both name the same peer.
   */
  private readonly conns = new Map<string, { addr: string; proven: boolean }>()
  private readonly uploads = new Set<Upload>()
  private sweeper: NodeJS.Timeout | undefined
  /** Counts for tests and logs. */
  readonly refused = { perClient: 0, bodyIdle: 0 }

  constructor(
    private readonly c: ConnectionLimitsConfig,
    private readonly log: Log,
  ) {}

  /** The server options this module needs at creation (Node reads them only there). */
  static serverOptions(c: ConnectionLimitsConfig): { connectionsCheckingInterval: number } {
    return { connectionsCheckingInterval: Math.max(250, Math.min(30_000, (c.headersTimeoutSec * 1000) / 4)) }
  }

  /**
   * Everything a listening server of the appliance needs at its edge (the HTTP one and the
   * HTTPS one alike), before it listens: the head size Swift allows (head-limits.ts) with
   * Swift's answer past it, the head timeout, the bounds on connections, and an accept error
   * once listening logged rather than fatal (EMFILE when descriptors run out).
   */
  prepare(server: Server): void {
    // Node keeps both creation options as properties and reads them at each connection and at
    // listen; @types/node does not declare them writable.
    const options = server as Server & { maxHeaderSize: number; connectionsCheckingInterval: number }
    options.maxHeaderSize = MAX_HEAD_BYTES
    options.connectionsCheckingInterval = ConnectionLimits.serverOptions(this.c).connectionsCheckingInterval
    server.on('clientError', answerClientError)
    this.attach(server)
    server.on('listening', () => server.on('error', (err) => this.log.error('http server error', { error: err.message })))
  }

  attach(server: Server): void {
    server.headersTimeout = this.c.headersTimeoutSec * 1000
    const fds = openFilesLimit()
    const max = this.c.max > 0 ? this.c.max : fds ? Math.max(16, Math.floor(fds * 0.75)) : 0
    if (max > 0) server.maxConnections = max
    server.on('connection', (socket: Socket) => this.admit(socket))
  }

  /** Wraps the request listener: watches the body for silence and proves the connection. */
  wrap(handler: RequestListener): RequestListener {
    return (req, res) => {
      const socket = req.socket
      if (!req.complete) this.watch({ req, res, socket, bytesRead: socket.bytesRead, quietSinceMs: Date.now() })
      const key = peerKey(socket)
      if (this.conns.get(key)?.proven === false && carriesCredential(req)) {
        res.once('finish', () => {
          if (res.statusCode < 400) this.prove(key)
        })
      }
      handler(req, res)
    }
  }

  stop(): void {
    clearInterval(this.sweeper)
    this.sweeper = undefined
    this.uploads.clear()
  }

  private admit(socket: Socket): void {
    const addr = socket.remoteAddress ?? ''
    const n = (this.unproven.get(addr) ?? 0) + 1
    if (n > this.c.unauthenticatedPerClient) {
      this.refused.perClient++
      if (this.refused.perClient === 1 || this.refused.perClient % 1000 === 0) this.log.warn('refused connections of one client address', { client: addr, refused: this.refused.perClient })
      socket.end(REFUSED)
      socket.destroySoon()
      return
    }
    this.unproven.set(addr, n)
    const key = peerKey(socket)
    this.conns.set(key, { addr, proven: false })
    socket.once('close', () => {
      const c = this.conns.get(key)
      this.conns.delete(key)
      if (c && !c.proven) this.release(addr)
    })
  }

  /** Once per connection, whatever number of requests (or HTTP/2 streams) prove it. */
  private prove(key: string): void {
    const c = this.conns.get(key)
    if (!c || c.proven) return
    c.proven = true
    this.release(c.addr)
  }

  private release(addr: string): void {
    const n = (this.unproven.get(addr) ?? 1) - 1
    if (n <= 0) this.unproven.delete(addr)
    else this.unproven.set(addr, n)
  }

  private watch(u: Upload): void {
    this.uploads.add(u)
    const done = () => this.uploads.delete(u)
    u.req.once('end', done)
    u.req.once('close', done)
    u.res.once('close', done)
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(100, Math.min(1000, (this.c.bodyIdleSec * 1000) / 4)))
      this.sweeper.unref()
    }
  }

  private sweep(): void {
    const now = Date.now()
    for (const u of this.uploads) {
      const moved = u.socket.bytesRead !== u.bytesRead
      // Bytes waiting in the request's buffer: the handler is the slow side, not the client.
      if (moved || u.req.readableLength > 0 || u.req.complete) {
        u.bytesRead = u.socket.bytesRead
        u.quietSinceMs = now
      } else if (now - u.quietSinceMs >= this.c.bodyIdleSec * 1000) {
        this.uploads.delete(u)
        this.timeOut(u)
      }
    }
    if (this.uploads.size === 0) this.stop()
  }

  /** Swift's 408 when the answer has not started; the connection goes either way. */
  private timeOut(u: Upload): void {
    this.refused.bodyIdle++
    this.log.info('request body idle, timed out', { client: u.socket.remoteAddress ?? '', idle_sec: this.c.bodyIdleSec })
    const cut = setTimeout(() => u.socket.destroy(), 1000)
    cut.unref()
    if (u.res.headersSent || u.res.writableEnded) {
      u.socket.destroy()
      return
    }
    const body = swiftHtmlBody(408)
    u.res.shouldKeepAlive = false
    u.res.writeHead(408, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' })
    u.res.end(body, () => u.socket.destroy())
  }
}
