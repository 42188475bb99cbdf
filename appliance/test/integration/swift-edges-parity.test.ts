/**
 * Differential tests of the last differences issue 12 left, request by request against the
 * SAIO (harness/differential.ts): invalid UTF-8 in account and container metadata, paths
 * under a version Swift does not serve (`/v2/…`), HEAD of a path error (its explanation's
 * Content-Length), `Transfer-Encoding` other than exactly `chunked`, static web under
 * domain_remap with non-ASCII index and CSS names, a referer ACL on the segment container
 * only, and a user with only a container ACL reading a versioned object.
 */
import { describeDifferential, type DiffStep } from '../harness/differential.js'

const REMAP = 'AUTH_test.example.net'
/** Bytes that are not UTF-8, as the latin-1 string Node sends as is. */
const NOT_UTF8 = 'caf\xe9'

const STEPS: DiffStep[] = [
  // ---- 1. metadata must be valid UTF-8 (accounts and containers; objects keep any bytes)
  { name: 'PUT a container', method: 'PUT', path: '/m8' },
  { name: 'POST container metadata that is not UTF-8 is 400', method: 'POST', path: '/m8', wireHeaders: { 'X-Container-Meta-Bad': NOT_UTF8 } },
  { name: 'PUT a container with metadata that is not UTF-8 is 400', method: 'PUT', path: '/m8-bad', wireHeaders: { 'X-Container-Meta-Bad': NOT_UTF8 } },
  { name: 'the refused container does not exist', method: 'HEAD', path: '/m8-bad' },
  { name: 'POST account metadata that is not UTF-8 is 400', method: 'POST', path: '', wireHeaders: { 'X-Account-Meta-Bad': NOT_UTF8 } },
  { name: 'HEAD of a metadata error keeps its length', method: 'HEAD', path: '/m8', wireHeaders: { 'X-Container-Meta-Bad': NOT_UTF8 } },
  { name: 'POST container metadata in UTF-8 is accepted', method: 'POST', path: '/m8', headers: { 'X-Container-Meta-Good': 'café' } },
  { name: 'HEAD shows the UTF-8 metadata and nothing else', method: 'HEAD', path: '/m8' },
  { name: 'PUT an object with metadata that is not UTF-8 is accepted', method: 'PUT', path: '/m8/o', body: 'x', wireHeaders: { 'X-Object-Meta-Bad': NOT_UTF8 } },
  { name: 'POST an object with metadata that is not UTF-8 is accepted', method: 'POST', path: '/m8/o', wireHeaders: { 'X-Object-Meta-Bad': NOT_UTF8 } },
  { name: 'HEAD sends the object metadata back as the bytes it came as', method: 'HEAD', path: '/m8/o' },

  // ---- 2 and 3. paths outside /v1, and HEAD of path errors
  { name: 'GET /v2 is a bad URL', method: 'GET', path: '/v2', fromRoot: true },
  { name: 'HEAD /v2 keeps the length of "Bad URL"', method: 'HEAD', path: '/v2', fromRoot: true },
  { name: 'GET /v2/ is a bad URL', method: 'GET', path: '/v2/', fromRoot: true },
  { name: 'GET /v2/AUTH_test is 400', method: 'GET', path: '/v2/AUTH_test', fromRoot: true },
  { name: 'GET /v2/AUTH_test/m8 is 400', method: 'GET', path: '/v2/AUTH_test/m8', fromRoot: true },
  { name: 'HEAD /v2/AUTH_test/m8 is 400 without a body length', method: 'HEAD', path: '/v2/AUTH_test/m8', fromRoot: true },
  { name: 'PUT /v2/AUTH_test/m8/o is 400', method: 'PUT', path: '/v2/AUTH_test/m8/o', fromRoot: true, body: 'x' },
  { name: 'GET /v1.1/AUTH_test is 400', method: 'GET', path: '/v1.1/AUTH_test', fromRoot: true },
  { name: 'PUT /v2 is a bad URL', method: 'PUT', path: '/v2', fromRoot: true, body: 'x' },
  { name: 'GET /v1.0 alone', method: 'GET', path: '/v1.0', fromRoot: true },
  { name: 'HEAD /v1.0 alone', method: 'HEAD', path: '/v1.0', fromRoot: true },
  { name: 'GET /v1.0 with credentials is no auth endpoint', method: 'GET', path: '/v1.0', fromRoot: true, auth: 'none', headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing' } },
  { name: 'GET /auth/v1.0 with credentials', method: 'GET', path: '/auth/v1.0', fromRoot: true, auth: 'none', headers: { 'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing' }, presenceOnly: ['x-auth-token', 'x-storage-token', 'x-storage-url', 'x-auth-token-expires'] },
  { name: 'GET /v10/AUTH_test/m8 without a token is 400', method: 'GET', path: '/v10/AUTH_test/m8', fromRoot: true, auth: 'none' },
  { name: 'HEAD /v1 keeps the length of "Bad URL"', method: 'HEAD', path: '/v1', fromRoot: true },
  { name: 'anonymous HEAD /v1 keeps it too', method: 'HEAD', path: '/v1', fromRoot: true, auth: 'none' },
  { name: 'anonymous HEAD of an object with invalid UTF-8', method: 'HEAD', path: '/m8/%ED%A0%80', auth: 'none' },
  { name: 'HEAD /v1//c keeps the length of "Bad URL"', method: 'HEAD', path: '/v1//c', fromRoot: true },
  { name: 'HEAD of an account with invalid UTF-8 keeps its length', method: 'HEAD', path: '/v1/AUTH_test%FF', fromRoot: true },
  { name: 'HEAD of an object with invalid UTF-8 keeps its length', method: 'HEAD', path: '/m8/%ED%A0%80' },
  { name: 'HEAD of a missing object has no body length', method: 'HEAD', path: '/m8/missing' },
  { name: 'HEAD of a listing over the limit', method: 'HEAD', path: '/m8', query: 'limit=100000' },
  { name: 'GET of a listing over the limit', method: 'GET', path: '/m8', query: 'limit=100000' },

  // ---- 4. Transfer-Encoding: only exactly `chunked` is a length
  { name: 'PUT with Transfer-Encoding: chunked', method: 'PUT', path: '/m8/te', body: 'abc', transferEncoding: 'chunked' },
  { name: 'PUT with Transfer-Encoding: Chunked is 411', method: 'PUT', path: '/m8/te-cap', body: 'abc', transferEncoding: 'Chunked' },
  { name: 'PUT with Transfer-Encoding: CHUNKED is 411', method: 'PUT', path: '/m8/te-upper', body: 'abc', transferEncoding: 'CHUNKED' },
  { name: 'the refused object does not exist', method: 'HEAD', path: '/m8/te-cap' },
  { name: 'POST with Transfer-Encoding: Chunked', method: 'POST', path: '/m8', body: '', transferEncoding: 'Chunked' },

  // ---- 5. static web under domain_remap with non-ASCII index and CSS names
  { name: 'PUT a web container with a non-ASCII index', method: 'PUT', path: '/site8', headers: { 'X-Container-Read': '.r:*,.rlistings', 'X-Container-Meta-Web-Index': 'índex.html' } },
  { name: 'PUT its index', method: 'PUT', path: '/site8/%C3%ADndex.html', body: '<p>índex</p>', headers: { 'Content-Type': 'text/html' } },
  { name: 'PUT a sub index', method: 'PUT', path: '/site8/s%C3%BCb/%C3%ADndex.html', body: '<p>süb</p>', headers: { 'Content-Type': 'text/html' } },
  { name: 'remapped GET serves the non-ASCII index', method: 'GET', path: '/site8/', fromRoot: true, auth: 'none', headers: { Host: REMAP } },
  { name: 'container-remapped GET serves the non-ASCII index', method: 'GET', path: '/', fromRoot: true, auth: 'none', headers: { Host: `site8.${REMAP}` } },
  { name: 'remapped GET of a non-ASCII sub dir redirects', method: 'GET', path: '/site8/s%C3%BCb', fromRoot: true, auth: 'none', headers: { Host: REMAP } },
  { name: 'remapped GET of the non-ASCII sub dir serves its index', method: 'GET', path: '/site8/s%C3%BCb/', fromRoot: true, auth: 'none', headers: { Host: REMAP } },
  { name: 'PUT a listing container with a non-ASCII CSS name', method: 'PUT', path: '/lst8', headers: { 'X-Container-Read': '.r:*,.rlistings', 'X-Container-Meta-Web-Listings': 'true', 'X-Container-Meta-Web-Listings-Css': 'stÿle.css' } },
  { name: 'PUT an object to list', method: 'PUT', path: '/lst8/d%C3%AFr/a', body: 'a' },
  { name: 'remapped listing names the non-ASCII CSS', method: 'GET', path: '/lst8/', fromRoot: true, auth: 'none', headers: { Host: REMAP }, mask: /<td class="coldate">[^<]*<\/td>/ },
  { name: 'remapped listing of a non-ASCII sub dir', method: 'GET', path: '/lst8/d%C3%AFr/', fromRoot: true, auth: 'none', headers: { Host: REMAP }, mask: /<td class="coldate">[^<]*<\/td>/ },
  { name: 'container-remapped listing', method: 'GET', path: '/', fromRoot: true, auth: 'none', headers: { Host: `lst8.${REMAP}` }, mask: /<td class="coldate">[^<]*<\/td>/ },

  // ---- 5. a referer ACL set only on the segment container
  { name: 'PUT a segment container readable by a referer', method: 'PUT', path: '/rsegs8', headers: { 'X-Container-Read': '.r:.example.com' } },
  { name: 'PUT a segment', method: 'PUT', path: '/rsegs8/p/1', body: 'seg' },
  { name: 'PUT a private manifest container', method: 'PUT', path: '/rman-priv' },
  { name: 'PUT a DLO in it', method: 'PUT', path: '/rman-priv/dlo', headers: { 'X-Object-Manifest': 'rsegs8/p/' } },
  { name: 'anonymous GET of the private manifest with the referer', method: 'GET', path: '/rman-priv/dlo', auth: 'none', headers: { Referer: 'http://www.example.com/' } },
  { name: 'PUT a public manifest container', method: 'PUT', path: '/rman-pub', headers: { 'X-Container-Read': '.r:*' } },
  { name: 'PUT a DLO in the public container', method: 'PUT', path: '/rman-pub/dlo', headers: { 'X-Object-Manifest': 'rsegs8/p/' } },
  { name: 'PUT an SLO in the public container', method: 'PUT', path: '/rman-pub/slo', query: 'multipart-manifest=put', body: JSON.stringify([{ path: 'rsegs8/p/1' }]) },
  { name: 'anonymous GET of the DLO with the segments\' referer', method: 'GET', path: '/rman-pub/dlo', auth: 'none', headers: { Referer: 'http://www.example.com/' } },
  { name: 'anonymous GET of the DLO with another referer', method: 'GET', path: '/rman-pub/dlo', auth: 'none', headers: { Referer: 'http://elsewhere.org/' } },
  { name: 'anonymous GET of the DLO without a referer', method: 'GET', path: '/rman-pub/dlo', auth: 'none' },
  { name: 'anonymous HEAD of the DLO with another referer', method: 'HEAD', path: '/rman-pub/dlo', auth: 'none', headers: { Referer: 'http://elsewhere.org/' } },
  { name: 'anonymous GET of the SLO with the segments\' referer', method: 'GET', path: '/rman-pub/slo', auth: 'none', headers: { Referer: 'http://www.example.com/' }, ignore: ['etag'] },

  // ---- 6. a user with only a container ACL and object versioning
  { name: 'PUT a versioned container the member may read', method: 'PUT', path: '/ver8', headers: { 'X-Versions-Enabled': 'true', 'X-Container-Read': 'test:tester3' } },
  { name: 'PUT version 1', method: 'PUT', path: '/ver8/o', body: 'v1' },
  { name: 'PUT version 2', method: 'PUT', path: '/ver8/o', body: 'v2' },
  { name: 'the member reads the latest version', method: 'GET', path: '/ver8/o', auth: 'member', presenceOnly: ['x-object-version-id'] },
  { name: 'the member HEADs the latest version', method: 'HEAD', path: '/ver8/o', auth: 'member', presenceOnly: ['x-object-version-id'] },
  { name: 'the member lists the versions', method: 'GET', path: '/ver8', query: 'versions&format=json', auth: 'member', mask: /"version_id": "[^"]*"|"last_modified": "[^"]*"/ },
  { name: 'the member cannot read a version by id', method: 'GET', path: '/ver8/o', query: 'version-id=null', auth: 'member' },
  { name: 'the member cannot read a stored version by id', method: 'GET', path: '/ver8/o', query: 'version-id=1700000000.00000', auth: 'member' },
  { name: 'the owner gives the member write access', method: 'POST', path: '/ver8', headers: { 'X-Container-Write': 'test:tester3', 'X-Container-Read': 'test:tester3' } },
  { name: 'the member writes version 3', method: 'PUT', path: '/ver8/o', body: 'v3', auth: 'member', presenceOnly: ['x-object-version-id'] },
  { name: 'the member deletes it (a delete marker)', method: 'DELETE', path: '/ver8/o', auth: 'member', presenceOnly: ['x-object-version-id'] },
  { name: 'the member reads the deleted object', method: 'GET', path: '/ver8/o', auth: 'member' },
  { name: 'the member lists the versions with the marker', method: 'GET', path: '/ver8', query: 'versions&format=json', auth: 'member', mask: /"version_id": "[^"]*"|"last_modified": "[^"]*"/ },
  { name: 'the member cannot delete a version by id', method: 'DELETE', path: '/ver8/o', query: 'version-id=1700000000.00000', auth: 'member' },
  { name: 'the member cannot restore a version by id', method: 'PUT', path: '/ver8/o', query: 'version-id=1700000000.00000', auth: 'member' },
  { name: 'the member deletes the null version', method: 'DELETE', path: '/ver8/o', query: 'version-id=null', auth: 'member' },
  { name: 'the member lists the versions after that', method: 'GET', path: '/ver8', query: 'versions&format=json', auth: 'member', mask: /"version_id": "[^"]*"|"last_modified": "[^"]*"/ },
]

describeDifferential('Swift parity: metadata UTF-8, paths outside /v1, HEAD errors, Transfer-Encoding, remapped non-ASCII web, ACLs and versions (SAIO)', STEPS)
