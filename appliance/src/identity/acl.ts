/**
 * Swift ACL text, ported from swift/common/middleware/acl.py (Swift 2.30): container ACLs
 * (X-Container-Read / X-Container-Write: groups, `.r:` referrers, `.rlistings`) and account
 * ACLs (X-Account-Access-Control, version-2 JSON with admin / read-write / read-only).
 * Pure functions; invalid input throws `bad-request` (Swift answers 400). Must not decide
 * access (authorize.ts does) and must not know about HTTP.
 */
import { VeloxError } from '../errors.js'

export interface ContainerAcl {
  /** Referrer designations without `.r:` (`*`, `host`, `.domain`, `-host` to deny), in order. */
  referrers: string[]
  /** Groups and `acct:user` names (and `.rlistings`), percent-decoded. */
  groups: string[]
}

export interface AccountAcl {
  admin: string[]
  readWrite: string[]
  readOnly: string[]
}

const REFERRER_DESIGNATORS = ['.r', '.ref', '.referer', '.referrer']

/**
 * acl.py `clean_acl`: validates and tidies an X-Container-Read/Write value
 * (`bob , sue` → `bob,sue`, `.ref:*.example.com` → `.r:.example.com`). Referrers are
 * refused in headers whose name contains "write".
 */
export function cleanContainerAcl(name: string, value: string): string {
  const lower = name.toLowerCase()
  const values: string[] = []
  for (const raw of value.split(',')) {
    const item = raw.trim()
    if (!item) continue
    const colon = item.indexOf(':')
    if (colon < 0) {
      values.push(item)
      continue
    }
    const first = item.slice(0, colon).trim()
    let second = item.slice(colon + 1).trim()
    if (!first || !first.startsWith('.')) {
      values.push(item)
    } else if (REFERRER_DESIGNATORS.includes(first)) {
      if (lower.includes('write')) {
        throw new VeloxError('bad-request', `Referrers not allowed in write ACL: ${JSON.stringify(item)}`)
      }
      let negate = false
      if (second.startsWith('-')) {
        negate = true
        second = second.slice(1).trim()
      }
      if (second && second !== '*' && second.startsWith('*')) second = second.slice(1).trim()
      if (!second || second === '.') {
        throw new VeloxError(
          'bad-request',
          `No host/domain value after referrer designation in ACL: ${JSON.stringify(item)}`,
        )
      }
      values.push(`.r:${negate ? '-' : ''}${second}`)
    } else {
      throw new VeloxError('bad-request', `Unknown designator ${JSON.stringify(first)} in ACL: ${JSON.stringify(item)}`)
    }
  }
  return values.join(',')
}

/** acl.py `parse_acl_v1`: a (cleaned) container ACL into referrers and groups. */
export function parseContainerAcl(text: string | undefined): ContainerAcl {
  const acl: ContainerAcl = { referrers: [], groups: [] }
  if (!text) return acl
  for (const value of text.split(',')) {
    if (value.startsWith('.r:')) acl.referrers.push(value.slice(3))
    else acl.groups.push(unquote(value))
  }
  return acl
}

/** acl.py `format_acl_v1`: groups and referrers (without `.r:`) back into ACL text. */
export function formatContainerAcl(acl: Partial<ContainerAcl>): string {
  return [...(acl.groups ?? []), ...(acl.referrers ?? []).map((r) => `.r:${r}`)].join(',')
}

/**
 * acl.py `referrer_allowed`: walks the designations in order, the last match wins;
 * `-host` / `-.domain` deny, `*` allows any, `.domain` matches by suffix. A Referer
 * without a host (relative, absent) is host "unknown".
 */
export function referrerAllowed(referer: string | undefined, referrers: readonly string[] | undefined): boolean {
  let allow = false
  if (referrers && referrers.length > 0) {
    const rhost = urlHostname(referer ?? '') || 'unknown'
    for (const designation of referrers) {
      if (designation.startsWith('-')) {
        const m = designation.slice(1)
        if (m === rhost || (m.startsWith('.') && rhost.endsWith(m))) allow = false
      } else if (designation === '*' || designation === rhost || (designation.startsWith('.') && rhost.endsWith(designation))) {
        allow = true
      }
    }
  }
  return allow
}

/** Python's `urlparse(url).hostname`: lower-cased host of the netloc, '' when there is none. */
function urlHostname(url: string): string {
  let rest = url
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(rest)
  if (scheme) rest = rest.slice(scheme[0].length)
  if (!rest.startsWith('//')) return ''
  const netloc = rest.slice(2).split(/[/?#]/, 1)[0] ?? ''
  const hostport = netloc.slice(netloc.lastIndexOf('@') + 1)
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']')
    return (end < 0 ? '' : hostport.slice(1, end)).toLowerCase()
  }
  return hostport.split(':', 1)[0]!.toLowerCase()
}

/** Python's lenient `unquote`: decodes %XX runs as UTF-8, leaves malformed escapes as they are. */
function unquote(s: string): string {
  if (!s.includes('%')) return s
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'))
}

const ACCOUNT_ACL_KEYS = { admin: 'admin', 'read-write': 'readWrite', 'read-only': 'readOnly' } as const

/**
 * tempauth's `extract_acl_and_report_errors`: parses X-Account-Access-Control JSON.
 * Throws `bad-request` with tempauth's message for invalid JSON, a non-object, an unknown
 * key, a non-list value or a non-string element. An empty string is the empty ACL.
 */
export function parseAccountAcl(text: string): AccountAcl {
  const acl: AccountAcl = { admin: [], readWrite: [], readOnly: [] }
  if (text === '') return acl
  const invalid = (why: string): never => {
    throw new VeloxError('bad-request', `X-Account-Access-Control invalid: ${why}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return invalid(`Syntax error in input (${pyRepr(text)})`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return invalid(`Syntax error in input (${pyRepr(text)})`)
  }
  for (const key of Object.keys(doc)) {
    if (!Object.hasOwn(ACCOUNT_ACL_KEYS, key)) invalid(`Key ${JSON.stringify(key)} not recognized`)
  }
  for (const [key, field] of Object.entries(ACCOUNT_ACL_KEYS)) {
    const value = (doc as Record<string, unknown>)[key]
    if (value === undefined) continue
    if (!Array.isArray(value)) invalid(`Value for key ${JSON.stringify(key)} must be a list`)
    for (const grantee of value as unknown[]) {
      if (typeof grantee !== 'string') invalid(`Elements of ${JSON.stringify(key)} list must be strings`)
    }
    acl[field] = [...(value as string[])]
  }
  return acl
}

/** Python's repr() of a str, as tempauth's `%r` shows the input. */
function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  const body = s.replace(/[\\\n\r\t]|[\x00-\x1f\x7f]/g, (c) => {
    const named: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }
    return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote
}

/** True when the ACL grants nothing (tempauth then treats the account as having no ACL). */
export function isEmptyAccountAcl(acl: AccountAcl): boolean {
  return acl.admin.length === 0 && acl.readWrite.length === 0 && acl.readOnly.length === 0
}

/**
 * acl.py `format_acl_v2` for an account ACL: compact JSON, keys sorted, non-ASCII as
 * `\uNNNN`, empty lists left out.
 */
export function formatAccountAcl(acl: Partial<AccountAcl>): string {
  const out: Record<string, string[]> = {}
  for (const key of Object.keys(ACCOUNT_ACL_KEYS).sort() as (keyof typeof ACCOUNT_ACL_KEYS)[]) {
    const list = acl[ACCOUNT_ACL_KEYS[key]]
    if (list && list.length > 0) out[key] = [...list]
  }
  return JSON.stringify(out).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
