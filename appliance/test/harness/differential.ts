/**
 * Request-by-request differential runs against Velox and a real Swift (harness/saio.ts): a
 * script of steps runs in order on both sides, each step's comparable reply (status, the
 * headers clients read, the body with clock readings and ids normalized) must be equal.
 * Header values are Unicode strings and travel as UTF-8 bytes, both ways, as Swift reads
 * and writes them (Node's http client would refuse them, or send latin-1): the suites of
 * non-ASCII names and values (swift-utf8-parity, swift-conformance-parity) build on this.
 */
import { expect } from 'chai'
import { request as httpRequest } from 'node:http'
import { SAIO_LIKE_FLAGS, SAIO_USERS } from '../integration/access-scenarios.js'
import { saioUnavailableReason, startSaio } from './saio.js'
import { startTestAppliance, type TestUser } from './test-appliance.js'

export interface DiffStep {
  name: string
  method: string
  /**
   * Percent-encoded path under the storage URL (`/c/o`, '' for the account), or with
   * `fromRoot` the whole path from the host root (`/v1`, `/cont/` under a remapped Host).
   */
  path: string
  fromRoot?: boolean
  query?: string
  /** Unicode values; sent as their UTF-8 bytes. */
  headers?: Record<string, string>
  body?: string | Buffer
  /**
   * The Connection header sent: `close` (the default: each step stands alone), `keep-alive`,
   * or `none` (an HTTP/1.1 client keeping the connection by default).
   */
  connection?: 'close' | 'keep-alive' | 'none'
  /**
   * Who sends it: the side's user token (default), nobody, the token plus a service token, or
   * the account's non-admin user (tempauth's test:tester3, who sees only what ACLs grant).
   */
  auth?: 'token' | 'none' | 'service' | 'member'
  /** Headers sent as these exact bytes (latin-1 strings), e.g. invalid UTF-8. */
  wireHeaders?: Record<string, string>
  /** Sent instead of Content-Length; the body goes chunked (Node chunks for any case of `chunked`). */
  transferEncoding?: string
  /** Headers compared by presence only (values depend on the clock or the host). */
  presenceOnly?: string[]
  /** Extra response headers compared by value. */
  compare?: string[]
  /** A known, accepted difference (explained where the step is written): fields not compared. */
  ignore?: string[]
  /** Parts of the body that differ between two clusters (e.g. a manifest's md5, which covers its segments' clock readings). */
  mask?: RegExp
}

export interface DiffSide {
  /** Storage URL of the account, e.g. http://127.0.0.1:1234/v1/AUTH_test */
  storageUrl: string
  token: string
  serviceToken?: string
  memberToken?: string
}

export interface DiffReply {
  status: number
  /** Lower-case names; values decoded from UTF-8. */
  headers: Record<string, string>
  body: Buffer
}

/** A Unicode string as the latin-1 string whose bytes are its UTF-8 (what Node sends as is). */
export const utf8Wire = (s: string): string => Buffer.from(s, 'utf8').toString('latin1')
const fromWire = (s: string): string => Buffer.from(s, 'latin1').toString('utf8')

/** Sends one step to one side (no connection reuse: each step stands alone). */
export function sendStep(side: DiffSide, step: DiffStep): Promise<DiffReply> {
  const base = new URL(side.storageUrl)
  const path = step.fromRoot ? step.path : `${base.pathname}${step.path}`
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(step.headers ?? {})) headers[k] = utf8Wire(v)
  if (step.auth === 'member') headers['X-Auth-Token'] = side.memberToken ?? ''
  else if (step.auth !== 'none') headers['X-Auth-Token'] = side.token
  if (step.auth === 'service' && side.serviceToken) headers['X-Service-Token'] = side.serviceToken
  const body = step.body === undefined ? Buffer.alloc(0) : Buffer.from(step.body)
  Object.assign(headers, step.wireHeaders)
  if (step.transferEncoding) headers['Transfer-Encoding'] = step.transferEncoding
  else headers['Content-Length'] = String(body.length)
  if (step.connection === 'keep-alive') headers.Connection = 'keep-alive'
  return new Promise((resolve, reject) => {
    const opts = { host: base.hostname, port: base.port, method: step.method, path: `${path}${step.query ? `?${step.query}` : ''}`, headers, agent: false }
    const req = httpRequest(opts, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => {
        const h: Record<string, string> = {}
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const k = res.rawHeaders[i].toLowerCase()
          h[k] = h[k] === undefined ? fromWire(res.rawHeaders[i + 1]) : `${h[k]}, ${fromWire(res.rawHeaders[i + 1])}`
        }
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) })
        if (step.connection !== undefined && step.connection !== 'close') req.destroy()
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (step.connection === 'none') req.removeHeader('Connection')
    req.end(body)
  })
}

/** The headers clients read, compared by value. */
const VALUE_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'content-range',
  'content-disposition',
  'location',
  'x-delete-at',
  'x-copied-from',
  'x-copied-from-account',
  'x-object-manifest',
  'x-static-large-object',
  'x-symlink-target',
  'x-symlink-target-account',
  'x-versions-location',
  'x-history-location',
  'connection',
  'www-authenticate',
]
/** Compared by presence only: clock readings and ids. */
const PRESENCE_HEADERS = ['last-modified', 'x-timestamp', 'x-trans-id']
const META = /^x-(object|container|account)-meta-/

function normalize(text: string, hosts: string[]): string {
  let t = text
    .replace(/"last_modified": "[^"]*"/g, '"last_modified": "<ts>"')
    .replace(/<last_modified>[^<]*<\/last_modified>/g, '<last_modified><ts></last_modified>')
    // Heartbeat and bulk answers carry the manifest's HTTP date in the body.
    .replace(/(Last[ _]Modified"?:? ?"?)[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/g, '$1<date>')
    .replace(/tx[0-9a-f]{21}-[0-9a-f]{10}/g, '<trans-id>')
    .replace(/\d{10}\.\d{5}/g, '<ts>')
  for (const h of hosts) t = t.split(h).join('<host>')
  return t
}

/** What a step is compared on. */
export function comparable(step: DiffStep, side: DiffSide, r: DiffReply): Record<string, string> {
  const hosts = [new URL(side.storageUrl).host]
  const out: Record<string, string> = { status: String(r.status) }
  const presence = new Set([...PRESENCE_HEADERS, ...(step.presenceOnly ?? [])])
  for (const name of [...VALUE_HEADERS, ...(step.compare ?? [])]) {
    if (r.headers[name] !== undefined && !presence.has(name)) out[name] = normalize(r.headers[name], hosts)
  }
  for (const name of presence) out[name] = r.headers[name] === undefined ? '(absent)' : '(present)'
  for (const [k, v] of Object.entries(r.headers)) if (META.test(k)) out[k] = v
  out.body = normalize(r.body.toString('utf8'), hosts)
  if (step.mask) out.body = out.body.replace(new RegExp(step.mask.source, 'g'), '<masked>')
  for (const k of step.ignore ?? []) delete out[k]
  return out
}

/** The lines where two comparable replies differ (empty when equal). */
export function differences(velox: Record<string, string>, swift: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(swift), ...Object.keys(velox)])].sort()
  // Long values are shown from a little before their first difference.
  const show = (v: string | undefined, other: string | undefined) => {
    if (v === undefined) return '(absent)'
    let i = 0
    while (other !== undefined && i < v.length && v[i] === other[i]) i++
    const from = v.length > 400 ? Math.max(0, i - 100) : 0
    return `${from > 0 ? '…' : ''}${JSON.stringify(v.slice(from, from + 400))}${from + 400 < v.length ? '…' : ''}`
  }
  return keys.filter((k) => velox[k] !== swift[k]).map((k) => `  ${k}:\n    swift: ${show(swift[k], velox[k])}\n    velox: ${show(velox[k], swift[k])}`)
}

/** Runs one step on both sides at once; resolves with the differences (empty when equal). */
export async function compareStep(velox: DiffSide, swift: DiffSide, step: DiffStep): Promise<string[]> {
  const [rv, rs] = await Promise.all([sendStep(velox, step), sendStep(swift, step)])
  return differences(comparable(step, velox, rv), comparable(step, swift, rs))
}

/** Velox (configured as the SAIO's proxy: tempauth users, reseller prefixes, domain_remap) and a SAIO, side by side. */
export interface DiffPair {
  velox: DiffSide
  swift: DiffSide
  stop(): Promise<void>
}

async function sideOf(auth: (u: TestUser) => Promise<{ token: string; storageUrl: string }>): Promise<DiffSide> {
  const [owner, service, member] = await Promise.all([auth(SAIO_USERS.owner), auth(SAIO_USERS.service), auth(SAIO_USERS.member)])
  return { storageUrl: owner.storageUrl, token: owner.token, serviceToken: service.token, memberToken: member.token }
}

/**
 * Makes the account exist (as its first container PUT does) before the steps run: a SAIO
 * that has just come up may answer that first PUT with 404 while its account server warms up.
 */
async function createAccount(side: DiffSide): Promise<void> {
  const step: DiffStep = { name: 'warm-up', method: 'PUT', path: '/warm-up' }
  for (let attempt = 0; (await sendStep(side, step)).status >= 300; attempt++) {
    if (attempt >= 20) throw new Error(`${side.storageUrl}: the account cannot be created`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  await sendStep(side, { ...step, method: 'DELETE' })
}

export async function startPair(): Promise<DiffPair> {
  const [velox, saio] = await Promise.all([startTestAppliance({ users: Object.values(SAIO_USERS), flags: SAIO_LIKE_FLAGS }), startSaio()])
  const [v, s] = await Promise.all([sideOf((u) => velox.auth(u)), sideOf((u) => saio.auth(`${u.account}:${u.user}`, u.key))])
  await Promise.all([v, s].map(createAccount))
  return {
    velox: v,
    swift: s,
    stop: async () => {
      await Promise.all([velox.stop(), saio.stop()])
    },
  }
}

/**
 * A mocha suite that runs `steps` in order on Velox and a SAIO, one test per step, each
 * failing with the differences; skipped with the reason when Swift is not installed here.
 */
export function describeDifferential(title: string, steps: readonly DiffStep[]): void {
  describe(title, function () {
    this.timeout(120_000)
    let pair: DiffPair | undefined

    before(async function () {
      const unavailable = saioUnavailableReason()
      if (unavailable) {
        console.log(`    skipping: ${unavailable}`)
        this.skip()
      }
      this.timeout(180_000)
      pair = await startPair()
    })

    after(async () => {
      await pair?.stop()
    })

    for (const step of steps) {
      it(step.name, async () => {
        const lines = await compareStep(pair!.velox, pair!.swift, step)
        if (lines.length) expect.fail(`${step.method} ${step.path || '/'}${step.query ? `?${step.query}` : ''} differs:\n${lines.join('\n')}`)
      })
    }
  })
}
