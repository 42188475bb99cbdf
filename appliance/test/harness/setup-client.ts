/**
 * A small client for the setup wizard and admin settings tests: JSON over HTTP or HTTPS
 * (trusting a given CA file's PEM, as a Swift client would), one cookie jar, the CSRF
 * token remembered from the session, and the TLS peer's fingerprint of each answer.
 * Also a local NTP server on loopback for the clock check, and what the ring files hold.
 */
import { createSocket, type Socket } from 'node:dgram'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { join } from 'node:path'
import { ntpAnswer } from '../../src/lib/sntp.js'
import { readRingFile } from '../../src/ring/ring-file.js'
import { replicaCountOf } from '../../src/ring/types.js'

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: Record<string, unknown>
  /** The server certificate's SHA-256 fingerprint (HTTPS only). */
  fingerprint256?: string
}

export class SetupClient {
  private readonly cookies = new Map<string, string>()
  csrf = ''

  constructor(public base: string, public ca?: string) {}

  /** The Cookie header this client sends (for a WebSocket opened beside it). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  /** `extra`: more request headers (a Swift token). */
  async call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Answer> {
    const url = new URL(path, this.base)
    const headers: Record<string, string> = { Accept: 'application/json', ...extra }
    if (this.cookies.size) headers.Cookie = this.cookieHeader()
    if (this.csrf && method !== 'GET') headers['X-CSRF-Token'] = this.csrf
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    if (data) headers['Content-Type'] = 'application/json'
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const a = await new Promise<Answer>((resolve, reject) => {
      const req = send(url, { method, headers, ca: this.ca, agent: false }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: Record<string, unknown> = {}
          try {
            json = JSON.parse(text) as Record<string, unknown>
          } catch {
            // not JSON (pages, Swift's plain text)
          }
          const tls = res.socket as TLSSocket
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, fingerprint256: tls.getPeerCertificate?.()?.fingerprint256 })
        })
      })
      req.on('error', reject)
      req.end(data)
    })
    for (const c of ([] as string[]).concat(a.headers['set-cookie'] ?? [])) {
      const [pair] = c.split(';')
      const eq = pair.indexOf('=')
      const v = pair.slice(eq + 1)
      if (v === '' || /Max-Age=0/.test(c)) this.cookies.delete(pair.slice(0, eq))
      else this.cookies.set(pair.slice(0, eq), v)
    }
    const session = a.json.session as { csrfToken?: string } | undefined
    if (session?.csrfToken) this.csrf = session.csrfToken
    return a
  }
}

/** An NTP server on 127.0.0.1 answering with this clock + `skewMs`; returns "127.0.0.1:port". */
export async function startNtpServer(skewMs = 0): Promise<{ address: string; close(): void }> {
  const sock: Socket = createSocket('udp4')
  sock.on('message', (_msg, rinfo) => sock.send(ntpAnswer(Date.now() + skewMs), rinfo.port, rinfo.address))
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()))
  return { address: `127.0.0.1:${sock.address().port}`, close: () => sock.close() }
}

/** Replica count and device names (sorted) of the account, container and object ring files in `swiftDir`. */
export function ringsOf(swiftDir: string): Record<string, { replicas: number; devices: string[] }> {
  const out: Record<string, { replicas: number; devices: string[] }> = {}
  for (const name of ['account', 'container', 'object']) {
    const r = readRingFile(join(swiftDir, `${name}.ring.gz`))
    out[name] = { replicas: replicaCountOf(r.replica2part2dev), devices: r.devs.filter((d) => d !== null).map((d) => d!.device).sort() }
  }
  return out
}
