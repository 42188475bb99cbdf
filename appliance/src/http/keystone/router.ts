/**
 * The Keystone v3 surface: GET /v3 (version discovery), POST /v3/auth/tokens (issue) and
 * GET/HEAD /v3/auth/tokens (validate X-Subject-Token). JSON in and out, errors as Keystone's
 * `{"error": {code, title, message}}` with the status from the one error table. The
 * semantics (users, projects, tokens) live in identity/keystone.ts.
 */
import type { IncomingMessage } from 'node:http'
import { VeloxError } from '../../errors.js'
import type { KeystoneService } from '../../identity/keystone.js'
import { REASONS, clientStatus } from '../error-response.js'

export interface KeystoneResponse {
  status: number
  headers: Record<string, string>
  body?: string
}

const MAX_BODY_BYTES = 64 * 1024
const JSON_TYPE = 'application/json'

export function isKeystonePath(path: string): boolean {
  return path === '/v3' || path === '/v3/' || path === '/v3/auth/tokens'
}

/** One Keystone request; `base` is "<scheme>://<host>" as the client named this server. */
export async function routeKeystone(k: KeystoneService, raw: IncomingMessage, path: string, query: URLSearchParams, base: string): Promise<KeystoneResponse> {
  const method = (raw.method ?? 'GET').toUpperCase()
  try {
    if (path !== '/v3/auth/tokens') {
      if (method !== 'GET' && method !== 'HEAD') throw new VeloxError('method-not-allowed', 'method not allowed')
      return json(200, discovery(base))
    }
    if (method === 'POST') {
      const issued = await k.issue(await readJson(raw), base)
      return json(201, issued.body, { 'X-Subject-Token': issued.token })
    }
    if (method === 'GET' || method === 'HEAD') {
      const header = (n: string) => (typeof raw.headers[n] === 'string' ? (raw.headers[n] as string) : undefined)
      const doc = await k.validate(header('x-auth-token'), header('x-subject-token'), base, !query.has('nocatalog'))
      return json(200, doc, { 'X-Subject-Token': header('x-subject-token')! })
    }
    throw new VeloxError('method-not-allowed', 'method not allowed')
  } catch (err) {
    return keystoneError(err)
  }
}

function json(status: number, doc: unknown, headers: Record<string, string> = {}): KeystoneResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, Vary: 'X-Auth-Token', ...headers }, body: JSON.stringify(doc) }
}

function discovery(base: string): Record<string, unknown> {
  return {
    version: {
      id: 'v3.14',
      status: 'stable',
      updated: '2020-04-07T00:00:00Z',
      links: [{ rel: 'self', href: `${base}/v3/` }],
      'media-types': [{ base: JSON_TYPE, type: 'application/vnd.openstack.identity-v3+json' }],
    },
  }
}

function keystoneError(err: unknown): KeystoneResponse {
  const v = err instanceof VeloxError ? err : new VeloxError('internal', 'internal error')
  const status = clientStatus(v.kind)
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Keystone uri="/v3"' } : {}
  const message = status >= 500 ? 'An unexpected error prevented the server from fulfilling your request.' : v.message
  return json(status, { error: { code: status, title: REASONS[status]?.[0] ?? 'Error', message } }, headers)
}

async function readJson(raw: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of raw) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new VeloxError('too-large', 'Request is too large.')
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new VeloxError('bad-request', 'The request body is not valid JSON.')
  }
}
