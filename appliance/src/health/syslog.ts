/**
 * Forwarding of Velox's log to a syslog server in RFC 5424 format, over UDP (one datagram
 * per message), TCP or TLS (octet-counting framing, RFC 6587 §3.4.1 / RFC 5425). The JSON
 * line is the MSG, so Splunk and Sumo Logic parse its fields. Never blocks the caller:
 * messages queue (bounded, oldest dropped and counted) while a stream connection is
 * (re)established with backoff.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { hostname } from 'node:os'
import { connect as tlsConnect } from 'node:tls'

export interface SyslogSettings {
  host: string
  port: number
  transport: 'udp' | 'tcp' | 'tls'
  /** CA bundle trusted for TLS (the system's by default). */
  caFile?: string
  appName?: string
  /** Facility number (default 16, local0); audit lines use 13 (log audit). */
  facility?: number
}

const SEVERITY: Record<string, number> = { error: 3, warn: 4, info: 6, debug: 7 }
const MAX_QUEUE = 10_000
/** Safe payload for one UDP datagram over typical paths (RFC 5426 §3.2 asks for ≥ 480, allows up to 65507). */
const MAX_UDP = 8192

/** One JSON log line as an RFC 5424 message. */
export function formatRfc5424(jsonLine: string, o: { appName: string; hostname: string; procId: string; facility: number }): string {
  let f: Record<string, unknown> = {}
  try {
    f = JSON.parse(jsonLine)
  } catch {
    // not JSON: forwarded as is, at info
  }
  const type = typeof f.type === 'string' ? f.type : undefined
  const facility = type === 'audit' ? 13 : o.facility
  const pri = facility * 8 + (SEVERITY[String(f.level ?? 'info')] ?? 6)
  const ts = typeof f.time === 'string' ? f.time : new Date().toISOString()
  const msgId = (type ?? String(f.level ?? '-')).replace(/[^\x21-\x7e]/g, '').slice(0, 32) || '-'
  const field = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '').slice(0, max) || '-'
  return `<${pri}>1 ${ts} ${field(o.hostname, 255)} ${field(o.appName, 48)} ${field(o.procId, 128)} ${msgId} - ${jsonLine.trimEnd()}`
}

export class SyslogForwarder {
  private queue: string[] = []
  dropped = 0
  private sock?: Socket
  private udp?: UdpSocket
  private connecting = false
  private backoffMs = 500
  private retryTimer?: NodeJS.Timeout
  private closed = false
  private readonly meta: { appName: string; hostname: string; procId: string; facility: number }

  constructor(private readonly s: SyslogSettings) {
    this.meta = { appName: s.appName ?? 'velox', hostname: hostname(), procId: String(process.pid), facility: s.facility ?? 16 }
    if (s.transport === 'udp') {
      this.udp = createSocket(s.host.includes(':') ? 'udp6' : 'udp4')
      this.udp.on('error', () => undefined)
      this.udp.unref()
    }
  }

  /** A JSON log line (what Log sinks receive). */
  send(jsonLine: string): void {
    if (this.closed) return
    const msg = formatRfc5424(jsonLine, this.meta)
    if (this.udp) {
      const b = Buffer.from(msg)
      this.udp.send(b.subarray(0, MAX_UDP), this.s.port, this.s.host)
      return
    }
    this.queue.push(msg)
    if (this.queue.length > MAX_QUEUE) {
      this.queue.shift()
      this.dropped++
    }
    this.pump()
  }

  private pump(): void {
    if (!this.sock) return this.connect()
    if (this.sock.writableNeedDrain) return
    while (this.queue.length) {
      const m = Buffer.from(this.queue.shift() as string)
      if (!this.sock.write(Buffer.concat([Buffer.from(`${m.length} `), m]))) break
    }
  }

  private connect(): void {
    if (this.connecting || this.closed || this.retryTimer) return
    this.connecting = true
    const onReady = () => {
      this.connecting = false
      this.backoffMs = 500
      this.sock = sock
      this.pump()
    }
    const sock =
      this.s.transport === 'tls'
        ? tlsConnect({ host: this.s.host, port: this.s.port, servername: /^[\d.:]+$/.test(this.s.host) ? undefined : this.s.host, ca: this.s.caFile ? readFileSync(this.s.caFile) : undefined }, onReady)
        : netConnect({ host: this.s.host, port: this.s.port }, onReady)
    sock.unref()
    sock.on('drain', () => this.pump())
    sock.on('error', () => undefined)
    sock.on('close', () => {
      this.connecting = false
      if (this.sock === sock) this.sock = undefined
      if (this.closed) return
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined
        if (this.queue.length) this.connect()
      }, this.backoffMs)
      this.retryTimer.unref()
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000)
    })
  }

  /** Waits up to `waitMs` until what is queued was written to the connection (TCP, TLS); UDP cannot tell and says true. */
  async flushed(waitMs: number): Promise<boolean> {
    const until = Date.now() + waitMs
    while (this.queue.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    return this.queue.length === 0
  }

  /** Sends what is queued if connected (waits at most `waitMs`), then closes. */
  async close(waitMs = 2000): Promise<void> {
    const until = Date.now() + waitMs
    while (this.queue.length && this.sock && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    this.closed = true
    clearTimeout(this.retryTimer)
    if (this.sock) await new Promise<void>((r) => this.sock!.end(() => r()))
    this.udp?.close()
  }
}
