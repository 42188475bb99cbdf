/**
 * Python's mimetypes.guess_type, as Swift's proxy calls it on the request path to guess an
 * object's Content-Type, over the table of Debian's Python (python-mimetypes.ts, generated):
 * so `.wav` is audio/x-wav and `a.tar.gz` application/x-tar, as a Swift on Debian answers.
 */
import { PYTHON_TYPES } from './python-mimetypes.js'

const TYPES: ReadonlyMap<string, string> = new Map(
  PYTHON_TYPES.split('\n')
    .filter((line) => line !== '')
    .flatMap((line) => {
      const [type, ...exts] = line.split(' ')
      return exts.map((ext): [string, string] => [`.${ext}`, type])
    }),
)

/** mimetypes.suffix_map: abbreviations of an archive and its compression. */
const SUFFIXES: Readonly<Record<string, string>> = { '.svgz': '.svg.gz', '.tgz': '.tar.gz', '.taz': '.tar.gz', '.tz': '.tar.gz', '.tbz2': '.tar.bz2', '.txz': '.tar.xz' }
/** mimetypes.encodings_map: a compression suffix names an encoding, the type is the one before it. */
const ENCODINGS = new Set(['.gz', '.Z', '.bz2', '.xz', '.br'])

/** posixpath.splitext: the last dot of the last segment, leading dots not counting. */
function splitext(path: string): [string, string] {
  const slash = path.lastIndexOf('/')
  const dot = path.lastIndexOf('.')
  if (dot <= slash) return [path, '']
  let first = slash + 1
  while (first < dot && path[first] === '.') first++
  return first === dot ? [path, ''] : [path.slice(0, dot), path.slice(dot)]
}

/** The type Python guesses for a path, or undefined. */
export function pythonGuessType(path: string): string | undefined {
  let [base, ext] = splitext(path)
  while (SUFFIXES[ext.toLowerCase()] !== undefined) [base, ext] = splitext(base + SUFFIXES[ext.toLowerCase()])
  if (ENCODINGS.has(ext)) [base, ext] = splitext(base)
  // Python lowers the extension first: a mixed-case entry of the table (".ELN") never matches.
  return TYPES.get(ext.toLowerCase())
}
