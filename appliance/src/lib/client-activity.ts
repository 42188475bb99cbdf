/**
 * Whether clients are being served right now, for background work that should give way to them
 * (the replicator's busy rates, issue 13). A request counts from its start until its answer is
 * finished or its connection closes; the health console's live event stream
 * (`Accept: text/event-stream`), open for as long as an admin watches, does not. Busy means a
 * request in flight or one that started within the last `graceMs` (so that the gaps between a
 * client's back-to-back requests do not read as idle).
 * Owns the counting only; who slows down, and how much, is the caller's business.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'

export class ClientActivity {
  private inFlight = 0
  private lastStart = -Infinity

  constructor(
    private readonly graceMs = 500,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** One request begins; the returned function ends it (once, however often it is called). */
  begin(): () => void {
    this.inFlight++
    this.lastStart = this.now()
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.inFlight--
    }
  }

  busy(): boolean {
    return this.inFlight > 0 || this.now() - this.lastStart < this.graceMs
  }

  /** Requests being answered now. */
  get requestsInFlight(): number {
    return this.inFlight
  }

  /** `handler`, with every client request counted. */
  track(handler: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (!isLongLived(req)) {
        const end = this.begin()
        res.once('finish', end)
        res.once('close', end)
      }
      handler(req, res)
    }
  }
}

function isLongLived(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream')
}
