/**
 * Request-by-request differential runs for features whose answers carry values each side
 * makes up (version ids, timestamps): a step may capture a response header into a named
 * variable per side (`capture`), later steps use it as `{name}` in their path, query or
 * headers, and every captured value is replaced by its name before the two sides' answers
 * are compared, so `{v1}` on Velox matches `{v1}` on Swift. Remaining clock readings
 * (timestamps, dates, trans ids) are normalized. Used by the storage policy and object
 * versioning parity suites.
 */
import { expect } from 'chai'
import { request as httpRequest } from 'node:http'
import { saioUnavailableReason, startSaio, type Saio } from './saio.js'
import { startTestAppliance, type TestAppliance } from './test-appliance.js'

/** The SAIO's storage policies (harness/saio/start.sh), as Velox is configured to compare with it. */
export const GOLD_SILVER = [
  { index: 0, name: 'gold', default: true },
  { index: 1, name: 'silver', replicas: 2 },
]

export interface Step {
  name: string
  method: string
  /** Under the account's storage URL, percent-encoded ('' = the account). May hold `{var}`. */
  path: string
  query?: string
  headers?: Record<string, string>
  body?: string
  /** Response header (lower-case) → variable name, captured on each side. */
  capture?: Record<string, string>
  /** Headers compared by value besides COMPARED_HEADERS. */
  alsoCompare?: string[]
  /** Headers not compared for this step (a difference explained where the step is written). */
  ignore?: string[]
}

export interface Side {
  base: string
  token: string
  vars: Map<string, string>
}

export interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

/** Headers clients of these features read. */
export const COMPARED_HEADERS = [
  'content-type',
  'content-length',
  'etag',
  'x-storage-policy',
  'x-object-version-id',
  'x-object-current-version-id',
  'x-versions-enabled',
  'x-versions-location',
  'x-history-location',
  'x-symlink-target',
  'x-symlink-target-account',
  'content-location',
  'x-static-large-object',
  'x-container-object-count',
  'x-container-bytes-used',
  'x-account-container-count',
  'x-object-meta-color',
  'x-copied-from',
]

/**
 * Per-policy account headers: only the container counts are compared; Swift fills in object
 * counts and bytes with its container-updater daemon, which the SAIO does not run.
 */
const POLICY_CONTAINER_COUNT = /^x-account-storage-policy-[a-z0-9-]+-container-count$/

function fill(text: string, vars: Map<string, string>): string {
  return text.replace(/\{([a-z0-9_]+)\}/g, (m, name: string) => vars.get(name) ?? m)
}

export function send(side: Side, step: Step): Promise<Reply> {
  const url = new URL(`${side.base}${fill(step.path, side.vars)}${step.query ? `?${fill(step.query, side.vars)}` : ''}`)
  const headers: Record<string, string> = { 'X-Auth-Token': side.token }
  for (const [k, v] of Object.entries(step.headers ?? {})) headers[k] = fill(v, side.vars)
  const body = Buffer.from(step.body ?? '')
  headers['Content-Length'] = String(body.length)
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: step.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => {
        const h: Record<string, string> = {}
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v
        for (const [header, name] of Object.entries(step.capture ?? {})) if (h[header] !== undefined) side.vars.set(name, h[header])
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** The reply as compared: captured values named, clock readings and ids normalized. */
export function comparable(step: Step, r: Reply, vars: Map<string, string>): Record<string, string> {
  // Longest first, so that a value containing another is named whole.
  const named = [...vars].sort((a, b) => b[1].length - a[1].length)
  const norm = (v: string) => {
    for (const [name, value] of named) v = v.split(value).join(`{${name}}`)
    return v
      .replace(/\d{10}\.\d{5}/g, '<ts>')
      .replace(/"last_modified": "[^"]*"/g, '"last_modified": "<ts>"')
      .replace(/tx[0-9a-f]{21}-[0-9a-f]{10}/g, '<trans-id>')
  }
  const out: Record<string, string> = { status: String(r.status) }
  const ignored = new Set(step.ignore ?? [])
  for (const name of [...COMPARED_HEADERS, ...(step.alsoCompare ?? [])]) {
    if (r.headers[name] !== undefined && !ignored.has(name)) out[name] = norm(r.headers[name])
  }
  for (const [k, v] of Object.entries(r.headers)) if (POLICY_CONTAINER_COUNT.test(k)) out[k] = v
  if (!ignored.has('body')) out.body = norm(r.body)
  if (ignored.has('content-length')) delete out['content-length']
  return out
}

/** The fields that differ, readably (long values cut); empty when the answers match. */
export function differences(velox: Record<string, string>, swift: Record<string, string>): string[] {
  const keys = [...new Set([...Object.keys(swift), ...Object.keys(velox)])].sort()
  const show = (v: string | undefined) => (v === undefined ? '(absent)' : JSON.stringify(v.length > 400 ? `${v.slice(0, 400)}…` : v))
  return keys.filter((k) => velox[k] !== swift[k]).map((k) => `  ${k}:\n    swift: ${show(swift[k])}\n    velox: ${show(velox[k])}`)
}

/**
 * Waits until the side answers a container PUT (a SAIO that has just started may answer its
 * first account-creating requests with 404 while its account server settles), then removes
 * that container again.
 */
export async function warmUp(side: Side, timeoutMs = 20_000): Promise<void> {
  const step: Step = { name: 'warm-up', method: 'PUT', path: '/warm-up' }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await send(side, step)
    if (r.status === 201 || r.status === 202) break
    if (Date.now() > deadline) throw new Error(`${side.base} never accepted a container PUT (last ${r.status})`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  await send(side, { ...step, method: 'DELETE' })
}

/**
 * A mocha suite that runs `steps` in order against a Velox test appliance configured with the
 * SAIO's policies and against a SAIO, one `it` per step, then `extra` tests with both up.
 * Skips (saying why) where the real Swift cannot run.
 */
export function differentialSuite(title: string, steps: readonly Step[], extra: (both: () => { velox: TestAppliance; saio: Saio }) => void = () => undefined): void {
  const unavailable = saioUnavailableReason()
  describe(title, function () {
    this.timeout(120_000)
    let velox: TestAppliance
    let saio: Saio
    const sides: { velox: Side; swift: Side } = { velox: { base: '', token: '', vars: new Map() }, swift: { base: '', token: '', vars: new Map() } }

    before(async function () {
      if (unavailable) {
        console.log(`    skipping: ${unavailable}`)
        this.skip()
      }
      this.timeout(180_000)
      ;[velox, saio] = await Promise.all([startTestAppliance({ flags: { policies: GOLD_SILVER } }), startSaio()])
      const [v, s] = await Promise.all([velox.auth(), saio.auth()])
      sides.velox = { base: v.storageUrl, token: v.token, vars: new Map() }
      sides.swift = { base: s.storageUrl, token: s.token, vars: new Map() }
      await Promise.all([warmUp(sides.velox), warmUp(sides.swift)])
    })

    after(async () => {
      await Promise.all([velox?.stop(), saio?.stop()])
    })

    for (const step of steps) {
      it(step.name, async () => {
        const [rv, first] = await Promise.all([send(sides.velox, step), send(sides.swift, step)])
        // A SAIO on a loaded machine sometimes answers 5xx when a backend call times out (no step
        // here expects a 5xx): that is the test machine, not Swift's behaviour, so ask it again.
        let rs = first
        for (let i = 0; i < 3 && rs.status >= 500; i++) {
          await new Promise((resolve) => setTimeout(resolve, 1000))
          rs = await send(sides.swift, step)
        }
        const lines = differences(comparable(step, rv, sides.velox.vars), comparable(step, rs, sides.swift.vars))
        if (lines.length) expect.fail(`${step.method} ${step.path || '/'}${step.query ? `?${step.query}` : ''} differs:\n${lines.join('\n')}`)
      })
    }

    extra(() => ({ velox, saio }))
  })
}
