/**
 * JSON text as Python's json.dumps writes it by default (", " and ": " separators, non-ASCII
 * escaped as \uXXXX), optionally with sorted keys. Swift stores and returns SLO manifests in
 * this form, and their ETags are MD5s of these exact bytes. No Velox imports.
 */
export function pyJsonDumps(value: unknown, opts: { sortKeys?: boolean } = {}): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
  }
  if (Array.isArray(value)) return `[${value.map((v) => pyJsonDumps(v, opts)).join(', ')}]`
  let entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  if (opts.sortKeys) entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v, opts)}`).join(', ')}}`
}

/** Python's urllib.parse.quote(s, safe='/') on the UTF-8 bytes of s. */
export function pyQuote(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%2F/g, '/')
}
