/**
 * Differential tests of non-ASCII header values and TempURLs on non-ASCII paths against a
 * real Swift 2.30 (harness/saio.ts), request by request (harness/differential.ts). Swift
 * reads header bytes as UTF-8 and writes UTF-8 back: every header that names a container or
 * an object (X-Object-Manifest, X-Copy-From, Destination, X-Symlink-Target,
 * X-Versions-Location, X-History-Location, the static web metas) and every user metadata
 * value is sent here as raw UTF-8 (and, where Swift also takes it, percent-encoded). TempURL
 * signatures are HMACs over the unquoted UTF-8 path, for objects, prefixes and the segments
 * of large objects read under one.
 */
import { createHmac } from 'node:crypto'
import { describeDifferential, type DiffStep } from '../harness/differential.js'

const enc = (s: string) => s.split('/').map(encodeURIComponent).join('/')
const EXPIRES = '4102444800'
const KEY = 'utf8-parity-key'
/** Swift's TempURL signature: HMAC-SHA256 over METHOD\nEXPIRES\nPATH, the path unquoted (UTF-8). */
const signed = (path: string, method = 'GET', prefix?: string) =>
  `temp_url_sig=${createHmac('sha256', KEY).update(`${method}\n${EXPIRES}\n${prefix !== undefined ? 'prefix:' : ''}/v1/AUTH_test/${path}`).digest('hex')}&temp_url_expires=${EXPIRES}${prefix !== undefined ? `&temp_url_prefix=${encodeURIComponent(prefix)}` : ''}`

/** A listing's dates are clock readings of each cluster. */
const COLDATE = /<td class="coldate">[^<]*<\/td>/
const SRC = 'quelle-ü'
const SEG = 'séгменты'
const STEPS: DiffStep[] = [
  { name: 'PUT a non-ASCII container', method: 'PUT', path: `/${enc(SRC)}` },
  { name: 'PUT a non-ASCII segment container', method: 'PUT', path: `/${enc(SEG)}` },

  // ---- user metadata values
  { name: 'PUT object with UTF-8 metadata', method: 'PUT', path: `/${enc(SRC)}/${enc('ö.txt')}`, body: 'oe', headers: { 'X-Object-Meta-City': 'Zürich', 'X-Object-Meta-Word': '日本語 😀', 'Content-Type': 'text/plain' } },
  { name: 'HEAD shows the UTF-8 metadata', method: 'HEAD', path: `/${enc(SRC)}/${enc('ö.txt')}` },
  { name: 'POST object with UTF-8 metadata', method: 'POST', path: `/${enc(SRC)}/${enc('ö.txt')}`, headers: { 'X-Object-Meta-City': 'Genève' } },
  { name: 'GET shows the posted UTF-8 metadata', method: 'GET', path: `/${enc(SRC)}/${enc('ö.txt')}` },
  { name: 'POST container with UTF-8 metadata', method: 'POST', path: `/${enc(SRC)}`, headers: { 'X-Container-Meta-Owner': 'Zoë' } },
  { name: 'HEAD container shows it', method: 'HEAD', path: `/${enc(SRC)}` },
  { name: 'POST account with UTF-8 metadata', method: 'POST', path: '', headers: { 'X-Account-Meta-Team': 'Ñandú' } },
  { name: 'HEAD account shows it', method: 'HEAD', path: '' },
  { name: 'POST account with a 255-byte UTF-8 value is accepted', method: 'POST', path: '', headers: { 'X-Account-Meta-Long': `${'é'.repeat(127)}x` } },
  { name: 'POST account with a 257-byte UTF-8 value is 400', method: 'POST', path: '', headers: { 'X-Account-Meta-Long': `${'é'.repeat(128)}x` } },

  // ---- copies
  { name: 'PUT with a raw UTF-8 X-Copy-From', method: 'PUT', path: `/${enc(SRC)}/copy1`, headers: { 'X-Copy-From': `${SRC}/ö.txt` } },
  { name: 'GET the copy', method: 'GET', path: `/${enc(SRC)}/copy1` },
  { name: 'PUT with a percent-encoded X-Copy-From', method: 'PUT', path: `/${enc(SRC)}/copy2`, headers: { 'X-Copy-From': `/${enc(SRC)}/${enc('ö.txt')}` } },
  { name: 'PUT with X-Copy-From and X-Copy-From-Account', method: 'PUT', path: `/${enc(SRC)}/copy3`, headers: { 'X-Copy-From': `${SRC}/ö.txt`, 'X-Copy-From-Account': 'AUTH_test' } },
  { name: 'COPY with a raw UTF-8 Destination', method: 'COPY', path: `/${enc(SRC)}/${enc('ö.txt')}`, headers: { Destination: `${SRC}/kopie-ä` } },
  { name: 'GET the COPY destination', method: 'GET', path: `/${enc(SRC)}/${enc('kopie-ä')}` },
  { name: 'PUT with X-Copy-From of a missing non-ASCII object is 404', method: 'PUT', path: `/${enc(SRC)}/copy4`, headers: { 'X-Copy-From': `${SRC}/fehlt-ü` } },

  // ---- DLO manifests naming a non-ASCII container and prefix
  { name: 'PUT DLO segment 1', method: 'PUT', path: `/${enc(SEG)}/${enc('tëil/1')}`, body: 'eins' },
  { name: 'PUT DLO segment 2', method: 'PUT', path: `/${enc(SEG)}/${enc('tëil/2')}`, body: 'zwei' },
  { name: 'PUT a DLO manifest, raw UTF-8', method: 'PUT', path: `/${enc(SRC)}/dlo-raw`, headers: { 'X-Object-Manifest': `${SEG}/tëil/` } },
  { name: 'GET the raw-UTF-8 DLO', method: 'GET', path: `/${enc(SRC)}/dlo-raw` },
  { name: 'HEAD the raw-UTF-8 DLO', method: 'HEAD', path: `/${enc(SRC)}/dlo-raw` },
  { name: 'PUT a DLO manifest, percent-encoded', method: 'PUT', path: `/${enc(SRC)}/dlo-enc`, headers: { 'X-Object-Manifest': `${enc(SEG)}/${enc('tëil/')}` } },
  { name: 'GET the percent-encoded DLO', method: 'GET', path: `/${enc(SRC)}/dlo-enc` },
  { name: 'GET the DLO manifest itself', method: 'GET', path: `/${enc(SRC)}/dlo-raw`, query: 'multipart-manifest=get' },

  // ---- symlinks
  { name: 'PUT a symlink, raw UTF-8 target', method: 'PUT', path: `/${enc(SRC)}/link-raw`, headers: { 'X-Symlink-Target': `${SRC}/ö.txt` } },
  { name: 'GET through the raw-UTF-8 link', method: 'GET', path: `/${enc(SRC)}/link-raw` },
  { name: 'HEAD the raw-UTF-8 link itself', method: 'HEAD', path: `/${enc(SRC)}/link-raw`, query: 'symlink=get' },
  { name: 'PUT a symlink, percent-encoded target', method: 'PUT', path: `/${enc(SRC)}/link-enc`, headers: { 'X-Symlink-Target': `${enc(SRC)}/${enc('ö.txt')}` } },
  { name: 'GET through the percent-encoded link', method: 'GET', path: `/${enc(SRC)}/link-enc` },
  { name: 'PUT a symlink to a missing non-ASCII target', method: 'PUT', path: `/${enc(SRC)}/link-missing`, headers: { 'X-Symlink-Target': `${SRC}/fehlt-ü` } },
  { name: 'GET through the dangling link is 404', method: 'GET', path: `/${enc(SRC)}/link-missing` },

  // ---- versioned_writes with non-ASCII archive containers
  { name: 'PUT the versions container', method: 'PUT', path: `/${enc('versiönen')}` },
  { name: 'PUT a container with a raw UTF-8 X-Versions-Location', method: 'PUT', path: '/vers-stack', headers: { 'X-Versions-Location': 'versiönen' } },
  { name: 'HEAD shows X-Versions-Location', method: 'HEAD', path: '/vers-stack' },
  { name: 'PUT version 1', method: 'PUT', path: `/vers-stack/${enc('dätei')}`, body: 'v1' },
  { name: 'PUT version 2', method: 'PUT', path: `/vers-stack/${enc('dätei')}`, body: 'v2' },
  { name: 'the archive holds version 1', method: 'GET', path: `/${enc('versiönen')}`, query: 'format=json' },
  { name: 'DELETE restores version 1', method: 'DELETE', path: `/vers-stack/${enc('dätei')}` },
  { name: 'GET the restored version', method: 'GET', path: `/vers-stack/${enc('dätei')}` },
  { name: 'PUT the history container', method: 'PUT', path: `/${enc('histörie')}` },
  { name: 'PUT a container with a raw UTF-8 X-History-Location', method: 'PUT', path: '/vers-hist', headers: { 'X-History-Location': 'histörie' } },
  { name: 'HEAD shows X-History-Location', method: 'HEAD', path: '/vers-hist' },
  { name: 'PUT history version 1', method: 'PUT', path: '/vers-hist/o', body: 'h1' },
  { name: 'PUT history version 2', method: 'PUT', path: '/vers-hist/o', body: 'h2' },
  { name: 'the history holds version 1', method: 'GET', path: `/${enc('histörie')}`, query: 'format=json' },

  // ---- static web with non-ASCII index, CSS and error pages
  { name: 'PUT a public web container with UTF-8 metas', method: 'PUT', path: '/web8', headers: { 'X-Container-Read': '.r:*,.rlistings', 'X-Container-Meta-Web-Index': 'índex.html', 'X-Container-Meta-Web-Error': 'fëhler.html' } },
  { name: 'PUT the index page', method: 'PUT', path: `/web8/${enc('índex.html')}`, body: '<p>start</p>', headers: { 'Content-Type': 'text/html' } },
  { name: 'PUT a sub index page', method: 'PUT', path: `/web8/${enc('sub/índex.html')}`, body: '<p>sub</p>', headers: { 'Content-Type': 'text/html' } },
  { name: 'PUT the 404 error page', method: 'PUT', path: `/web8/${enc('404fëhler.html')}`, body: '<p>weg</p>', headers: { 'Content-Type': 'text/html' } },
  { name: 'anonymous GET of the container serves the index', method: 'GET', path: '/web8/', auth: 'none' },
  { name: 'anonymous GET of a sub dir serves its index', method: 'GET', path: '/web8/sub/', auth: 'none' },
  {
    name: 'anonymous GET of a missing page serves the error page',
    method: 'GET',
    path: '/web8/nichts',
    auth: 'none',
    // Known, accepted difference: Swift 2.30 on Python 3 builds the error page's sub-request
    // path from the decoded Web-Error name where a WSGI (latin-1) path is expected, so a
    // non-ASCII error page is never found (an object under the mojibake name is not either)
    // and it answers its plain 404. Velox serves the page the container names.
    ignore: ['body', 'content-length', 'content-type', 'etag', 'last-modified', 'x-timestamp'],
  },
  { name: 'PUT a listing container with a UTF-8 CSS name', method: 'PUT', path: '/web8l', headers: { 'X-Container-Read': '.r:*,.rlistings', 'X-Container-Meta-Web-Listings': 'true', 'X-Container-Meta-Web-Listings-Css': 'stíl.css' } },
  { name: 'PUT an object to list', method: 'PUT', path: `/web8l/${enc('dir/ä')}`, body: 'a' },
  { name: 'anonymous listing links the UTF-8 CSS', method: 'GET', path: '/web8l/', auth: 'none', mask: COLDATE },
  { name: 'anonymous listing of a sub dir', method: 'GET', path: '/web8l/dir/', auth: 'none', mask: COLDATE },

  // ---- TempURLs over non-ASCII paths
  { name: 'POST the TempURL key', method: 'POST', path: '', headers: { 'X-Account-Meta-Temp-URL-Key': KEY } },
  { name: 'TempURL GET of a non-ASCII object', method: 'GET', path: `/${enc(SRC)}/${enc('ö.txt')}`, query: signed(`${SRC}/ö.txt`), auth: 'none', presenceOnly: ['expires'] },
  { name: 'TempURL HEAD of a non-ASCII object', method: 'HEAD', path: `/${enc(SRC)}/${enc('ö.txt')}`, query: signed(`${SRC}/ö.txt`, 'HEAD'), auth: 'none', presenceOnly: ['expires'] },
  { name: 'TempURL signed over the quoted path is 401', method: 'GET', path: `/${enc(SRC)}/${enc('ö.txt')}`, query: signed(`${enc(SRC)}/${enc('ö.txt')}`), auth: 'none' },
  { name: 'TempURL PUT of a non-ASCII object', method: 'PUT', path: `/${enc(SRC)}/${enc('hochgeladen-ü')}`, query: signed(`${SRC}/hochgeladen-ü`, 'PUT'), body: 'up', auth: 'none' },
  { name: 'GET the TempURL upload', method: 'GET', path: `/${enc(SRC)}/${enc('hochgeladen-ü')}` },
  { name: 'prefix TempURL over a non-ASCII prefix', method: 'GET', path: `/${enc(SEG)}/${enc('tëil/1')}`, query: signed(`${SEG}/tëil/`, 'GET', 'tëil/'), auth: 'none', presenceOnly: ['expires'] },
  { name: 'prefix TempURL outside its prefix is 401', method: 'GET', path: `/${enc(SRC)}/${enc('ö.txt')}`, query: signed(`${SRC}/`, 'GET', 'x'), auth: 'none' },
  { name: 'POST a non-ASCII container TempURL key', method: 'POST', path: `/${enc(SEG)}`, headers: { 'X-Container-Meta-Temp-URL-Key': 'schlüssel-ü' } },
  { name: 'TempURL GET signed with the non-ASCII container key', method: 'GET', path: `/${enc(SEG)}/${enc('tëil/2')}`, query: signed(`${SEG}/tëil/2`).replace(/temp_url_sig=[0-9a-f]+/, `temp_url_sig=${createHmac('sha256', 'schlüssel-ü').update(`GET\n${EXPIRES}\n/v1/AUTH_test/${SEG}/tëil/2`).digest('hex')}`), auth: 'none', presenceOnly: ['expires'] },
  { name: 'TempURL GET of the DLO reads its non-ASCII segments', method: 'GET', path: `/${enc(SRC)}/dlo-raw`, query: signed(`${SRC}/dlo-raw`), auth: 'none', presenceOnly: ['expires'] },
  { name: 'PUT an SLO over non-ASCII segments', method: 'PUT', path: `/${enc(SRC)}/slo`, query: 'multipart-manifest=put', body: JSON.stringify([{ path: `${SEG}/tëil/1` }, { path: `/${SEG}/tëil/2` }]) },
  { name: 'TempURL GET of the SLO reads its non-ASCII segments', method: 'GET', path: `/${enc(SRC)}/slo`, query: signed(`${SRC}/slo`), auth: 'none', presenceOnly: ['expires'] },
  { name: 'TempURL GET through a symlink to a non-ASCII target', method: 'GET', path: `/${enc(SRC)}/link-raw`, query: signed(`${SRC}/link-raw`), auth: 'none', presenceOnly: ['expires'] },
]

describeDifferential('Swift parity: non-ASCII header values and TempURL paths (SAIO)', STEPS)
