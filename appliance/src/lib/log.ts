/**
 * Structured logging: one JSON object per line on a writable (stdout by default). Callers
 * pass fields, never secrets; `redact` drops any field whose name looks like one anyway.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const SECRET = /key|token|password|passwd|secret|signature|sig$/i

export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
  /** A line of its own kind (e.g. the request log), written whatever the level. */
  record(kind: string, fields: Record<string, unknown>): void
  /** Also sends every written line to `sink` (a log file, a syslog forwarder) until the returned detach is called. */
  attach(sink: (line: string) => void): () => void
}

export function createLog(level: Level = 'info', out: (line: string) => void = (l) => process.stdout.write(l)): Log {
  const sinks = new Set<(line: string) => void>()
  const write = (lvl: Level | undefined, msg: string | undefined, fields: Record<string, unknown> = {}, kind?: string) => {
    if (lvl && ORDER[lvl] < ORDER[level]) return
    const line: Record<string, unknown> = { time: new Date().toISOString() }
    if (kind) line.type = kind
    if (lvl) line.level = lvl
    if (msg) line.msg = msg
    for (const [k, v] of Object.entries(fields)) line[k] = SECRET.test(k) ? '[redacted]' : v instanceof Error ? v.message : v
    const text = `${JSON.stringify(line)}\n`
    out(text)
    for (const sink of sinks) sink(text)
  }
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    record: (kind, f) => write(undefined, undefined, f, kind),
    attach(sink) {
      sinks.add(sink)
      return () => sinks.delete(sink)
    },
  }
}

export const silentLog: Log = createLog('error', () => {})
