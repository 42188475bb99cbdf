/**
 * A background pass repeated every `intervalSec`, never two at once: the next one is
 * scheduled when the previous one has finished, so a slow pass delays the next rather than
 * piling up. The timer does not keep the process alive; stop() ends the chain.
 */
export class TimedPass {
  private timer: NodeJS.Timeout | undefined

  start(intervalSec: number, pass: () => Promise<void>): void {
    const tick = () => {
      pass().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, intervalSec * 1000).unref()
      })
    }
    this.timer = setTimeout(tick, intervalSec * 1000).unref()
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}
