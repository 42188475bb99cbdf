/**
 * The health console assembled from the config: the service (samplers, SMART, history,
 * alerts) with its hardware and SMART sources and alert delivery (email, webhook, syslog), /metrics, the log file and
 * audit trail on disk, syslog forwarding, and the terminal. `main.ts` calls `startHealth`
 * and hands its parts to http/; `stop()` undoes it all.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HealthConfig } from '../config/index.js'
import { RotatingLogFile } from '../lib/log-file.js'
import type { Log } from '../lib/log.js'
import type { StateDb } from '../store/state-db.js'
import { AuditTrail } from './audit.js'
import { SystemHardware, type HardwareSource } from './hardware.js'
import { HealthMetrics } from './metrics.js'
import { AlertDelivery } from './delivery.js'
import { HealthService } from './service.js'
import { RecordedSmartSource, SystemSmartSource, type SmartSource } from './smartctl.js'
import { SystemCommands } from '../system/commands.js'
import { StorageCounters } from './storage-counters.js'
import { StorageView, type StorageViewOptions } from './storage-view.js'
import { TerminalSessions } from './terminal.js'

export interface Health {
  service: HealthService
  metrics: HealthMetrics
  counters: StorageCounters
  audit: AuditTrail
  terminal?: TerminalSessions
  logFiles(): string[]
  stop(): Promise<void>
}

export interface HealthContext {
  config: Readonly<HealthConfig>
  dataDir: string
  /** Where the devices are mounted (system/'s devices root). */
  devicesDir: string
  db: StateDb
  log: Log
  replicas?: () => { wanted: number; available: number } | undefined
  /** The certificates whose expiry the rules watch (the HTTPS one). */
  certificates?: () => { name: string; notAfter: number }[]
  ringDevicesOf?: (serial: string) => string[]
  /** The ring and devices in use now and the replicator's status file; the replicas rule reads them unless `replicas` is given. */
  storage?: Omit<StorageViewOptions, 'counters'>
  /** A hardware source other than this machine's (e2e demos of recorded hardware). */
  hardware?: HardwareSource
}

/** `<dir>/<device>.json` recorded smartctl documents. */
function recordedSmart(dir: string): SmartSource {
  const docs: Record<string, unknown> = {}
  for (const f of readdirSync(dir)) if (f.endsWith('.json')) docs[f.slice(0, -5)] = JSON.parse(readFileSync(join(dir, f), 'utf8'))
  return new RecordedSmartSource(docs)
}

export async function startHealth(x: HealthContext): Promise<Health> {
  const c = x.config
  const logDir = join(x.dataDir, 'log')
  const detach: (() => void)[] = []
  const logFile = c.logFiles.enabled ? new RotatingLogFile(join(logDir, 'velox.log'), c.logFiles) : undefined
  if (logFile) detach.push(x.log.attach((l) => logFile.append(l)))
  const audit = new AuditTrail(new RotatingLogFile(join(logDir, 'audit.log'), { maxBytes: c.logFiles.maxBytes, maxFiles: c.logFiles.maxFiles }))
  // Email, webhook and syslog as set in the console; velox.json's are the defaults until the first save.
  const delivery = new AlertDelivery(x.db, { email: c.email && { ...c.email, to: [...c.email.to] }, webhook: c.webhook && { ...c.webhook }, syslog: c.syslog && { ...c.syslog } }, audit, (channel, err) =>
    x.log.warn('alert delivery failed', { notifier: channel, error: (err as Error).message }),
  )
  await delivery.start()
  detach.push(x.log.attach((l) => delivery.forward(l)))
  detach.push(audit.forwardTo((l) => delivery.forward(l)))
  const counters = new StorageCounters()
  const storage = x.storage && new StorageView({ ...x.storage, counters })
  const s = c.sampleIntervalSec * 1000
  const service = new HealthService({
    db: x.db,
    hardware: x.hardware ?? new SystemHardware(c.sysRoot),
    smart: c.smartRecordedDir ? recordedSmart(c.smartRecordedDir) : new SystemSmartSource(new SystemCommands({ devicesRoot: x.devicesDir })),
    counters,
    log: x.log,
    intervalsMs: { cpu: s, memory: s, network: s, io: s, process: s, storage: s, temperatures: 3 * s, fans: 3 * s, filesystems: 6 * s },
    smartIntervalMs: c.smartIntervalSec * 1000,
    alertIntervalMs: c.alertIntervalSec * 1000,
    rules: { ...c.rules, expectedSpeedMbps: { ...c.rules.expectedSpeedMbps } },
    delivery,
    replicas: x.replicas ?? (storage && (() => storage.replicas())),
    storage,
    replicationMs: 6 * s,
    certificates: x.certificates,
    ringDevicesOf: x.ringDevicesOf,
  })
  await service.start()
  const terminal = c.terminal.enabled ? new TerminalSessions({ shell: c.terminal.shell, idleMs: c.terminal.idleSec * 1000, audit }) : undefined
  return {
    service,
    metrics: new HealthMetrics(service, counters),
    counters,
    audit,
    terminal,
    logFiles: () => {
      logFile?.flush()
      return logFile?.files() ?? []
    },
    async stop() {
      terminal?.closeAll()
      await service.stop()
      for (const d of detach) d()
      await delivery.close()
      logFile?.close()
      audit.close()
    },
  }
}
