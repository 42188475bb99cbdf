/**
 * Swift's domain_remap: a Host of `<container>.<account>.<storage domain>` or
 * `<account>.<storage domain>` names the account (and container) the path is under, so
 * `GET /o` on `c.AUTH-test.example.net` is `GET /v1/AUTH_test/c/o`. The account part gets
 * its reseller prefix back as domain_remap.py does (`AUTH-test` → `AUTH_test`,
 * `auth_test` → `AUTH_test`, or the default prefix when it has none). Pure; no HTTP types.
 */
import { VeloxError } from '../errors.js'

export interface DomainRemapOptions {
  /** Storage domains (`example.net` or `.example.net`); empty turns the remap off. */
  storageDomain: readonly string[]
  /** domain_remap's reseller_prefixes, without '_' (default ['AUTH']). */
  resellerPrefixes?: readonly string[]
  /** Prefix (without '_') given to an account part that has none; unset leaves such hosts alone. */
  defaultResellerPrefix?: string
  /** The path root (default 'v1'). */
  pathRoot?: string
}

export class DomainRemap {
  private readonly domains: string[]
  private readonly prefixes: readonly string[]

  constructor(private readonly opts: DomainRemapOptions) {
    const given = opts.storageDomain.filter((d) => d !== '')
    this.domains = [...given.filter((d) => !d.startsWith('.')).map((d) => `.${d}`), ...given.filter((d) => d.startsWith('.'))]
    this.prefixes = opts.resellerPrefixes ?? ['AUTH']
  }

  get enabled(): boolean {
    return this.domains.length > 0
  }

  /** The rewritten path for `host` (with or without port), or undefined when the host is not a storage domain's. */
  remap(host: string | undefined, path: string): string | undefined {
    if (!this.enabled || !host) return undefined
    const name = host.includes(':') ? host.slice(0, host.lastIndexOf(':')) : host
    const domain = this.domains.find((d) => name.endsWith(d))
    if (!domain) return undefined
    const parts = name.slice(0, -domain.length).replace(/^\.+|\.+$/g, '').split('.')
    if (parts.length > 2) throw new VeloxError('bad-request', 'Bad domain in host header', { explain: true })
    const [container, rawAccount] = parts.length === 2 ? parts : [undefined, parts[0]]
    const account = this.account(rawAccount)
    if (account === undefined) return undefined
    const root = (this.opts.pathRoot ?? 'v1').replace(/^\/+|\/+$/g, '')
    return ['', root, account, ...(container !== undefined ? [container] : []), path.slice(1)].join('/')
  }

  /** /info's domain_remap section. */
  info(): Record<string, unknown> {
    return { default_reseller_prefix: this.opts.defaultResellerPrefix ?? null }
  }

  private account(part: string): string | undefined {
    if (this.prefixes.length === 0) return part
    let account = part
    if (!account.includes('_') && account.includes('-')) account = account.replace('-', '_')
    const given = account.split('_', 1)[0].toLowerCase()
    const i = this.prefixes.findIndex((p) => p.toLowerCase() === given)
    if (i >= 0) {
      const real = this.prefixes[i]
      return account.startsWith(real) ? account : real + account.slice(real.length)
    }
    if (this.opts.defaultResellerPrefix) return `${this.opts.defaultResellerPrefix}_${account}`
    return undefined
  }
}
