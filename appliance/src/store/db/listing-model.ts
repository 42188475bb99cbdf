/**
 * Reference model for the tests: Swift's list_objects_iter (container/backend.py, Swift 2.30)
 * transliterated line by line over an in-memory set of live names, with strings compared by
 * code point as SQLite compares UTF-8 text. It is deliberately naive (it re-filters every row
 * on every query) so that it is obviously Swift's algorithm, not ours.
 *
 * Owns: nothing the appliance runs; tests compare listing.ts against it.
 * Must not: share code with listing.ts or keys.ts (it would then test nothing).
 */
import type { ListingParams } from '../types.js'

/** Code point comparison, independent of Buffer and of JavaScript's UTF-16 order. */
export function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number)
  const y = Array.from(b, (c) => c.codePointAt(0) as number)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}

/** Python's s[:-1] + chr(ord(s[-1]) + 1), by code points. */
function bumpLast(s: string): string {
  const cps = Array.from(s)
  const last = cps.pop() as string
  return cps.join('') + String.fromCodePoint((last.codePointAt(0) as number) + 1)
}

/** Python's str.find on code points, returning a code-point index. */
function find(name: string, needle: string, from: number): number {
  const n = Array.from(name)
  const d = Array.from(needle)
  for (let i = from; i + d.length <= n.length; i++) if (d.every((c, j) => n[i + j] === c)) return i
  return -1
}

const cpLength = (s: string): number => Array.from(s).length
const cpSlice = (s: string, end: number): string => Array.from(s).slice(0, end).join('')

export type ModelEntry = { subdir: string } | { name: string }

export function modelListing(names: Iterable<string>, params: ListingParams, allowPath = true): ModelEntry[] {
  const sorted = [...names].sort(compareCodePoints)
  const limit = params.limit
  let marker = params.marker ?? ''
  let endMarker = params.endMarker ?? ''
  let prefix: string | undefined = params.prefix
  let delimiter = params.delimiter ?? ''
  let path: string | undefined = allowPath ? params.path : undefined
  const reverse = params.reverse === true
  let delimForceGte = false
  if (reverse) [marker, endMarker] = [endMarker, marker]
  if (path !== undefined) {
    prefix = path
    if (path) prefix = path = path.replace(/\/+$/, '') + '/'
    delimiter = '/'
  } else if (delimiter && !prefix) {
    prefix = ''
  }
  const endPrefix = prefix ? bumpLast(prefix) : ''
  const origMarker = marker
  const results: ModelEntry[] = []
  while (results.length < limit) {
    const conds: Array<(n: string) => boolean> = []
    const lt = (bound: string) => (n: string) => compareCodePoints(n, bound) < 0
    if (endMarker && (!prefix || compareCodePoints(endMarker, endPrefix) < 0)) conds.push(lt(endMarker))
    else if (prefix) conds.push(lt(endPrefix))
    const m = marker
    if (delimForceGte) {
      conds.push((n) => compareCodePoints(n, m) >= 0)
      delimForceGte = false
    } else if (marker && (!prefix || compareCodePoints(marker, prefix) >= 0)) conds.push((n) => compareCodePoints(n, m) > 0)
    else if (prefix) conds.push((n) => compareCodePoints(n, prefix as string) >= 0)
    let rows = sorted.filter((n) => conds.every((c) => c(n)))
    if (reverse) rows = rows.reverse()
    rows = rows.slice(0, limit - results.length)
    if (prefix === undefined || !delimiter) return rows.map((name) => ({ name }))
    let rowcount = 0
    for (const name of rows) {
      rowcount++
      if (reverse) endMarker = name
      else marker = name
      if (results.length >= limit) return results
      const end = find(name, delimiter, cpLength(prefix))
      if (path !== undefined) {
        if (name === path) continue
        if (end >= 0 && cpLength(name) > end + cpLength(delimiter)) {
          if (reverse) endMarker = cpSlice(name, end + cpLength(delimiter))
          else marker = cpSlice(name, end) + bumpLast(delimiter)
          break
        }
      } else if (end >= 0) {
        if (reverse) endMarker = cpSlice(name, end + cpLength(delimiter))
        else {
          marker = cpSlice(name, end) + bumpLast(delimiter)
          delimForceGte = true
        }
        const dirName = cpSlice(name, end + cpLength(delimiter))
        if (dirName !== origMarker) results.push({ subdir: dirName })
        break
      }
      results.push({ name })
    }
    if (!rowcount) break
  }
  return results
}
