/** Transfer speed over a sliding window, and the time left at that speed. */

const WINDOW_MS = 4000

export class RateMeter {
  private samples: Array<{ t: number; bytes: number }> = []

  add(bytes: number, t = performance.now()): void {
    this.samples.push({ t, bytes })
    while (this.samples.length > 2 && t - this.samples[0].t > WINDOW_MS) this.samples.shift()
  }

  /** Bytes per second over the window (0 until two samples exist). */
  bytesPerSec(): number {
    if (this.samples.length < 2) return 0
    const a = this.samples[0]
    const b = this.samples[this.samples.length - 1]
    return b.t > a.t ? ((b.bytes - a.bytes) * 1000) / (b.t - a.t) : 0
  }

  reset(): void {
    this.samples = []
  }
}

export function etaSec(remainingBytes: number, bytesPerSec: number): number | null {
  return bytesPerSec > 0 ? remainingBytes / bytesPerSec : null
}
