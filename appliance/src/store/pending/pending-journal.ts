/**
 * Container updates not yet known to be applied, kept durably on a device (Swift's
 * async_pending, issue 11 item 9): before an object is written or deleted, its name and
 * timestamp are appended to a journal under `<device>/async_pending/` and synced, so that a
 * crash between the object's change and its listing row leaves a record saying which row to
 * check. Concurrent records share one write and one fdatasync (group commit). When the row and
 * the account stats are in place the entry is marked done (no sync: a lost mark only means one
 * more check after a crash). A journal file whose entries are all done is removed.
 * Owns these files only; it must not know what a row is or how to check one.
 */
import { mkdir, open, readFile, readdir, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { translateOsError } from '../os-errors.js'

export interface PendingUpdate {
  account: string
  container: string
  object: string
  /** X-Timestamp of the change (PUT or DELETE). */
  timestamp: string
}

export interface PendingEntry extends PendingUpdate {
  /** "<segment>.<n>", unique on this device. */
  id: string
}

/** A segment with no live entries is replaced past this size. */
const ROTATE_BYTES = 1024 * 1024
const SEGMENT = /^(\d+)\.log$/

interface Segment {
  seq: number
  fh: FileHandle
  live: number
  bytes: number
}

export class PendingJournal {
  private readonly segments = new Map<number, Segment>()
  private current!: Segment
  private nextN = 0
  private waiting: Array<{ line: string; resolve: () => void; reject: (err: unknown) => void }> = []
  private flushing: Promise<void> | undefined

  private constructor(
    readonly dir: string,
    /** Entries left from before this start, to check. */
    readonly recovered: PendingEntry[],
  ) {}

  /** Opens the journal of the device at `root`, reading what earlier runs left pending. */
  static async open(root: string): Promise<PendingJournal> {
    const dir = join(root, 'async_pending')
    try {
      await mkdir(dir, { recursive: true })
      const seqs = (await readdir(dir)).map((f) => SEGMENT.exec(f)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b)
      const recovered: PendingEntry[] = []
      const live = new Map<number, number>()
      for (const seq of seqs) {
        const entries = parseSegment(await readFile(join(dir, `${seq}.log`), 'utf8'))
        recovered.push(...entries)
        live.set(seq, entries.length)
      }
      const j = new PendingJournal(dir, recovered)
      for (const seq of seqs) {
        if (live.get(seq) === 0) await unlink(join(dir, `${seq}.log`))
        else j.segments.set(seq, { seq, fh: await open(join(dir, `${seq}.log`), 'a'), live: live.get(seq) as number, bytes: 0 })
      }
      j.current = await j.newSegment((seqs.at(-1) ?? 0) + 1)
      return j
    } catch (err) {
      throw translateOsError(err, 'open async_pending', root)
    }
  }

  /** Appends an entry and resolves once it is on disk. */
  async record(update: PendingUpdate): Promise<PendingEntry> {
    const seg = this.current
    const entry: PendingEntry = { id: `${seg.seq}.${this.nextN++}`, ...update }
    seg.live++
    const line = `+${JSON.stringify(entry)}\n`
    try {
      await new Promise<void>((resolve, reject) => {
        this.waiting.push({ line, resolve, reject })
        this.flushing ??= this.flush()
      })
    } catch (err) {
      seg.live--
      throw err
    }
    return entry
  }

  /** Marks an entry applied; its file goes once every entry in it is. */
  async done(id: string): Promise<void> {
    const seg = this.segments.get(Number(id.split('.')[0]))
    if (!seg) return
    const line = `-${JSON.stringify(id)}\n`
    seg.live--
    seg.bytes += line.length
    await seg.fh.write(line).catch(() => undefined)
    if (seg.live > 0) return
    if (seg === this.current) {
      if (seg.bytes < ROTATE_BYTES) return
      this.current = await this.newSegment(seg.seq + 1)
    }
    this.segments.delete(seg.seq)
    await seg.fh.close().catch(() => undefined)
    await unlink(join(this.dir, `${seg.seq}.log`)).catch(() => undefined)
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing
    for (const s of this.segments.values()) await s.fh.close().catch(() => undefined)
    this.segments.clear()
  }

  /** Writes everything queued with one write and one fdatasync, until nothing is queued. */
  private async flush(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0)
        const seg = this.current
        const text = batch.map((w) => w.line).join('')
        try {
          await seg.fh.write(text)
          await seg.fh.datasync()
          seg.bytes += text.length
          for (const w of batch) w.resolve()
        } catch (err) {
          const e = translateOsError(err, 'write async_pending', this.dir)
          for (const w of batch) w.reject(e)
        }
      }
    } finally {
      this.flushing = undefined
    }
  }

  private async newSegment(seq: number): Promise<Segment> {
    const seg: Segment = { seq, fh: await open(join(this.dir, `${seq}.log`), 'a'), live: 0, bytes: 0 }
    this.segments.set(seq, seg)
    this.nextN = 0
    return seg
  }
}

/** The entries of a journal file not marked done; a torn last line (a crash) is ignored. */
function parseSegment(text: string): PendingEntry[] {
  const live = new Map<string, PendingEntry>()
  for (const line of text.split('\n')) {
    try {
      if (line.startsWith('+')) {
        const e = JSON.parse(line.slice(1)) as PendingEntry
        if (typeof e.id === 'string' && typeof e.account === 'string' && typeof e.container === 'string' && typeof e.object === 'string' && typeof e.timestamp === 'string') live.set(e.id, e)
      } else if (line.startsWith('-')) {
        live.delete(JSON.parse(line.slice(1)) as string)
      }
    } catch {
      // a line cut short by a crash
    }
  }
  return [...live.values()]
}
