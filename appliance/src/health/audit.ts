/**
 * The audit trail of administrators' actions — who, what, when, from where — in a file of
 * its own (`<data>/log/audit.log`, rotated like the main log), kept apart from the request
 * log so that it can be retained and read separately. Lines are JSON with type "audit", and
 * are forwarded to syslog (facility "log audit") when forwarding is on.
 */
import { RotatingLogFile } from '../lib/log-file.js'
import { searchLogs, type LogLine, type LogQuery } from './log-query.js'

export interface AuditEntry {
  /** "account:user" of the administrator. */
  who: string
  /** What was done, e.g. "alert.acknowledge", "terminal.open". */
  action: string
  /** Client address. */
  from: string
  /** What it was done to (an alert id, a device); never a secret. */
  target?: string
  detail?: Record<string, unknown>
}

export class AuditTrail {
  private readonly forwards = new Set<(line: string) => void>()

  constructor(private readonly file: RotatingLogFile) {}

  forwardTo(fn: (line: string) => void): () => void {
    this.forwards.add(fn)
    return () => this.forwards.delete(fn)
  }

  record(e: AuditEntry): void {
    const line = JSON.stringify({ time: new Date().toISOString(), type: 'audit', who: e.who, action: e.action, from: e.from, target: e.target, ...e.detail })
    this.file.append(line)
    for (const f of this.forwards) f(line)
  }

  async search(q: LogQuery): Promise<{ lines: LogLine[]; truncated: boolean }> {
    this.file.flush()
    return searchLogs(this.file.files(), q)
  }

  close(): void {
    this.file.close()
  }
}
