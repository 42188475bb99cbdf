/** A small INI reader for Swift's config files (swift.conf and friends): sections, key = value, # and ; comments. */
export type Ini = Record<string, Record<string, string>>

export function parseIni(text: string): Ini {
  const out: Ini = {}
  let section = 'DEFAULT'
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const sec = /^\[([^\]]+)\]$/.exec(line)
    if (sec) {
      section = sec[1].trim()
      out[section] ??= {}
      continue
    }
    const eq = line.search(/[=:]/)
    if (eq < 0) continue
    ;(out[section] ??= {})[line.slice(0, eq).trim()] = line.slice(eq + 1).trim()
  }
  return out
}

export function formatIni(ini: Ini): string {
  return Object.entries(ini)
    .map(([name, kv]) => `[${name}]\n${Object.entries(kv).map(([k, v]) => `${k} = ${v}\n`).join('')}`)
    .join('\n')
}
