/**
 * Differential tests of the behaviours a broad third-party functional suite found different
 * from a real Swift 2.30 (issue 12, items 5–10), request by request against the SAIO
 * (harness/differential.ts): DLO fast-POST and referer ACLs, symlinks and SLO manifests in
 * both directions, versioned_writes of SLO manifests, static web under domain_remap, paths
 * and statuses (bad URLs, marker/end_marker, copies from a missing account, X-Delete-At,
 * accumulated metadata limits), and details clients compare (container Last-Modified, Python's
 * mimetypes, COPY with Range, the Connection header, the SLO heartbeat body, service tokens).
 */
import { describeDifferential, type DiffStep } from '../harness/differential.js'

const md5 = { eins: '4c0d5d15a964bc702120b031e7bb0c48', zwei: '15d55d085e6eda9586293acad7c0a4f4' }
const REMAP = 'AUTH_test.example.net'
const bigMeta = (prefix: string, from: number, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${from + i}`, 'v'.repeat(200)]))

const STEPS: DiffStep[] = [
  { name: 'PUT the segment container', method: 'PUT', path: '/segs' },
  { name: 'PUT the work container', method: 'PUT', path: '/work' },
  { name: 'PUT segment 1', method: 'PUT', path: '/segs/d/1', body: 'eins' },
  { name: 'PUT segment 2', method: 'PUT', path: '/segs/d/2', body: 'zwei' },

  // ---- 5. DLO fast-POST: X-Object-Manifest on a POST makes, changes or (absent) ends a manifest
  { name: 'PUT a plain object', method: 'PUT', path: '/work/dlo-post', body: 'plain' },
  { name: 'POST X-Object-Manifest turns it into a DLO', method: 'POST', path: '/work/dlo-post', headers: { 'X-Object-Manifest': 'segs/d/' } },
  { name: 'GET assembles the DLO', method: 'GET', path: '/work/dlo-post' },
  { name: 'HEAD shows the manifest', method: 'HEAD', path: '/work/dlo-post' },
  { name: 'POST another X-Object-Manifest changes it', method: 'POST', path: '/work/dlo-post', headers: { 'X-Object-Manifest': 'segs/d/2' } },
  { name: 'GET the changed DLO', method: 'GET', path: '/work/dlo-post' },
  { name: 'POST a bad X-Object-Manifest is 400', method: 'POST', path: '/work/dlo-post', headers: { 'X-Object-Manifest': 'nocontainer' } },
  { name: 'POST without X-Object-Manifest makes it plain again', method: 'POST', path: '/work/dlo-post', headers: { 'X-Object-Meta-A': 'b' } },
  { name: 'GET the plain object again', method: 'GET', path: '/work/dlo-post' },
  // ---- 5. referer ACLs on the segment container
  { name: 'PUT a referer-readable segment container', method: 'PUT', path: '/rsegs', headers: { 'X-Container-Read': '.r:.example.com' } },
  { name: 'PUT a referer-readable segment', method: 'PUT', path: '/rsegs/p/1', body: 'seg' },
  { name: 'PUT a referer-readable manifest container', method: 'PUT', path: '/rman', headers: { 'X-Container-Read': '.r:.example.com' } },
  { name: 'PUT a DLO over the referer-readable segments', method: 'PUT', path: '/rman/dlo', headers: { 'X-Object-Manifest': 'rsegs/p/' } },
  { name: 'anonymous GET with an allowed Referer', method: 'GET', path: '/rman/dlo', auth: 'none', headers: { Referer: 'http://www.example.com/page' } },
  { name: 'anonymous GET with another Referer', method: 'GET', path: '/rman/dlo', auth: 'none', headers: { Referer: 'http://elsewhere.org/' } },

  // ---- 6. symlinks to SLO and DLO manifests, SLO segments that are symlinks
  { name: 'PUT an SLO', method: 'PUT', path: '/work/slo', query: 'multipart-manifest=put', body: JSON.stringify([{ path: 'segs/d/1', etag: md5.eins }, { path: 'segs/d/2' }]) },
  { name: 'PUT a DLO', method: 'PUT', path: '/work/dlo', headers: { 'X-Object-Manifest': 'segs/d/' } },
  { name: 'PUT a symlink to the SLO', method: 'PUT', path: '/work/link-slo', headers: { 'X-Symlink-Target': 'work/slo' } },
  { name: 'GET through the link assembles the SLO', method: 'GET', path: '/work/link-slo' },
  { name: 'HEAD through the link to the SLO', method: 'HEAD', path: '/work/link-slo' },
  { name: 'GET a range through the link to the SLO', method: 'GET', path: '/work/link-slo', headers: { Range: 'bytes=2-5' } },
  // A manifest's md5 covers its segments' Last-Modified, a clock reading of each cluster.
  { name: 'GET multipart-manifest=get through the link', method: 'GET', path: '/work/link-slo', query: 'multipart-manifest=get', presenceOnly: ['etag'] },
  { name: 'PUT a symlink to the DLO', method: 'PUT', path: '/work/link-dlo', headers: { 'X-Symlink-Target': 'work/dlo' } },
  { name: 'GET through the link assembles the DLO', method: 'GET', path: '/work/link-dlo' },
  { name: 'PUT a symlink to segment 1', method: 'PUT', path: '/segs/link-1', headers: { 'X-Symlink-Target': 'segs/d/1' } },
  { name: 'PUT a static symlink to segment 2', method: 'PUT', path: '/segs/link-2', headers: { 'X-Symlink-Target': 'segs/d/2', 'X-Symlink-Target-Etag': md5.zwei } },
  { name: 'PUT an SLO whose segments are symlinks', method: 'PUT', path: '/work/slo-links', query: 'multipart-manifest=put', body: JSON.stringify([{ path: 'segs/link-1' }, { path: 'segs/link-2', etag: md5.zwei, size_bytes: 4 }]) },
  { name: 'GET the SLO of symlinks', method: 'GET', path: '/work/slo-links' },
  { name: 'GET the SLO of symlinks as its manifest', method: 'GET', path: '/work/slo-links', query: 'multipart-manifest=get', presenceOnly: ['etag'] },

  // ---- 7. versioned_writes of SLO manifests: the archive holds the manifest
  { name: 'PUT the archive container', method: 'PUT', path: '/slo-archive' },
  { name: 'PUT a versioned container', method: 'PUT', path: '/slo-versioned', headers: { 'X-Versions-Location': 'slo-archive' } },
  { name: 'PUT a versioned SLO', method: 'PUT', path: '/slo-versioned/big', query: 'multipart-manifest=put', body: JSON.stringify([{ path: 'segs/d/1' }, { path: 'segs/d/2' }]) },
  { name: 'PUT it again (archives the first manifest)', method: 'PUT', path: '/slo-versioned/big', query: 'multipart-manifest=put', body: JSON.stringify([{ path: 'segs/d/2' }]) },
  { name: 'the archive lists a manifest with the assembled size', method: 'GET', path: '/slo-archive', query: 'format=json', mask: /"hash": "[0-9a-f]{32}"/ },
  { name: 'the archived version is a manifest', method: 'GET', path: '/slo-archive', query: 'format=json&prefix=003big/', mask: /"hash": "[0-9a-f]{32}"/ },
  { name: 'DELETE restores the first SLO', method: 'DELETE', path: '/slo-versioned/big' },
  { name: 'GET the restored SLO', method: 'GET', path: '/slo-versioned/big' },
  { name: 'HEAD the restored SLO', method: 'HEAD', path: '/slo-versioned/big' },

  // ---- 8. static web under domain_remap: redirects name the path the client sent
  { name: 'PUT a public web container', method: 'PUT', path: '/site', headers: { 'X-Container-Read': '.r:*,.rlistings', 'X-Container-Meta-Web-Index': 'index.html', 'X-Container-Meta-Web-Error': 'error.html' } },
  { name: 'PUT its index', method: 'PUT', path: '/site/index.html', body: '<p>home</p>', headers: { 'Content-Type': 'text/html' } },
  { name: 'PUT a sub index', method: 'PUT', path: '/site/sub/index.html', body: '<p>sub</p>', headers: { 'Content-Type': 'text/html' } },
  { name: 'PUT its 404 page', method: 'PUT', path: '/site/404error.html', body: '<p>gone</p>', headers: { 'Content-Type': 'text/html' } },
  { name: 'remapped GET of the container redirects to the sent path', method: 'GET', path: '/site', fromRoot: true, auth: 'none', headers: { Host: REMAP } },
  { name: 'remapped GET of the container with a slash serves the index', method: 'GET', path: '/site/', fromRoot: true, auth: 'none', headers: { Host: REMAP } },
  { name: 'remapped GET of a sub dir redirects', method: 'GET', path: '/site/sub', fromRoot: true, auth: 'none', headers: { Host: REMAP } },
  { name: 'container-remapped GET of a sub dir redirects', method: 'GET', path: '/sub', fromRoot: true, auth: 'none', headers: { Host: `site.${REMAP}` } },
  { name: 'container-remapped GET serves the index', method: 'GET', path: '/', fromRoot: true, auth: 'none', headers: { Host: `site.${REMAP}` } },
  { name: 'remapped GET of a missing page serves the error page', method: 'GET', path: '/site/missing', fromRoot: true, auth: 'none', headers: { Host: REMAP } },
  { name: 'PUT a public listing container', method: 'PUT', path: '/lst', headers: { 'X-Container-Read': '.r:*,.rlistings', 'X-Container-Meta-Web-Listings': 'true', 'X-Container-Meta-Web-Listings-Css': 'style.css' } },
  { name: 'PUT an object to list', method: 'PUT', path: '/lst/dir/a', body: 'a' },
  { name: 'remapped listing of a sub dir', method: 'GET', path: '/lst/dir/', fromRoot: true, auth: 'none', headers: { Host: REMAP }, mask: /<td class="coldate">[^<]*<\/td>/ },
  { name: 'remapped GET of a listed sub dir without a slash redirects', method: 'GET', path: '/lst/dir', fromRoot: true, auth: 'none', headers: { Host: REMAP } },

  // ---- 9. paths and statuses
  { name: '/v1 alone is 412', method: 'GET', path: '/v1', fromRoot: true },
  { name: '/v1/ is 412', method: 'GET', path: '/v1/', fromRoot: true },
  { name: 'an account with invalid UTF-8 is 412', method: 'GET', path: '/v1/AUTH_test%FF', fromRoot: true },
  { name: 'an object with invalid UTF-8 is 412', method: 'GET', path: '/work/%ED%A0%80' },
  { name: 'an encoded slash separates container and object', method: 'GET', path: '/segs%2Fd%2F1' },
  { name: 'a container name with an encoded slash is a container and an object', method: 'HEAD', path: '/segs%2Fnothing' },
  { name: 'PUT of a container name ending in an encoded slash', method: 'PUT', path: '/slashed%2F' },
  { name: 'an empty account with a container is 412', method: 'GET', path: '/v1//c', fromRoot: true },
  { name: 'GET /v1.0/AUTH_test', method: 'GET', path: '/v1.0/AUTH_test/work', fromRoot: true },
  { name: 'marker equal to end_marker', method: 'GET', path: '/segs', query: 'marker=d/1&end_marker=d/1' },
  { name: 'marker past end_marker', method: 'GET', path: '/segs', query: 'marker=d/2&end_marker=d/1' },
  { name: 'reversed with marker before end_marker', method: 'GET', path: '/segs', query: 'reverse=true&marker=d/1&end_marker=d/2' },
  { name: 'reversed with marker after end_marker', method: 'GET', path: '/segs', query: 'reverse=true&marker=d/2&end_marker=' },
  { name: 'account listing with marker equal to end_marker', method: 'GET', path: '', query: 'marker=segs&end_marker=segs' },
  { name: 'copy from a missing account is 404', method: 'PUT', path: '/work/from-nowhere', headers: { 'X-Copy-From': 'c/o', 'X-Copy-From-Account': 'AUTH_nobody' } },
  { name: 'COPY to a missing account', method: 'COPY', path: '/segs/d/1', headers: { Destination: 'c/o', 'Destination-Account': 'AUTH_nobody' } },
  { name: 'PUT with X-Delete-At far in the future', method: 'PUT', path: '/work/far', body: 'x', headers: { 'X-Delete-At': '99999999999' } },
  { name: 'HEAD shows it as Swift formats it', method: 'HEAD', path: '/work/far' },
  { name: 'PUT with a fractional X-Delete-At is 400', method: 'PUT', path: '/work/frac', body: 'x', headers: { 'X-Delete-At': '4102444800.75' } },
  { name: 'PUT with X-Delete-After far in the future', method: 'PUT', path: '/work/after', body: 'x', headers: { 'X-Delete-After': '99999999999' } },
  { name: 'HEAD shows the clamped X-Delete-At', method: 'HEAD', path: '/work/after' },
  { name: 'PUT with a signed, blank-padded X-Delete-At', method: 'PUT', path: '/work/exp', body: 'x', headers: { 'X-Delete-At': ' +4102444800 ' } },
  { name: 'POST with a zero-padded X-Delete-At', method: 'POST', path: '/work/exp', headers: { 'X-Delete-At': '04102444801' } },
  { name: 'HEAD shows the normalized X-Delete-At', method: 'HEAD', path: '/work/exp' },
  { name: 'DELETE with an invalid X-If-Delete-At is 400', method: 'DELETE', path: '/work/exp', headers: { 'X-If-Delete-At': 'soon' } },
  { name: 'DELETE with a wrong X-If-Delete-At is 412', method: 'DELETE', path: '/work/exp', headers: { 'X-If-Delete-At': '4102444800' } },
  { name: 'DELETE with X-If-Delete-At of a missing object is 404', method: 'DELETE', path: '/work/nothing', headers: { 'X-If-Delete-At': '4102444800' } },
  { name: 'DELETE with the right X-If-Delete-At', method: 'DELETE', path: '/work/exp', headers: { 'X-If-Delete-At': '4102444801' } },
  { name: 'POST container metadata (2 KB)', method: 'POST', path: '/work', headers: bigMeta('X-Container-Meta-A', 0, 10) },
  { name: 'POST container metadata that adds up past 4 KB is 400', method: 'POST', path: '/work', headers: bigMeta('X-Container-Meta-B', 0, 11) },
  { name: 'HEAD the container keeps the first metadata only', method: 'HEAD', path: '/work' },
  { name: 'POST account metadata (2 KB)', method: 'POST', path: '', headers: bigMeta('X-Account-Meta-A', 0, 10) },
  { name: 'POST account metadata that adds up past 4 KB is 400', method: 'POST', path: '', headers: bigMeta('X-Account-Meta-B', 0, 11) },
  { name: 'POST account metadata removing what was there is accepted', method: 'POST', path: '', headers: { ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`X-Remove-Account-Meta-A${i}`, 'x'])), ...bigMeta('X-Account-Meta-B', 0, 11) } },

  // ---- 10. details clients compare
  { name: 'POST container metadata changes its Last-Modified', method: 'POST', path: '/segs', headers: { 'X-Container-Meta-Touched': 'yes' } },
  { name: 'HEAD the posted container', method: 'HEAD', path: '/segs', compare: ['last-modified'] },
  { name: 'PUT a .wav without Content-Type', method: 'PUT', path: '/work/sound.wav', body: 'RIFF' },
  { name: 'PUT a .bmp, .xml and .mp4 without Content-Type', method: 'PUT', path: '/work/pic.bmp', body: 'BM' },
  { name: 'PUT an .xml without Content-Type', method: 'PUT', path: '/work/doc.xml', body: '<x/>' },
  { name: 'PUT a .js without Content-Type', method: 'PUT', path: '/work/app.js', body: '1' },
  { name: 'PUT a .ico without Content-Type', method: 'PUT', path: '/work/fav.ico', body: '0' },
  { name: 'PUT a .tar.gz without Content-Type', method: 'PUT', path: '/work/a.tar.gz', body: 'gz' },
  { name: 'PUT a .flac without Content-Type', method: 'PUT', path: '/work/s.flac', body: 'f' },
  { name: 'the guessed types', method: 'GET', path: '/work', query: 'format=json', mask: /"hash": "[0-9a-f]{32}"/ },
  { name: 'PUT a 26-byte object', method: 'PUT', path: '/work/abc', body: 'abcdefghijklmnopqrstuvwxyz' },
  { name: 'COPY with a Range copies the whole object', method: 'COPY', path: '/work/abc', headers: { Destination: 'work/abc-copy', Range: 'bytes=0-4' } },
  { name: 'GET the ranged copy', method: 'GET', path: '/work/abc-copy' },
  { name: 'PUT X-Copy-From with a Range copies the whole object', method: 'PUT', path: '/work/abc-copy2', headers: { 'X-Copy-From': 'work/abc', Range: 'bytes=-3' } },
  { name: 'GET the second ranged copy', method: 'GET', path: '/work/abc-copy2' },
  { name: 'a GET without a Connection header gets none', method: 'GET', path: '/work/abc', connection: 'none', compare: ['keep-alive'] },
  { name: 'a PUT without a Connection header gets none', method: 'PUT', path: '/work/ka', body: 'ka', connection: 'none', compare: ['keep-alive'] },
  { name: 'a 404 without a Connection header gets none', method: 'GET', path: '/work/missing', connection: 'none', compare: ['keep-alive'] },
  { name: 'a GET with Connection: keep-alive', method: 'GET', path: '/work/abc', connection: 'keep-alive', compare: ['keep-alive'] },
  { name: 'SLO PUT with heartbeat and a missing segment', method: 'PUT', path: '/work/hb', query: 'multipart-manifest=put&heartbeat=on', body: JSON.stringify([{ path: 'segs/nope' }]) },
  { name: 'SLO PUT with heartbeat and a wrong etag', method: 'PUT', path: '/work/hb', query: 'multipart-manifest=put&heartbeat=on', body: JSON.stringify([{ path: 'segs/d/1', etag: md5.zwei }]) },
  { name: 'SLO PUT with heartbeat, as JSON', method: 'PUT', path: '/work/hb', query: 'multipart-manifest=put&heartbeat=on', body: JSON.stringify([{ path: 'segs/nope' }]), headers: { Accept: 'application/json' } },
  { name: 'SLO PUT with heartbeat that succeeds', method: 'PUT', path: '/work/hb', query: 'multipart-manifest=put&heartbeat=on', body: JSON.stringify([{ path: 'segs/d/1' }]) },
  { name: 'user and service token create a service container', method: 'PUT', path: '/v1/SERVICE_test/svc', fromRoot: true, auth: 'service' },
  { name: 'user and service token write an object', method: 'PUT', path: '/v1/SERVICE_test/svc/o', fromRoot: true, auth: 'service', body: 'svc' },
  { name: 'user and service token copy into the service account', method: 'PUT', path: '/v1/SERVICE_test/svc/copy', fromRoot: true, auth: 'service', headers: { 'X-Copy-From': 'work/abc', 'X-Copy-From-Account': 'AUTH_test' } },
  { name: 'user and service token COPY within the service account', method: 'COPY', path: '/v1/SERVICE_test/svc/o', fromRoot: true, auth: 'service', headers: { Destination: 'svc/o2' } },
  { name: 'user and service token COPY out of the service account', method: 'COPY', path: '/v1/SERVICE_test/svc/o', fromRoot: true, auth: 'service', headers: { Destination: 'work/from-svc', 'Destination-Account': 'AUTH_test' } },
  { name: 'user and service token write an SLO', method: 'PUT', path: '/v1/SERVICE_test/svc/slo', query: 'multipart-manifest=put', fromRoot: true, auth: 'service', body: JSON.stringify([{ path: 'svc/o' }, { path: 'svc/o2' }]) },
  { name: 'user and service token read the SLO', method: 'GET', path: '/v1/SERVICE_test/svc/slo', fromRoot: true, auth: 'service' },
  { name: 'user and service token POST the object', method: 'POST', path: '/v1/SERVICE_test/svc/o', fromRoot: true, auth: 'service', headers: { 'X-Object-Meta-S': '1' } },
  { name: 'the user token alone cannot read it', method: 'GET', path: '/v1/SERVICE_test/svc/o', fromRoot: true },
]

describeDifferential('Swift parity: DLO/SLO/symlink details, paths, statuses and details clients compare (SAIO)', STEPS)
