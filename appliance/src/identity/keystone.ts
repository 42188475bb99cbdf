/**
 * A Keystone v3 identity subset over the appliance's local users, so that clients speaking
 * only Keystone (python-swiftclient -V 3, rclone auth_version=3) can log in: the password
 * method, project scope by name (with domain) or id, unscoped tokens, token validation, and
 * the token document with an `object-store` catalog entry. The mapping: domain "Default"
 * (id "default") holds everything; a project is a Swift account (project "test" and
 * account AUTH_test; the project id is the account name too); a user is named as in its
 * account ("tester"), its password is its key. Tokens are the v1 tokens of TokenService, so
 * the Swift API accepts them. No HTTP types: parsed JSON in, documents out; failures are
 * VeloxErrors (`unauthorized`, `bad-request`, `not-found`).
 */
import { createHash } from 'node:crypto'
import { VeloxError } from '../errors.js'
import type { Identity } from './groups.js'
import type { TokenService } from './tokens.js'
import type { User, UserDirectory } from './users.js'

export const DEFAULT_DOMAIN = Object.freeze({ id: 'default', name: 'Default' })

export interface KeystoneToken {
  token: string
  /** The `{"token": …}` document. */
  body: Record<string, unknown>
}

interface NameRef {
  id?: string
  name?: string
  domain?: { id?: string; name?: string }
}

const unauthorized = () => new VeloxError('unauthorized', 'The request you have made requires authentication.')
const bad = (msg: string) => new VeloxError('bad-request', msg)
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Keystone's time format: 2024-05-01T10:00:00.000000Z. */
function keystoneTime(unixSec: number): string {
  return new Date(Math.floor(unixSec) * 1000).toISOString().replace(/\.\d{3}Z$/, '.000000Z')
}

function inDefaultDomain(d: NameRef['domain']): boolean {
  if (!d) return false
  return d.id !== undefined ? d.id === DEFAULT_DOMAIN.id : d.name === DEFAULT_DOMAIN.name
}

export class KeystoneService {
  constructor(
    private readonly users: UserDirectory,
    private readonly tokens: TokenService,
    /** The reseller prefix storage URLs carry (AUTH_). */
    private readonly resellerPrefix: string,
  ) {}

  /** POST /v3/auth/tokens: `body` is the parsed request JSON; `storageBase` is "<scheme>://<host>". */
  async issue(body: unknown, storageBase: string): Promise<KeystoneToken> {
    const auth = isObject(body) && isObject(body.auth) ? body.auth : undefined
    const identity = auth && isObject(auth.identity) ? auth.identity : undefined
    if (!identity) throw bad('Expecting to find identity in auth.')
    const methods = identity.methods
    if (!Array.isArray(methods) || !methods.includes('password')) throw unauthorized()
    const password = isObject(identity.password) && isObject(identity.password.user) ? identity.password.user : undefined
    if (!password) throw bad('Expecting to find user in password.')
    const userRef = password as NameRef & { password?: unknown }
    if (typeof userRef.password !== 'string') throw bad('Expecting to find password in user.')
    const project = this.projectOf(auth!.scope)
    const account = await this.accountOf(userRef, project)
    const user = await this.users.verify(`${account}:${userRef.name ?? userRef.id?.split(':')[1]}`, userRef.password)
    if (!user) throw unauthorized()
    const issued = await this.tokens.issue(user)
    return { token: issued.token, body: this.document(user, issued.token, project !== undefined, issued.expiresAt, storageBase, true) }
  }

  /** GET /v3/auth/tokens: `authToken` must be valid (401); the subject's document, or `not-found`. */
  async validate(authToken: string | undefined, subjectToken: string | undefined, storageBase: string, withCatalog: boolean): Promise<Record<string, unknown>> {
    if (!authToken || !(await this.tokens.validate(authToken))) throw unauthorized()
    const subject: Identity | undefined = subjectToken ? await this.tokens.validate(subjectToken) : undefined
    if (!subject) throw new VeloxError('not-found', `Could not find token: ${subjectToken ?? ''}`)
    const user = await this.users.get(subject.account, subject.user)
    if (!user) throw new VeloxError('not-found', 'Could not find token')
    return this.document(user, subjectToken!, true, subject.expiresAt, storageBase, withCatalog)
  }

  /** The scoped project (an account name), undefined for an unscoped request. */
  private projectOf(scope: unknown): string | undefined {
    if (scope === undefined) return undefined
    if (!isObject(scope) || !isObject(scope.project)) throw unauthorized() // domain or system scope: none here
    const p = scope.project as NameRef
    if (typeof p.id === 'string') return p.id
    if (typeof p.name !== 'string' || !inDefaultDomain(p.domain)) throw unauthorized()
    return p.name
  }

  /** The account the user is in: the scoped project, or the only account that has such a user. */
  private async accountOf(ref: NameRef, project: string | undefined): Promise<string> {
    if (typeof ref.id === 'string') {
      const [account, user] = ref.id.split(':')
      if (!user || (project !== undefined && project !== account)) throw unauthorized()
      return account
    }
    if (typeof ref.name !== 'string' || !inDefaultDomain(ref.domain)) throw unauthorized()
    if (project !== undefined) return project
    const matches = (await this.users.list()).filter((u) => u.user === ref.name)
    if (matches.length !== 1) throw unauthorized()
    return matches[0].account
  }

  private document(user: User, tokenValue: string, scoped: boolean, expiresAt: number, storageBase: string, withCatalog: boolean): Record<string, unknown> {
    const roles = [{ id: 'member', name: 'member' }, { id: 'reader', name: 'reader' }]
    if (user.admin) roles.unshift({ id: 'admin', name: 'admin' })
    if (user.resellerAdmin) roles.push({ id: 'ResellerAdmin', name: 'ResellerAdmin' })
    const token: Record<string, unknown> = {
      methods: ['password'],
      user: { domain: DEFAULT_DOMAIN, id: `${user.account}:${user.user}`, name: user.user, password_expires_at: null },
      // keystoneauth reads audit_ids[0]; derived from the token, never revealing it.
      audit_ids: [createHash('sha256').update(tokenValue).digest('base64url').slice(0, 22)],
      expires_at: keystoneTime(expiresAt),
      issued_at: keystoneTime(Date.now() / 1000),
    }
    if (!scoped) return { token }
    token.project = { domain: DEFAULT_DOMAIN, id: user.account, name: user.account }
    token.is_domain = false
    token.roles = roles
    if (withCatalog) {
      const url = `${storageBase}/v1/${encodeURIComponent(this.resellerPrefix + user.account)}`
      const endpoints = ['public', 'internal', 'admin'].map((i) => ({ id: `swift-${i}`, interface: i, region_id: 'RegionOne', region: 'RegionOne', url }))
      token.catalog = [{ endpoints, id: 'swift', type: 'object-store', name: 'swift' }]
    }
    return { token }
  }
}
