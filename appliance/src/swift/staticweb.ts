/**
 * Static web semantics (Swift 2.30 staticweb.py): a container's web settings from its
 * metadata (Web-Index, Web-Error, Web-Listings, -Listings-Label, -Listings-CSS,
 * -Directory-Type), and the HTML pages staticweb writes itself: the listing of a container
 * or pseudo-directory (byte-for-byte Swift's markup, default style included) and the
 * "Web Listing Disabled" page. The request flow (index, redirects, error pages) is the
 * feature's in http/; no HTTP types here.
 */
import { Timestamp } from '../lib/timestamp.js'
import type { ListingEntry, ObjectRow } from '../store/types.js'
import { pyQuote } from '../lib/py-quote.js'

export interface WebSettings {
  index: string
  error: string
  listings: string
  listingsLabel: string
  listingsCss: string
  directoryType: string
}

export function webSettings(meta: Record<string, string>): WebSettings {
  const get = (k: string) => (meta[k] ?? '').trim()
  return {
    index: get('web-index'),
    error: get('web-error'),
    listings: get('web-listings'),
    listingsLabel: get('web-listings-label'),
    listingsCss: get('web-listings-css'),
    directoryType: get('web-directory-type'),
  }
}

/** Swift's config_true_value. */
export function configTrue(v: string | undefined): boolean {
  return /^(true|1|yes|on|t|y)$/i.test((v ?? '').trim())
}

/** request_helpers.html_escape (html.escape with quote=True). */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;')
}

/** utils.human_readable: 1048576 → "1Mi" (rounding at each step, as Swift does). */
export function humanReadable(n: number): string {
  let value = n
  let index = -1
  const suffixes = 'KMGTPEZY'
  while (value >= 1024 && index + 1 < suffixes.length) {
    index++
    value = pyRound(value / 1024)
  }
  return index === -1 ? String(Math.trunc(value)) : `${pyRound(value)}${suffixes[index]}i`
}

/** Python 3 round(): halves to even. */
function pyRound(x: number): number {
  const f = Math.floor(x)
  const diff = x - f
  if (diff > 0.5) return f + 1
  if (diff < 0.5) return f
  return f % 2 === 0 ? f : f + 1
}

/** _build_css_path: absolute paths and URLs as they are, others relative to the container. */
export function cssPath(css: string, prefix: string): string {
  if (css.startsWith('/') || css.startsWith('http://') || css.startsWith('https://')) return pyQuote(css, ':/')
  return '../'.repeat((prefix.match(/\//g) ?? []).length) + pyQuote(css)
}

/** The label a listing shows: the request path, or Web-Listings-Label plus the part below the container. */
export function listingLabel(s: WebSettings, pathInfo: string): string {
  if (!s.listingsLabel) return pathInfo
  return `${s.listingsLabel}/${pathInfo.split('/').slice(4).join('/')}`
}

const DOCTYPE = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n'

/** The 404 page when listings are off (with a note when a Web-Index is set but missing). */
export function listingDisabledPage(s: WebSettings, label: string, prefix: string): string {
  let body = `${DOCTYPE}<html>\n<head>\n<title>Listing of ${htmlEscape(label)}</title>\n`
  if (s.listingsCss) body += `  <link rel="stylesheet" type="text/css" href="${cssPath(s.listingsCss, prefix)}" />\n`
  else body += '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n   p {font-size: 2}\n  </style>\n'
  body +=
    '</head>\n<body>  <h1>Web Listing Disabled</h1>   <p>The owner of this web site has disabled web listing.   <p>If you are the owner of this web site, you can enable   web listing by setting X-Container-Meta-Web-Listings.</p>'
  if (s.index) body += `<h1>Index File Not Found</h1> <p>The owner of this web site has set  <b>X-Container-Meta-Web-Index: ${s.index}</b>.  However, this file is not found.</p>`
  return `${body} </body>\n</html>\n`
}

function isSubdir(e: ListingEntry<ObjectRow>): e is { subdir: string } {
  return 'subdir' in e
}

const cell = (cls: string, v: string) => `    <td class="${cls}">${v}</td>\n`

/** The HTML listing of a container (prefix '') or pseudo-directory (prefix ending in '/'). */
export function listingPage(s: WebSettings, label: string, prefix: string, entries: ListingEntry<ObjectRow>[]): string {
  let body = `${DOCTYPE}<html>\n <head>\n  <title>Listing of ${htmlEscape(label)}</title>\n`
  if (s.listingsCss) body += `  <link rel="stylesheet" type="text/css" href="${cssPath(s.listingsCss, prefix)}" />\n`
  else {
    body +=
      '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n   th {text-align: left; padding: 0px 1em 0px 1em;}\n   td {padding: 0px 1em 0px 1em;}\n   a {text-decoration: none;}\n  </style>\n'
  }
  body +=
    ` </head>\n <body>\n  <h1 id="title">Listing of ${htmlEscape(label)}</h1>\n  <table id="listing">\n   <tr id="heading">\n` +
    '    <th class="colname">Name</th>\n    <th class="colsize">Size</th>\n    <th class="coldate">Date</th>\n   </tr>\n'
  if (prefix) body += `   <tr id="parent" class="item">\n${cell('colname', '<a href="../">../</a>')}${cell('colsize', '&nbsp;')}${cell('coldate', '&nbsp;')}   </tr>\n`
  for (const e of entries) {
    if (!isSubdir(e)) continue
    const sub = e.subdir.slice(prefix.length)
    body += `   <tr class="item subdir">\n${cell('colname', `<a href="${pyQuote(sub)}">${htmlEscape(sub)}</a>`)}${cell('colsize', '&nbsp;')}${cell('coldate', '&nbsp;')}   </tr>\n`
  }
  for (const e of entries) {
    if (isSubdir(e)) continue
    const name = e.name.slice(prefix.length)
    const types = e.contentType
      .split('/')
      .map((t) => `type-${htmlEscape(t.toLowerCase())}`)
      .join(' ')
    const date = htmlEscape(Timestamp.parse(e.timestamp).isoListing).split('.')[0].replace('T', ' ')
    body += `   <tr class="item ${types}">\n${cell('colname', `<a href="${pyQuote(name)}">${htmlEscape(name)}</a>`)}${cell('colsize', humanReadable(e.size))}${cell('coldate', date)}   </tr>\n`
  }
  return `${body}  </table>\n </body>\n</html>\n`
}
