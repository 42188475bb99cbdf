/**
 * One table of access, ACL, service-token, quota and domain-remap requests with the status
 * Swift 2.30 (tempauth, container_quotas, account_quotas, domain_remap) answers, run in
 * order against any Swift endpoint that has tempauth's SAIO users: the appliance in
 * swift-access.test.ts, the appliance and a real SAIO side by side in
 * swift-access-parity.test.ts. Steps may depend on earlier ones.
 */
import { request } from 'node:http'
import type { TestUser } from '../harness/test-appliance.js'

/** Who sends a request: a tempauth user, nobody, or a token of the right form that is not valid. */
export type Who = 'owner' | 'other' | 'member' | 'reseller' | 'service' | 'anon' | 'badtoken'

export const SAIO_USERS: Record<Exclude<Who, 'anon' | 'badtoken'>, TestUser> = {
  owner: { account: 'test', user: 'tester', key: 'testing', admin: true },
  other: { account: 'test2', user: 'tester2', key: 'testing2', admin: true },
  member: { account: 'test', user: 'tester3', key: 'testing3' },
  reseller: { account: 'admin', user: 'admin', key: 'admin', admin: true, resellerAdmin: true },
  service: { account: 'test5', user: 'tester5', key: 'testing5', groups: ['service'] },
}

/** The appliance configured as the SAIO's proxy-server.conf (tempauth, domain_remap). */
export const SAIO_LIKE_FLAGS = {
  auth: { resellerPrefixes: ['AUTH', 'SERVICE'], requireGroup: { SERVICE: 'service' } },
  domainRemap: { storageDomain: ['example.net'] },
}

export interface Step {
  name: string
  who: Who
  method: string
  /** Path from the host root, e.g. /v1/AUTH_test/c/o. */
  path: string
  headers?: Record<string, string>
  /** Sends X-Service-Token of this user besides the caller's token. */
  serviceToken?: Who
  body?: string
  status: number
  /** The exact response body, when Swift's text matters. */
  bodyIs?: string
  /** Response headers that must be present (value) or absent (null). */
  headersAre?: Record<string, string | null>
}

const A = '/v1/AUTH_test'
const ACL_READONLY_TEST2 = '{"read-only":["test2"]}'

export const STEPS: Step[] = [
  // ---- setup, all by the owner
  { name: 'owner creates a private container', who: 'owner', method: 'PUT', path: `${A}/priv`, status: 201 },
  { name: 'owner writes a private object', who: 'owner', method: 'PUT', path: `${A}/priv/o`, body: 'x', status: 201 },
  { name: 'owner writes a 5-byte object', who: 'owner', method: 'PUT', path: `${A}/priv/five`, body: 'hello', status: 201 },

  // ---- no ACL: others are refused, anonymous must authenticate
  { name: 'anonymous GET of a private object is 401', who: 'anon', method: 'GET', path: `${A}/priv/o`, status: 401 },
  { name: 'another account\'s user GET of a private object is 403', who: 'other', method: 'GET', path: `${A}/priv/o`, status: 403 },
  { name: 'a non-admin user of the account gets 403 on an object', who: 'member', method: 'GET', path: `${A}/priv/o`, status: 403 },
  { name: 'a non-admin user of the account gets 403 on a listing', who: 'member', method: 'GET', path: `${A}/priv`, status: 403 },
  { name: 'a non-admin user of the account gets 403 on the account', who: 'member', method: 'GET', path: A, status: 403 },
  { name: 'anonymous account GET is 401', who: 'anon', method: 'GET', path: A, status: 401 },
  { name: 'another account\'s user account HEAD is 403', who: 'other', method: 'HEAD', path: A, status: 403 },
  { name: 'another account\'s user cannot create containers', who: 'other', method: 'PUT', path: `${A}/nope`, status: 403 },
  { name: 'a token of tempauth\'s form that is not valid is 401', who: 'badtoken', method: 'GET', path: `${A}/priv/o`, status: 401 },

  // ---- .r:* (public objects, no listing)
  { name: 'owner creates a public-read container', who: 'owner', method: 'PUT', path: `${A}/pub`, headers: { 'X-Container-Read': '.r:*' }, status: 201 },
  { name: 'owner writes into it', who: 'owner', method: 'PUT', path: `${A}/pub/o`, body: 'public', status: 201 },
  { name: '.r:* lets anonymous read an object', who: 'anon', method: 'GET', path: `${A}/pub/o`, status: 200 },
  { name: '.r:* lets another account read an object', who: 'other', method: 'GET', path: `${A}/pub/o`, status: 200 },
  { name: '.r:* without .rlistings: anonymous listing is 401', who: 'anon', method: 'GET', path: `${A}/pub`, status: 401 },
  { name: '.r:* without .rlistings: another account\'s listing is 403', who: 'other', method: 'GET', path: `${A}/pub`, status: 403 },
  { name: '.r:* does not let anonymous write', who: 'anon', method: 'PUT', path: `${A}/pub/w`, body: 'w', status: 401 },
  { name: '.r:* does not let another account write', who: 'other', method: 'PUT', path: `${A}/pub/w`, body: 'w', status: 403 },
  { name: 'an invalid token of tempauth\'s form is 401 even on .r:*', who: 'badtoken', method: 'GET', path: `${A}/pub/o`, status: 401 },
  { name: 'owner sees the read ACL', who: 'owner', method: 'HEAD', path: `${A}/pub`, status: 204, headersAre: { 'x-container-read': '.r:*' } },
  { name: 'others do not see the read ACL', who: 'other', method: 'HEAD', path: `${A}/pub`, status: 403 },

  // ---- .rlistings
  { name: 'owner adds .rlistings', who: 'owner', method: 'POST', path: `${A}/pub`, headers: { 'X-Container-Read': '.r:*,.rlistings' }, status: 204 },
  { name: '.rlistings lets anonymous list', who: 'anon', method: 'GET', path: `${A}/pub`, status: 200, bodyIs: 'o\n' },
  { name: '.rlistings: anonymous HEAD hides the ACL', who: 'anon', method: 'HEAD', path: `${A}/pub`, status: 204, headersAre: { 'x-container-read': null } },

  // ---- referrers
  { name: 'owner allows .example.com but not bad.example.com', who: 'owner', method: 'PUT', path: `${A}/ref`, headers: { 'X-Container-Read': '.r:.example.com,.r:-bad.example.com' }, status: 201 },
  { name: 'owner writes into the referrer container', who: 'owner', method: 'PUT', path: `${A}/ref/o`, body: 'r', status: 201 },
  { name: 'an allowed referrer reads', who: 'anon', method: 'GET', path: `${A}/ref/o`, headers: { Referer: 'http://www.example.com/page' }, status: 200 },
  { name: 'a denied referrer is 401', who: 'anon', method: 'GET', path: `${A}/ref/o`, headers: { Referer: 'http://bad.example.com/' }, status: 401 },
  { name: 'no referrer is 401', who: 'anon', method: 'GET', path: `${A}/ref/o`, status: 401 },
  { name: 'a referrer in a write ACL is 400', who: 'owner', method: 'POST', path: `${A}/ref`, headers: { 'X-Container-Write': '.r:*' }, status: 400 },

  // ---- account:user and account in container ACLs
  { name: 'owner shares a container with test2:tester2 for reading', who: 'owner', method: 'PUT', path: `${A}/share`, headers: { 'X-Container-Read': 'test2:tester2' }, status: 201 },
  { name: 'owner writes into the shared container', who: 'owner', method: 'PUT', path: `${A}/share/o`, body: 's', status: 201 },
  { name: 'the named user reads the object', who: 'other', method: 'GET', path: `${A}/share/o`, status: 200 },
  { name: 'the named user lists the container', who: 'other', method: 'GET', path: `${A}/share`, status: 200 },
  { name: 'a read ACL does not let the named user write', who: 'other', method: 'PUT', path: `${A}/share/n`, body: 'n', status: 403 },
  { name: 'anonymous still gets 401 on the shared container', who: 'anon', method: 'GET', path: `${A}/share/o`, status: 401 },
  { name: 'owner grants write to the account test2', who: 'owner', method: 'POST', path: `${A}/share`, headers: { 'X-Container-Write': 'test2' }, status: 204 },
  { name: 'the account\'s user writes', who: 'other', method: 'PUT', path: `${A}/share/n`, body: 'n', status: 201 },
  { name: 'the account\'s user deletes', who: 'other', method: 'DELETE', path: `${A}/share/n`, status: 204 },
  { name: 'a write ACL does not allow container POST', who: 'other', method: 'POST', path: `${A}/share`, headers: { 'X-Container-Meta-X': 'y' }, status: 403 },
  { name: 'a write ACL does not allow container DELETE', who: 'other', method: 'DELETE', path: `${A}/share`, status: 403 },
  { name: 'owner names the non-admin user in a read ACL', who: 'owner', method: 'POST', path: `${A}/priv`, headers: { 'X-Container-Read': 'test:tester3' }, status: 204 },
  { name: 'the non-admin user reads now', who: 'member', method: 'GET', path: `${A}/priv/o`, status: 200 },
  { name: 'the non-admin user still cannot write', who: 'member', method: 'PUT', path: `${A}/priv/m`, body: 'm', status: 403 },

  // ---- account ACLs (X-Account-Access-Control)
  { name: 'a non-admin user cannot set an account ACL', who: 'member', method: 'POST', path: A, headers: { 'X-Account-Access-Control': ACL_READONLY_TEST2 }, status: 403 },
  { name: 'an invalid account ACL is 400 even for a non-admin user', who: 'member', method: 'POST', path: A, headers: { 'X-Account-Access-Control': '{bad' }, status: 400 },
  {
    name: 'an invalid account ACL is 400 with tempauth\'s message',
    who: 'owner', method: 'POST', path: A, headers: { 'X-Account-Access-Control': '{bad' }, status: 400,
    bodyIs: "X-Account-Access-Control invalid: Syntax error in input ('{bad')\n\nInput: {bad\n",
  },
  {
    name: 'an unknown account ACL key is 400', who: 'owner', method: 'POST', path: A, headers: { 'X-Account-Access-Control': '{"owner":["x"]}' }, status: 400,
    bodyIs: 'X-Account-Access-Control invalid: Key "owner" not recognized\n\nInput: {"owner":["x"]}\n',
  },
  { name: 'a non-list account ACL value is 400', who: 'owner', method: 'POST', path: A, headers: { 'X-Account-Access-Control': '{"admin":"x"}' }, status: 400 },
  { name: 'owner grants read-only to test2', who: 'owner', method: 'POST', path: A, headers: { 'X-Account-Access-Control': ACL_READONLY_TEST2 }, status: 204 },
  { name: 'owner sees the account ACL', who: 'owner', method: 'HEAD', path: A, status: 204, headersAre: { 'x-account-access-control': ACL_READONLY_TEST2 } },
  { name: 'read-only: the grantee reads the account without seeing the ACL', who: 'other', method: 'HEAD', path: A, status: 204, headersAre: { 'x-account-access-control': null } },
  { name: 'read-only: the grantee lists containers', who: 'other', method: 'GET', path: A, status: 200 },
  { name: 'read-only: the grantee reads a private object', who: 'other', method: 'GET', path: `${A}/priv/o`, status: 200 },
  { name: 'read-only: the grantee cannot write', who: 'other', method: 'PUT', path: `${A}/priv/w`, body: 'w', status: 403 },
  { name: 'read-only: the grantee cannot POST the account', who: 'other', method: 'POST', path: A, headers: { 'X-Account-Meta-Who': 'other' }, status: 403 },
  { name: 'read-only does not cover another user of the account', who: 'member', method: 'PUT', path: `${A}/priv/w`, body: 'w', status: 403 },
  { name: 'owner grants read-write to test2:tester2', who: 'owner', method: 'POST', path: A, headers: { 'X-Account-Access-Control': '{"read-write":["test2:tester2"]}' }, status: 204 },
  { name: 'read-write: the grantee writes an object', who: 'other', method: 'PUT', path: `${A}/priv/w`, body: 'w', status: 201 },
  { name: 'read-write: the grantee creates a container', who: 'other', method: 'PUT', path: `${A}/byother`, status: 201 },
  { name: 'read-write: the grantee deletes its object', who: 'other', method: 'DELETE', path: `${A}/priv/w`, status: 204 },
  { name: 'read-write: the grantee cannot POST the account', who: 'other', method: 'POST', path: A, headers: { 'X-Account-Meta-Who': 'other' }, status: 403 },
  { name: 'read-write: the grantee cannot change the account ACL', who: 'other', method: 'POST', path: A, headers: { 'X-Account-Access-Control': '{"admin":["test2"]}' }, status: 403 },
  { name: 'read-write: the grantee does not see container ACLs', who: 'other', method: 'HEAD', path: `${A}/pub`, status: 204, headersAre: { 'x-container-read': null } },
  { name: 'owner makes test2 an account admin', who: 'owner', method: 'POST', path: A, headers: { 'X-Account-Access-Control': '{"admin":["test2"],"read-only":[]}' }, status: 204 },
  { name: 'admin: the grantee POSTs the account', who: 'other', method: 'POST', path: A, headers: { 'X-Account-Meta-Who': 'other' }, status: 204 },
  { name: 'admin: the grantee sees the ACL as format_acl_v2 writes it', who: 'other', method: 'HEAD', path: A, status: 204, headersAre: { 'x-account-access-control': '{"admin":["test2"],"read-only":[]}' } },
  { name: 'admin: the grantee sees container ACLs', who: 'other', method: 'HEAD', path: `${A}/priv`, status: 204, headersAre: { 'x-container-read': 'test:tester3' } },
  { name: 'admin: the grantee sees the ACL of a public container too', who: 'other', method: 'HEAD', path: `${A}/pub`, status: 204, headersAre: { 'x-container-read': '.r:*,.rlistings' } },
  { name: 'a reseller admin sets the account ACL', who: 'reseller', method: 'POST', path: A, headers: { 'X-Account-Access-Control': '{}' }, status: 204 },
  { name: 'an empty ACL shows no header', who: 'owner', method: 'HEAD', path: A, status: 204, headersAre: { 'x-account-access-control': null } },
  { name: 'with the ACL gone the grantee is refused again', who: 'other', method: 'GET', path: `${A}/priv/o`, status: 403 },
  { name: 'a client cannot set the ACL through sysmeta', who: 'owner', method: 'POST', path: A, headers: { 'X-Account-Sysmeta-Core-Access-Control': '{"admin":["test2"]}' }, status: 204 },
  { name: 'the sysmeta header was dropped', who: 'other', method: 'GET', path: `${A}/priv/o`, status: 403 },

  // ---- service tokens (reseller_prefix = AUTH, SERVICE; SERVICE_require_group = service)
  { name: 'the owner alone is refused on SERVICE_test', who: 'owner', method: 'GET', path: '/v1/SERVICE_test', status: 403 },
  { name: 'the owner with a service token reads SERVICE_test', who: 'owner', serviceToken: 'service', method: 'GET', path: '/v1/SERVICE_test', status: 204 },
  { name: 'the owner with a service token creates a container', who: 'owner', serviceToken: 'service', method: 'PUT', path: '/v1/SERVICE_test/svc', status: 201 },
  { name: 'the owner with a service token writes an object', who: 'owner', serviceToken: 'service', method: 'PUT', path: '/v1/SERVICE_test/svc/o', body: 'svc', status: 201 },
  { name: 'the owner without the service token cannot read it', who: 'owner', method: 'GET', path: '/v1/SERVICE_test/svc/o', status: 403 },
  { name: 'a service token of a user outside the group does not help', who: 'owner', serviceToken: 'other', method: 'GET', path: '/v1/SERVICE_test/svc/o', status: 403 },
  { name: 'an invalid service token does not help', who: 'owner', serviceToken: 'badtoken', method: 'GET', path: '/v1/SERVICE_test/svc/o', status: 403 },
  { name: 'the service user alone is refused', who: 'service', method: 'GET', path: '/v1/SERVICE_test/svc/o', status: 403 },
  { name: 'a service token alone is 401', who: 'anon', serviceToken: 'service', method: 'GET', path: '/v1/SERVICE_test/svc/o', status: 401 },
  { name: 'another account with a service token is refused', who: 'other', serviceToken: 'service', method: 'GET', path: '/v1/SERVICE_test/svc/o', status: 403 },
  { name: 'the AUTH_ account needs no service token', who: 'owner', method: 'GET', path: `${A}/priv/o`, status: 200 },
  { name: 'an account outside the reseller prefixes is refused', who: 'owner', method: 'GET', path: '/v1/OTHER_test', status: 403 },

  // ---- container quotas
  { name: 'a non-digit bytes quota is 400', who: 'owner', method: 'PUT', path: `${A}/q`, headers: { 'X-Container-Meta-Quota-Bytes': 'abc' }, status: 400, bodyIs: 'Invalid bytes quota.' },
  { name: 'a non-digit count quota is 400', who: 'owner', method: 'PUT', path: `${A}/q`, headers: { 'X-Container-Meta-Quota-Count': '-1' }, status: 400, bodyIs: 'Invalid count quota.' },
  // (Swift checks against container stats cached up to recheck_container_existence = 60 s, so
  // only uploads that pass the quota on their own are compared; swift-access.test.ts checks
  // quotas filling up over several uploads on the appliance, which uses fresh stats.)
  { name: 'owner creates a container with a bytes quota', who: 'owner', method: 'PUT', path: `${A}/q`, headers: { 'X-Container-Meta-Quota-Bytes': '10' }, status: 201 },
  { name: 'an upload larger than the bytes quota is 413', who: 'owner', method: 'PUT', path: `${A}/q/a`, body: '12345678901', status: 413, bodyIs: 'Upload exceeds quota.' },
  { name: 'an upload of exactly the bytes quota', who: 'owner', method: 'PUT', path: `${A}/q/a`, body: '1234567890', status: 201 },
  { name: 'owner creates a container with a zero count quota', who: 'owner', method: 'PUT', path: `${A}/q0`, headers: { 'X-Container-Meta-Quota-Count': '0' }, status: 201 },
  { name: 'an upload past the count quota is 413', who: 'owner', method: 'PUT', path: `${A}/q0/c`, body: '', status: 413, bodyIs: 'Upload exceeds quota.' },
  { name: 'a POST with a bad quota is 400', who: 'owner', method: 'POST', path: `${A}/q`, headers: { 'X-Container-Meta-Quota-Bytes': '1.5' }, status: 400 },
  { name: 'owner creates a 3-byte container', who: 'owner', method: 'PUT', path: `${A}/q3`, headers: { 'X-Container-Meta-Quota-Bytes': '3' }, status: 201 },
  { name: 'X-Copy-From of 5 bytes into it is 413', who: 'owner', method: 'PUT', path: `${A}/q3/x`, headers: { 'X-Copy-From': 'priv/five' }, status: 413, bodyIs: 'Upload exceeds quota.' },
  { name: 'COPY of 5 bytes into it is 413', who: 'owner', method: 'COPY', path: `${A}/priv/five`, headers: { Destination: 'q3/y' }, status: 413, bodyIs: 'Upload exceeds quota.' },
  { name: 'COPY of 1 byte into it fits', who: 'owner', method: 'COPY', path: `${A}/priv/o`, headers: { Destination: 'q3/y' }, status: 201 },

  // ---- account quotas
  { name: 'the owner cannot set an account quota', who: 'owner', method: 'POST', path: A, headers: { 'X-Account-Meta-Quota-Bytes': '100' }, status: 403 },
  { name: 'the owner cannot remove an account quota', who: 'owner', method: 'POST', path: A, headers: { 'X-Remove-Account-Meta-Quota-Bytes': 'x' }, status: 403 },
  { name: 'a reseller admin cannot set a non-digit quota', who: 'reseller', method: 'POST', path: A, headers: { 'X-Account-Meta-Quota-Bytes': 'abc' }, status: 400 },
  { name: 'a reseller admin sets an account quota', who: 'reseller', method: 'POST', path: A, headers: { 'X-Account-Meta-Quota-Bytes': '2' }, status: 204 },
  { name: 'the owner sees the quota', who: 'owner', method: 'HEAD', path: A, status: 204, headersAre: { 'x-account-meta-quota-bytes': '2' } },
  { name: 'an upload past the account quota is 413', who: 'owner', method: 'PUT', path: `${A}/priv/big`, body: 'abc', status: 413, bodyIs: 'Upload exceeds quota.' },
  { name: 'a reseller admin removes the account quota', who: 'reseller', method: 'POST', path: A, headers: { 'X-Remove-Account-Meta-Quota-Bytes': 'x' }, status: 204 },
  { name: 'uploads go through again', who: 'owner', method: 'PUT', path: `${A}/priv/big`, body: 'abc', status: 201 },

  // ---- domain_remap (storage domain example.net)
  { name: 'container.account host reads an object', who: 'anon', method: 'GET', path: '/o', headers: { Host: 'pub.AUTH-test.example.net' }, status: 200, bodyIs: 'public' },
  { name: 'account host reads an object', who: 'anon', method: 'GET', path: '/pub/o', headers: { Host: 'auth-test.example.net' }, status: 200, bodyIs: 'public' },
  { name: 'container.account host lists with .rlistings', who: 'anon', method: 'GET', path: '/', headers: { Host: 'pub.AUTH_test.example.net' }, status: 200, bodyIs: 'o\n' },
  { name: 'remapped paths are authorized as the real ones', who: 'anon', method: 'GET', path: '/o', headers: { Host: 'priv.AUTH-test.example.net' }, status: 401 },
  { name: 'too many host parts is 400', who: 'anon', method: 'GET', path: '/o', headers: { Host: 'a.b.AUTH-test.example.net' }, status: 400, bodyIs: 'Bad domain in host header' },
  { name: 'a host with a port is remapped', who: 'anon', method: 'GET', path: '/o', headers: { Host: 'pub.AUTH-test.example.net:8080' }, status: 200 },
]

export interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

/** One raw HTTP request (node:http, so that Host can be set). */
export function send(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  const u = new URL(base)
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body)
    const h: Record<string, string | number> = { ...headers }
    if ((payload || method === 'PUT' || method === 'POST') && !h['Transfer-Encoding']) h['Content-Length'] = payload?.length ?? 0
    const req = request({ host: u.hostname, port: u.port, method, path, headers: h }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const out: Record<string, string> = {}
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** Tokens of every SAIO user on the endpoint at `base` (v1 auth). */
export async function tokensAt(base: string): Promise<Record<Who, string | undefined>> {
  const out: Record<Who, string | undefined> = { anon: undefined, badtoken: 'AUTH_tk0123456789abcdef0123456789abcdef' } as Record<Who, string | undefined>
  for (const [who, u] of Object.entries(SAIO_USERS)) {
    const r = await send(base, 'GET', '/auth/v1.0', { 'X-Auth-User': `${u.account}:${u.user}`, 'X-Auth-Key': u.key })
    if (r.status !== 200) throw new Error(`auth of ${u.account}:${u.user} at ${base} failed: ${r.status}`)
    out[who as Who] = r.headers['x-auth-token']
  }
  return out
}

/** Sends one step with its caller's token (and service token). */
export function runStep(base: string, tokens: Record<Who, string | undefined>, step: Step): Promise<Reply> {
  const headers: Record<string, string> = { ...step.headers }
  const token = tokens[step.who]
  if (token) headers['X-Auth-Token'] = token
  const service = step.serviceToken && tokens[step.serviceToken]
  if (service) headers['X-Service-Token'] = service
  return send(base, step.method, step.path, headers, step.body)
}

/** What of a reply a step checks, as one comparable value. */
export function observed(step: Step, r: Reply): Record<string, unknown> {
  const out: Record<string, unknown> = { status: r.status }
  if (step.bodyIs !== undefined) out.body = r.body
  for (const k of Object.keys(step.headersAre ?? {})) out[k] = r.headers[k] ?? null
  return out
}

export function expected(step: Step): Record<string, unknown> {
  const out: Record<string, unknown> = { status: step.status }
  if (step.bodyIs !== undefined) out.body = step.bodyIs
  Object.assign(out, step.headersAre ?? {})
  return out
}
