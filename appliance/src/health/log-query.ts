/**
 * The log viewer's search over Velox's rotated JSON log files: a time range, a lowest level,
 * free text (case-insensitive, over the whole line) and a request id (the `trans_id` Velox
 * stamps on every request's lines), newest lines last, bounded in count. Reads files only
 * through the `RotatingLogFile` list it is given; lines that are not JSON are skipped.
 */
import { readFile } from 'node:fs/promises'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface LogQuery {
  from?: number
  to?: number
  /** Lowest level shown; lines without a level (request lines) count as info. */
  level?: LogLevel
  text?: string
  requestId?: string
  limit?: number
}

export type LogLine = Record<string, unknown> & { time: string }

export async function searchLogs(files: string[], q: LogQuery): Promise<{ lines: LogLine[]; truncated: boolean }> {
  const limit = Math.min(Math.max(q.limit ?? 500, 1), 5000)
  const text = q.text?.toLowerCase()
  const min = q.level ? ORDER[q.level] : 0
  const found: LogLine[] = []
  // Newest file first; within a file the newest lines are last, so read each file backwards.
  for (const f of files) {
    const body = await readFile(f, 'utf8').catch(() => '')
    const rows = body.split('\n')
    for (let i = rows.length - 1; i >= 0; i--) {
      const raw = rows[i]
      if (!raw) continue
      if (text && !raw.toLowerCase().includes(text)) continue
      if (q.requestId && !raw.includes(q.requestId)) continue
      let line: LogLine
      try {
        line = JSON.parse(raw) as LogLine
      } catch {
        continue
      }
      const t = Date.parse(line.time)
      if (q.from !== undefined && t < q.from) continue
      if (q.to !== undefined && t > q.to) continue
      if (ORDER[String(line.level ?? 'info')] < min) continue
      if (q.requestId && line.trans_id !== q.requestId && line.request_id !== q.requestId) continue
      found.push(line)
      if (found.length > limit) return { lines: found.slice(0, limit).reverse(), truncated: true }
    }
  }
  return { lines: found.reverse(), truncated: false }
}
