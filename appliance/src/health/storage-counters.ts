/**
 * The storage layer's counters as the health console sees them: requests by verb and status
 * class (fed by the request log), and per-device auditor, quarantine and I/O error counts
 * (fed by the auditor's pass reports). Plain counters in memory, monotonically increasing, so
 * samplers turn them into rates and the score reads per-device errors. Which devices have
 * failed: those marked (not opened at start, failed by the disks service) and those the
 * request path finds failing now (issue 11 item 11, followed through `followDeviceStates`).
 */
export interface StorageTotals {
  quarantined: number
  auditorErrors: number
  ioErrors: number
  /** Partitions waiting to be replicated; undefined until a replicator reports one. */
  replicationBacklog?: number
}

const VERBS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'COPY', 'OPTIONS', 'REPLICATE'])

export class StorageCounters {
  private readonly byRequest = new Map<string, number>()
  private readonly perDevice = new Map<string, { quarantined: number; auditorErrors: number; ioErrors: number }>()
  private readonly failed = new Set<string>()
  private liveStates?: () => Array<{ device: string; failed: boolean }>
  replicationBacklog?: number

  /** One finished request: counted under `<VERB>.<status class>`, e.g. "GET.2xx". */
  countRequest(method: string, status: number): void {
    const verb = VERBS.has(method) ? method : 'OTHER'
    const key = `${verb}.${Math.floor(status / 100)}xx`
    this.byRequest.set(key, (this.byRequest.get(key) ?? 0) + 1)
  }

  private device(name: string) {
    let d = this.perDevice.get(name)
    if (!d) this.perDevice.set(name, (d = { quarantined: 0, auditorErrors: 0, ioErrors: 0 }))
    return d
  }

  /** An auditor pass on a device (its report's quarantined and error counts). */
  auditPass(device: string, report: { quarantined: number; errors: number }): void {
    const d = this.device(device)
    d.quarantined += report.quarantined
    d.auditorErrors += report.errors
  }

  /** A device of the ring that could not be opened (or was failed by the disks service). */
  markFailed(device: string, failed = true): void {
    this.device(device)
    if (failed) this.failed.add(device)
    else this.failed.delete(device)
  }

  /** The devices that requests found failing and back (cluster/device-health.ts), read at
   *  each evaluation so "device failed" fires while one fails and resolves once it is back. */
  followDeviceStates(source: () => Array<{ device: string; failed: boolean }>): void {
    this.liveStates = source
  }

  isFailed(device: string): boolean {
    return this.failed.has(device) || (this.liveStates?.().some((s) => s.device === device && s.failed) ?? false)
  }

  ioError(device: string): void {
    this.device(device).ioErrors++
  }

  requests(): [string, number][] {
    return [...this.byRequest.entries()].sort()
  }

  deviceTotals(name: string): { quarantined: number; auditorErrors: number; ioErrors: number } {
    return { ...this.device(name) }
  }

  devices(): string[] {
    for (const s of this.liveStates?.() ?? []) this.device(s.device)
    return [...this.perDevice.keys()]
  }

  totals(): StorageTotals {
    const t: StorageTotals = { quarantined: 0, auditorErrors: 0, ioErrors: 0, replicationBacklog: this.replicationBacklog }
    for (const d of this.perDevice.values()) {
      t.quarantined += d.quarantined
      t.auditorErrors += d.auditorErrors
      t.ioErrors += d.ioErrors
    }
    return t
  }
}
