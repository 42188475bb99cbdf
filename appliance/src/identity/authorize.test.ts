// Cases follow Swift's tempauth authorize() (test/unit/common/middleware/test_tempauth.py).
import { expect } from 'chai'
import { authorize, parseAccountAcl, type AuthorizeDecision, type AuthorizeRequest } from './authorize.js'
import { userGroups } from './groups.js'

const P = ['AUTH_']
const owner = userGroups({ account: 'test', user: 'tester', admin: true, resellerAdmin: false, groups: [] }, P)
const member = userGroups({ account: 'test', user: 'tester3', admin: false, resellerAdmin: false, groups: [] }, P)
const other = userGroups({ account: 'other', user: 'bob', admin: true, resellerAdmin: false, groups: ['editors'] }, P)
const reseller = userGroups({ account: 'admin', user: 'admin', admin: true, resellerAdmin: true, groups: [] }, P)
const glance = userGroups({ account: 'glance', user: 'glance', admin: false, resellerAdmin: false, groups: ['.service'] }, P)
const OK: AuthorizeDecision = { allowed: true, owner: false }
const OWNER: AuthorizeDecision = { allowed: true, owner: true }
const E401: AuthorizeDecision = { allowed: false, status: 401 }
const E403: AuthorizeDecision = { allowed: false, status: 403 }

type Case = [string, Omit<AuthorizeRequest, 'resellerPrefixes'> & { resellerPrefixes?: readonly string[] }, AuthorizeDecision]

const acctAcl = parseAccountAcl(
  JSON.stringify({ admin: ['other:bob'], 'read-write': ['editors'], 'read-only': ['test:tester3'] }),
)
const cases: Case[] = [
  // owner and reseller admin
  ['owner GETs its account', { method: 'GET', account: 'AUTH_test', groups: owner }, OWNER],
  ['owner PUTs an object', { method: 'PUT', account: 'AUTH_test', container: 'c', object: 'o', groups: owner }, OWNER],
  ['owner may not PUT its account', { method: 'PUT', account: 'AUTH_test', groups: owner }, E403],
  ['owner may not DELETE its account', { method: 'DELETE', account: 'AUTH_test', groups: owner }, E403],
  ['owner POSTs its account', { method: 'POST', account: 'AUTH_test', groups: owner }, OWNER],
  ['reseller admin acts on any account', { method: 'DELETE', account: 'AUTH_test', groups: reseller }, OWNER],
  ['reseller admin not on a dot account', { method: 'GET', account: 'AUTH_.expiring_objects', groups: reseller }, E403],
  ['reseller admin not on the bare prefix', { method: 'GET', account: 'AUTH_', groups: reseller }, E403],
  ['reseller reader GETs any account', { method: 'GET', account: 'AUTH_test', groups: ['r', 'r:r', '.reseller_reader'] }, OK],
  ['reseller reader may not PUT', { method: 'PUT', account: 'AUTH_test', container: 'c', groups: ['r', 'r:r', '.reseller_reader'] }, E403],
  // denials
  ['non-owner is forbidden', { method: 'GET', account: 'AUTH_test', container: 'c', groups: other }, E403],
  ['member without admin is forbidden', { method: 'GET', account: 'AUTH_test', container: 'c', groups: member }, E403],
  ['anonymous is unauthorized', { method: 'GET', account: 'AUTH_test', container: 'c', object: 'o' }, E401],
  ['anonymous with empty groups is unauthorized', { method: 'GET', account: 'AUTH_test', groups: [] }, E401],
  ['account outside the reseller prefixes', { method: 'GET', account: 'OTHER_test', groups: owner }, E403],
  ['anonymous outside the reseller prefixes', { method: 'GET', account: 'OTHER_test' }, E401],
  ['OPTIONS always passes', { method: 'OPTIONS', account: 'AUTH_test', container: 'c' }, OK],
  // container ACLs: users, accounts, referrers, .rlistings
  ['read ACL names the user', { method: 'GET', account: 'AUTH_test', container: 'c', groups: other, containerAcl: 'other:bob' }, OK],
  ['read ACL names the account', { method: 'GET', account: 'AUTH_test', container: 'c', object: 'o', groups: other, containerAcl: 'other' }, OK],
  ['read ACL names a custom group', { method: 'HEAD', account: 'AUTH_test', container: 'c', groups: other, containerAcl: 'editors' }, OK],
  ['read ACL names someone else', { method: 'GET', account: 'AUTH_test', container: 'c', groups: other, containerAcl: 'other:alice' }, E403],
  ['write ACL lets a user PUT objects', { method: 'PUT', account: 'AUTH_test', container: 'c', object: 'o', groups: other, containerAcl: 'other:bob' }, OK],
  ['ACL group names are percent-decoded', { method: 'GET', account: 'AUTH_test', container: 'c', groups: ['x', 'x:a b'], containerAcl: 'x:a%20b' }, OK],
  ['.r:* lets anonymous GET an object', { method: 'GET', account: 'AUTH_test', container: 'c', object: 'o', containerAcl: '.r:*' }, OK],
  ['.r:* alone does not list the container', { method: 'GET', account: 'AUTH_test', container: 'c', containerAcl: '.r:*' }, E401],
  ['.r:*,.rlistings lists the container', { method: 'GET', account: 'AUTH_test', container: 'c', containerAcl: '.r:*,.rlistings' }, OK],
  ['.r:* gives an authenticated stranger objects', { method: 'GET', account: 'AUTH_test', container: 'c', object: 'o', groups: other, containerAcl: '.r:*' }, OK],
  [
    '.r:.example.com matches a subdomain referer',
    { method: 'GET', account: 'AUTH_test', container: 'c', object: 'o', referer: 'http://www.example.com/page', containerAcl: '.r:.example.com' },
    OK,
  ],
  [
    '.r:-bad.com denies that referer after .r:*',
    { method: 'GET', account: 'AUTH_test', container: 'c', object: 'o', referer: 'https://bad.com/', containerAcl: '.r:*,.r:-bad.com' },
    E401,
  ],
  [
    'referrer ACL without a matching referer',
    { method: 'GET', account: 'AUTH_test', container: 'c', object: 'o', referer: 'http://elsewhere.org/', containerAcl: '.r:.example.com' },
    E401,
  ],
  // account ACLs
  ['account ACL admin is owner', { method: 'POST', account: 'AUTH_test', groups: other, accountAcl: acctAcl }, OWNER],
  ['account ACL admin may DELETE the account too', { method: 'DELETE', account: 'AUTH_test', groups: other, accountAcl: acctAcl }, OWNER],
  ['read-write creates containers', { method: 'PUT', account: 'AUTH_test', container: 'c', groups: ['e', 'e:e', 'editors'], accountAcl: acctAcl }, OK],
  ['read-write reads the account', { method: 'GET', account: 'AUTH_test', groups: ['e', 'e:e', 'editors'], accountAcl: acctAcl }, OK],
  ['read-write may not POST the account', { method: 'POST', account: 'AUTH_test', groups: ['e', 'e:e', 'editors'], accountAcl: acctAcl }, E403],
  ['read-only lists', { method: 'GET', account: 'AUTH_test', container: 'c', groups: member, accountAcl: acctAcl }, OK],
  ['read-only may not write', { method: 'PUT', account: 'AUTH_test', container: 'c', object: 'o', groups: member, accountAcl: acctAcl }, E403],
  ['account ACL does not help anonymous', { method: 'GET', account: 'AUTH_test', accountAcl: parseAccountAcl('{"read-only":[""]}') }, E401],
  // reseller prefixes, require_group and service tokens
  [
    'admin owns its account under every prefix',
    { method: 'GET', account: 'SERVICE_test', groups: userGroups({ account: 'test', user: 'tester', admin: true, resellerAdmin: false, groups: [] }, ['AUTH_', 'SERVICE_']), resellerPrefixes: ['AUTH_', 'SERVICE_'] },
    OWNER,
  ],
  [
    'SERVICE_ account needs the service token group',
    { method: 'GET', account: 'SERVICE_test', groups: [...owner, 'SERVICE_test'], resellerPrefixes: ['AUTH_', 'SERVICE_'], requireGroup: { SERVICE_: '.service' } },
    E403,
  ],
  [
    'SERVICE_ account with a service token',
    { method: 'GET', account: 'SERVICE_test', groups: [...owner, 'SERVICE_test'], serviceGroups: glance, resellerPrefixes: ['AUTH_', 'SERVICE_'], requireGroup: { SERVICE_: '.service' } },
    OWNER,
  ],
  [
    'require_group of another prefix does not apply',
    { method: 'GET', account: 'AUTH_test', groups: owner, resellerPrefixes: ['AUTH_', 'SERVICE_'], requireGroup: { SERVICE_: '.service' } },
    OWNER,
  ],
  ['a service token alone is anonymous', { method: 'GET', account: 'AUTH_test', serviceGroups: glance }, E401],
  ['empty prefix is the fallback authority', { method: 'GET', account: 'test', groups: ['test', 'test:t'], resellerPrefixes: [''] }, OWNER],
]

describe('identity/authorize', () => {
  for (const [name, req, decision] of cases) {
    it(name, () => {
      expect(authorize({ resellerPrefixes: P, ...req })).to.deep.equal(decision)
    })
  }
})
