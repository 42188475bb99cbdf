/**
 * Python's urllib.parse.quote, for the URLs and headers Swift builds with it (TempURL's
 * Content-Disposition, static web links): UTF-8 bytes, letters, digits and "_.-~" kept,
 * the given safe characters kept, everything else %XX with upper-case hex.
 */
export function pyQuote(s: string, safe = '/'): string {
  let out = ''
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9_.~-]/.test(c) || (byte < 128 && safe.includes(c)) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
