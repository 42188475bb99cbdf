/**
 * A Swift client of this appliance's own Swift API over loopback, acting as one user with
 * that user's own token. Server-side jobs of the files app (container rename) go through it
 * rather than through swift/ directly because the Swift semantics a client sees — static
 * large objects (`multipart-manifest`), object versioning, quotas, ACL decisions — are
 * composed in http/swift's feature pipeline: through the API the job does exactly what the
 * user could do with any Swift client, no more.
 */
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { VeloxError } from '../errors.js'
import type { User } from '../identity/users.js'

export interface LoopbackIdentity {
  users: { get(account: string, user: string): Promise<User | undefined> }
  tokens: { issue(user: User): Promise<{ token: string }> }
}

export interface SwiftCall {
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: string
  /** Statuses besides 2xx that are answers, not errors. */
  accept?: number[]
}

/** One object row of a JSON container listing. */
export interface ListedObject {
  name: string
  hash: string
  bytes: number
  /** Set for a static large object's manifest (its ETag as a client sees it). */
  slo_etag?: string
}

export const encodeName = (name: string): string => name.split('/').map(encodeURIComponent).join('/')

export class LoopbackSwift {
  constructor(
    /** "http://127.0.0.1:port" of the running server. */
    private readonly base: () => string,
    private readonly identity: LoopbackIdentity,
    /** The Velox account and user the calls act as, and the Swift account ("AUTH_x") they reach. */
    private readonly who: { account: string; user: string; storageAccount: string },
  ) {}

  async call(method: string, path: string, c: SwiftCall = {}): Promise<Response> {
    const u = await this.identity.users.get(this.who.account, this.who.user)
    if (!u) throw new VeloxError('forbidden', `the user ${this.who.account}:${this.who.user} no longer exists`)
    const { token } = await this.identity.tokens.issue(u)
    const q = c.query ? `?${new URLSearchParams(c.query)}` : ''
    const r = await fetch(`${this.base()}/v1/${encodeURIComponent(this.who.storageAccount)}/${path}${q}`, {
      method,
      headers: { ...c.headers, 'X-Auth-Token': token },
      body: c.body,
    })
    if (r.ok || c.accept?.includes(r.status)) return r
    // (Swift's error bodies are short plain text such as "Upload exceeds quota.")
    const text = (await r.text()).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().replace(/\.$/, '').slice(0, 200)
    const kind = r.status === 404 ? 'not-found' : r.status === 409 ? 'conflict' : r.status === 403 || r.status === 401 ? 'forbidden' : r.status === 413 ? 'too-large' : 'unavailable'
    throw new VeloxError(kind, `${method} “${decodeURIComponent(path)}”: ${text || r.statusText} (${r.status})`)
  }

  /** HEAD, undefined when it is not there. */
  async head(path: string): Promise<Headers | undefined> {
    const r = await this.call('HEAD', path, { accept: [404] })
    return r.status === 404 ? undefined : r.headers
  }

  /** One page of a container's objects after `marker` (a missing container lists nothing). */
  async list(container: string, marker: string, limit: number): Promise<ListedObject[]> {
    const r = await this.call('GET', encodeURIComponent(container), { query: { format: 'json', limit: String(limit), marker }, accept: [404] })
    if (r.status === 404 || r.status === 204) return []
    return ((await r.json()) as Array<ListedObject | { subdir: string }>).filter((x): x is ListedObject => 'name' in x)
  }
}

/** An ETag header without its quotes (large objects' are quoted). */
export const bareEtag = (h: Headers | undefined): string | undefined => h?.get('etag')?.replace(/^"|"$/g, '')

/**
 * A private listener on 127.0.0.1 for the jobs' calls: the public port may only redirect to
 * HTTPS (tls-endpoint.ts) or be bound to another address, and a job must not depend on either.
 * It serves the same request handler, Swift API paths only (/v1/…), so every call is
 * authenticated like any other and nothing else (admin, metrics, web app) is reachable here.
 */
export async function listenLoopback(handler: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/')) return handler(req, res)
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Only the Swift API answers here.\n')
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      }),
  }
}
