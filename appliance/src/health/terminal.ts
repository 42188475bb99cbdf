/**
 * Web terminal sessions: a login shell in a pseudo-terminal (node-pty — this is its only
 * importer), one per admin WebSocket. The shell gets a clean environment (never Velox's own,
 * which may hold secrets), is closed after `idleMs` without input or output, and each session
 * writes one line to the audit trail. The WebSocket, origin check and password re-check are
 * http/'s job; this module knows no HTTP.
 */
import { randomBytes } from 'node:crypto'
import { spawn, type IPty } from 'node-pty'
import { beforeSpawn } from '../lib/close-on-exec.js'
import type { AuditTrail } from './audit.js'

export interface TerminalOptions {
  shell: string
  idleMs: number
  audit: AuditTrail
  /** Sessions open at once (the box is not a shell server). */
  maxSessions?: number
}

export interface TerminalSession {
  id: string
  write(data: string): void
  resize(cols: number, rows: number): void
  close(): void
}

const CLEAN_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TERM: 'xterm-256color', LANG: 'C.UTF-8', HOME: '/root', SHELL: '/bin/bash' }
const clamp = (n: number, lo: number, hi: number) => (Number.isInteger(n) ? Math.min(hi, Math.max(lo, n)) : lo)

export class TerminalSessions {
  private readonly open = new Map<string, { pty: IPty; close: () => void }>()

  constructor(private readonly o: TerminalOptions) {}

  count(): number {
    return this.open.size
  }

  /** Starts a shell for `who`; output and the end go to the callbacks. */
  start(who: string, from: string, size: { cols: number; rows: number }, onData: (d: string) => void, onExit: (reason: string) => void): TerminalSession {
    if (this.open.size >= (this.o.maxSessions ?? 4)) throw new Error('too many terminal sessions')
    const id = randomBytes(6).toString('hex')
    beforeSpawn() // (the shell must not hold the disks' database files: they could not be unmounted)
    const pty = spawn(this.o.shell, ['-l'], { name: 'xterm-256color', cols: clamp(size.cols, 20, 500), rows: clamp(size.rows, 5, 200), cwd: CLEAN_ENV.HOME, env: { ...CLEAN_ENV, USER: 'root', VELOX_ADMIN: who } })
    this.o.audit.record({ who, action: 'terminal.session', from, target: id, detail: { shell: this.o.shell, pid: pty.pid } })
    let idle: NodeJS.Timeout | undefined
    let ended = false
    const end = (reason: string) => {
      if (ended) return
      ended = true
      clearTimeout(idle)
      this.open.delete(id)
      try {
        pty.kill()
      } catch {
        // already gone
      }
      onExit(reason)
    }
    const touch = () => {
      clearTimeout(idle)
      idle = setTimeout(() => end('idle timeout'), this.o.idleMs)
      idle.unref()
    }
    pty.onData((d) => {
      touch()
      onData(d)
    })
    pty.onExit(() => end('shell exited'))
    touch()
    this.open.set(id, { pty, close: () => end('closed') })
    return {
      id,
      write: (d) => {
        touch()
        pty.write(d)
      },
      resize: (cols, rows) => pty.resize(clamp(cols, 20, 500), clamp(rows, 5, 200)),
      close: () => end('closed'),
    }
  }

  closeAll(): void {
    for (const s of [...this.open.values()]) s.close()
  }
}
