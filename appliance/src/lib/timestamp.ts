/**
 * Swift timestamps: seconds since the epoch with five decimals ("1700000000.12345"),
 * optionally with a hex offset ("1700000000.12345_0000000000000001") for ordering
 * internal events at the same instant. Normal form sorts lexically in time order,
 * which is what file names (`<timestamp>.data`) and database rows rely on.
 */
const NORMAL = /^(\d{1,10})(?:\.(\d{1,5})\d*)?(?:_([0-9a-f]{16}))?$/

export class Timestamp {
  /** Time in units of 10 µs (Swift's precision), so comparison is exact integer math. */
  readonly ticks: number
  readonly offset: number

  constructor(ticks: number, offset = 0) {
    if (!Number.isSafeInteger(ticks) || ticks < 0) throw new RangeError(`bad timestamp ticks: ${ticks}`)
    this.ticks = ticks
    this.offset = offset
  }

  static now(): Timestamp {
    return new Timestamp(Math.round(Date.now() * 100))
  }

  /** Parses Swift's forms: "1700000000", "1700000000.12345", "1700000000.12345_00000000000000ab". */
  static parse(text: string): Timestamp {
    const m = NORMAL.exec(text.trim())
    if (!m) {
      const n = Number(text)
      if (!Number.isFinite(n) || n < 0 || n >= 1e10) throw new RangeError(`bad timestamp: ${text}`)
      return new Timestamp(Math.round(n * 100000))
    }
    const frac = (m[2] ?? '').padEnd(5, '0')
    return new Timestamp(Number(m[1]) * 100000 + Number(frac), m[3] ? parseInt(m[3], 16) : 0)
  }

  static tryParse(text: string | undefined): Timestamp | undefined {
    if (text === undefined) return undefined
    try {
      return Timestamp.parse(text)
    } catch {
      return undefined
    }
  }

  /** "1700000000.12345": ten integer digits, five decimals. */
  get normal(): string {
    const s = String(Math.floor(this.ticks / 100000)).padStart(10, '0')
    return `${s}.${String(this.ticks % 100000).padStart(5, '0')}`
  }

  /** Normal form plus the offset when there is one. */
  get internal(): string {
    return this.offset ? `${this.normal}_${this.offset.toString(16).padStart(16, '0')}` : this.normal
  }

  get seconds(): number {
    return this.ticks / 100000
  }

  get ms(): number {
    return Math.floor(this.ticks / 100)
  }

  /** HTTP date as Swift sends it in Last-Modified (rounded up to the whole second). */
  get httpDate(): string {
    return new Date(Math.ceil(this.ticks / 100000) * 1000).toUTCString()
  }

  /** ISO form used in JSON listings: "2024-01-02T03:04:05.123450". */
  get isoListing(): string {
    const d = new Date(Math.floor(this.ticks / 100000) * 1000)
    return `${d.toISOString().slice(0, 19)}.${String((this.ticks % 100000) * 10).padStart(6, '0')}`
  }

  compare(other: Timestamp): number {
    return this.ticks - other.ticks || this.offset - other.offset
  }

  newerThan(other: Timestamp | undefined): boolean {
    return other === undefined || this.compare(other) > 0
  }

  withOffset(offset: number): Timestamp {
    return new Timestamp(this.ticks, offset)
  }

  toString(): string {
    return this.internal
  }
}
