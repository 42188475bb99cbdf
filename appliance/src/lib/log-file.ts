/**
 * A log file with rotation and a size cap: lines are buffered and appended in the background
 * (a request must never wait on the log disk), the file rotates when it would pass
 * `maxBytes` (name → name.1 → … → name.<maxFiles-1>, the oldest dropped), so the log never
 * takes more than maxBytes × maxFiles. Lines over maxBytes are cut.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

export interface LogFileOptions {
  maxBytes: number
  maxFiles: number
  /** How long lines wait in memory before they are written (and the most a crash can lose). */
  flushMs?: number
}

export class RotatingLogFile {
  private fd: number
  private size: number
  private buffer: string[] = []
  private buffered = 0
  private timer?: NodeJS.Timeout
  private closed = false

  constructor(readonly path: string, private readonly o: LogFileOptions) {
    mkdirSync(dirname(path), { recursive: true })
    this.fd = openSync(path, 'a', 0o640)
    this.size = statSync(path).size
  }

  /** Rotated names, newest first: path, path.1, path.2, … (only those that exist). */
  files(): string[] {
    const out: string[] = []
    for (let i = 0; i < this.o.maxFiles; i++) {
      const p = i === 0 ? this.path : `${this.path}.${i}`
      if (existsSync(p)) out.push(p)
    }
    return out
  }

  append(line: string): void {
    if (this.closed) return
    const text = line.endsWith('\n') ? line : `${line}\n`
    this.buffer.push(text.length > this.o.maxBytes ? `${text.slice(0, this.o.maxBytes - 1)}\n` : text)
    this.buffered += text.length
    if (this.buffered >= 64 * 1024) this.flush()
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.o.flushMs ?? 200)
      this.timer.unref()
    }
  }

  /** Writes what is buffered now (synchronously: a few KiB, a few times a second at most). */
  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.closed) return
    const lines = this.buffer
    this.buffer = []
    this.buffered = 0
    for (const text of lines) {
      const bytes = Buffer.byteLength(text)
      if (this.size > 0 && this.size + bytes > this.o.maxBytes) this.rotate()
      writeSync(this.fd, text)
      this.size += bytes
    }
  }

  private rotate(): void {
    closeSync(this.fd)
    const last = `${this.path}.${this.o.maxFiles - 1}`
    if (this.o.maxFiles > 1) rmSync(last, { force: true })
    for (let i = this.o.maxFiles - 2; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`)
    if (this.o.maxFiles > 1) renameSync(this.path, `${this.path}.1`)
    else rmSync(this.path, { force: true })
    this.fd = openSync(this.path, 'a', 0o640)
    this.size = 0
  }

  close(): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    closeSync(this.fd)
  }
}
