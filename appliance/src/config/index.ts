/**
 * The one typed configuration of an appliance: defaults ← file ← environment ← flags,
 * validated once and deep-frozen. Nothing else reads process.env.
 *
 * The hash path prefix/suffix are per-installation secrets generated on first start and
 * kept in `<data>/etc/swift.conf` (Swift's own file and section, so Swift tools can read
 * it); once written they never change, because every object's location depends on them.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { VeloxError } from '../errors.js'
import { formatIni, parseIni } from '../lib/ini.js'
import { DEFAULT_CONSTRAINTS, type SwiftConstraints } from './constraints.js'
import { DEFAULT_POLICIES, policyProblems, type StoragePolicyConfig } from './policies.js'

export type { SwiftConstraints } from './constraints.js'
export { DEFAULT_CONSTRAINTS } from './constraints.js'
export type { StoragePolicyConfig } from './policies.js'

export interface VeloxConfig {
  /** Root of all appliance state (rings, databases, directory-backed devices). */
  dataDir: string
  /** Swift API / web app listener. */
  bind: { host: string; port: number }
  /** Where devices are mounted (`<devicesDir>/<device>`); directory-backed under dataDir by default. */
  devicesDir: string
  /** Refuse to use a device directory that is not a mount point (real disks); off for directory-backed devices. */
  mountCheck: boolean
  /** Rings and swift.conf live here (Swift's swift_dir). */
  swiftDir: string
  /** The embedded default created on first start of an empty data dir. */
  embedded: { devices: number; partPower: number; replicas: number; minPartHours: number }
  hashPathPrefix: string
  hashPathSuffix: string
  /** Storage policies (config/policies.ts); a list given in the config file replaces the defaults. */
  policies: StoragePolicyConfig[]
  constraints: SwiftConstraints
  auth: {
    /** Lifetime of a v1 token, seconds (Swift tempauth's token_life default is 86400). */
    tokenLifeSec: number
    /**
     * tempauth's reseller_prefix list: the account prefixes this appliance is the authority
     * for, the first one naming tokens and storage URLs (['AUTH_'], or ['AUTH_', 'SERVICE_']
     * for service accounts). A prefix without a trailing '_' gets one, as tempauth does.
     */
    resellerPrefixes: string[]
    /** Deprecated single prefix; when set (and resellerPrefixes is not), it is the only prefix. */
    resellerPrefix?: string
    /** tempauth `<prefix>_require_group`: per prefix, a group the owner must also hold (e.g. { SERVICE_: 'service' }). */
    requireGroup: Record<string, string>
    /** Optional JSON file of users loaded at start. */
    usersFile?: string
  }
  /** Swift's domain_remap: `<container>.<account>.<storage domain>` Host names; empty = off. */
  domainRemap: { storageDomain: string[]; resellerPrefixes: string[]; defaultResellerPrefix?: string }
  /**
   * Swift's proxy CORS settings: origins allowed for every container besides each container's
   * X-Container-Meta-Access-Control-Allow-Origin (cors_allow_origin; "*" allows all), and
   * headers exposed to every CORS response (cors_expose_headers). strict_cors_mode is on, as
   * Swift's default.
   */
  cors: { allowOrigin: string[]; exposeHeaders: string[] }
  auditor: { bytesPerSec: number; intervalSec: number }
  /**
   * The replicator (cluster/replicator.ts): passes `intervalSec` apart, at most `bytesPerSec` and
   * `filesPerSec` pushed for the whole box, tombstones removed after `reclaimAgeSec` (Swift's
   * reclaim_age, one week); `concurrency` pushes in flight per partition; while clients are
   * being served (lib/client-activity.ts) both rates are multiplied by `busyShare` (0 < s ≤ 1).
   */
  replicator: { enabled: boolean; intervalSec: number; bytesPerSec: number; filesPerSec: number; reclaimAgeSec: number; concurrency: number; busyShare: number }
  expirer: { intervalSec: number }
  /**
   * Object reads (issue 11): `newestReplica` asks every replica and serves the newest, and reads
   * container and account databases from the freshest replica (false:
   * the first that answers, as Swift's proxy; kept to measure the cost); bodies up to
   * `verifyMaxBytes` are checked against their ETag before the first byte is sent (0: never).
   */
  reads: { newestReplica: boolean; verifyMaxBytes: number }
  /**
   * Container updates: `journal` records each object PUT/DELETE in the device's async_pending
   * before the object changes, so that a crash never leaves the listing wrong (false only to
   * measure its cost); entries that could not be checked yet are retried every `retryIntervalSec`.
   */
  listings: { journal: boolean; retryIntervalSec: number }
  /**
   * Thumbnails (thumbnails/): renditions rendered in the background after uploads. `concurrency`:
   * images rendered at once, 0 = one per core; `maxPending` bounds each queue lane (jobs past it are
   * dropped and rendered on demand later); `toolsPath` is searched for ffmpeg and pdftoppm.
   */
  thumbnails: { enabled: boolean; concurrency: number; maxPending: number; toolsPath: string }
  /** The web app: idle lifetime of a sign-in (sliding, seconds) and the SPA's built files. */
  web: { sessionLifeSec: number; distDir: string }
  log: { level: 'debug' | 'info' | 'warn' | 'error'; requests: boolean }
  /** HTTPS served by the appliance (http/tls-endpoint.ts) once it has a certificate: 443 on the appliance, 0 = a free port. */
  https: { port: number }
  /** Change the OS (host name, time zone, network) from the wizard and admin settings: true on the appliance image only. */
  system: { apply: boolean }
  /**
   * disks/: the region and zone this box's disks join the rings in; the bytes a burn-in writes
   * and reads back (MiB); how often mounted disks are probed for failure (s); and `only`, the
   * block devices to manage (paths such as /dev/sdb; empty = every disk found).
   */
  disks: { region: number; zone: number; burnInSampleMiB: number; failureCheckSec: number; only: string[] }
  /**
   * Slow and idle clients (http/connection-limits.ts): a request body silent for `bodyIdleSec`
   * is answered 408 (moving uploads are never cut); a request head must arrive within
   * `headersTimeoutSec`; one client address holds at most `unauthenticatedPerClient`
   * connections that have not made an authenticated request; `max` connections in all
   * (0 = three quarters of the process's open-file limit).
   */
  connections: { bodyIdleSec: number; headersTimeoutSec: number; unauthenticatedPerClient: number; max: number }
  /** The hardware health console (health/): sampling, SMART, alerts, /metrics, logs, terminal. */
  health: HealthConfig
}

export interface HealthConfig {
  enabled: boolean
  /** Host root for /proc and /sys reads (fixture trees in tests). */
  sysRoot: string
  /** Seconds between samples of the cheap samplers (CPU, memory, network, I/O, process, storage). */
  sampleIntervalSec: number
  smartIntervalSec: number
  alertIntervalSec: number
  /** A directory of recorded `smartctl --json -a` documents (`<device>.json`) read instead of smartctl (demos, e2e). */
  smartRecordedDir?: string
  rules: { cpuTempMaxC: number; diskTempMaxC: number; fsWarnPct: number; fsCritPct: number; expectedSpeedMbps: Record<string, number> }
  /** Alert email (off when absent). The password is a secret: never logged. */
  email?: { host: string; port: number; secure: boolean; user?: string; pass?: string; from: string; to: string[] }
  /** Alert webhook (off when absent): JSON POST, retried with backoff. */
  webhook?: { url: string; retries?: number }
  /** /metrics scrapers: a bearer token (empty = none) or these client addresses. */
  metrics: { token: string; allowFrom: string[] }
  /** Velox's JSON log kept on disk under `<data>/log/` (rotated, capped), and forwarded to syslog. */
  logFiles: { enabled: boolean; maxBytes: number; maxFiles: number }
  syslog?: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls'; caFile?: string; appName?: string }
  /** The web terminal: enabled, and idle minutes before a session is closed. */
  terminal: { enabled: boolean; idleSec: number; shell: string }
}

export type ConfigOverrides = {
  [K in keyof VeloxConfig]?: VeloxConfig[K] extends object ? Partial<VeloxConfig[K]> : VeloxConfig[K]
}

function defaults(dataDir: string): Omit<VeloxConfig, 'hashPathPrefix' | 'hashPathSuffix'> {
  return {
    dataDir,
    bind: { host: '127.0.0.1', port: 8080 },
    devicesDir: join(dataDir, 'devices'),
    mountCheck: false,
    swiftDir: join(dataDir, 'etc'),
    embedded: { devices: 3, partPower: 10, replicas: 3, minPartHours: 1 },
    policies: DEFAULT_POLICIES.map((p) => ({ ...p })),
    constraints: { ...DEFAULT_CONSTRAINTS, valid_api_versions: [...DEFAULT_CONSTRAINTS.valid_api_versions] },
    auth: { tokenLifeSec: 86400, resellerPrefixes: ['AUTH_'], requireGroup: {} },
    domainRemap: { storageDomain: [], resellerPrefixes: ['AUTH'] },
    cors: { allowOrigin: [], exposeHeaders: [] },
    auditor: { bytesPerSec: 10 * 1024 * 1024, intervalSec: 3600 },
    replicator: { enabled: true, intervalSec: 30, bytesPerSec: 64 * 1024 * 1024, filesPerSec: 500, reclaimAgeSec: 7 * 86400, concurrency: 4, busyShare: 0.25 },
    expirer: { intervalSec: 300 },
    reads: { newestReplica: true, verifyMaxBytes: 4 * 1024 * 1024 },
    listings: { journal: true, retryIntervalSec: 30 },
    thumbnails: { enabled: true, concurrency: 0, maxPending: 1000, toolsPath: '/usr/local/bin:/usr/bin:/bin' },
    web: { sessionLifeSec: 12 * 3600, distDir: join(repoRoot(), 'web', 'dist') },
    log: { level: 'info', requests: true },
    https: { port: 8443 },
    system: { apply: false },
    health: {
      enabled: true,
      sysRoot: '/',
      sampleIntervalSec: 10,
      smartIntervalSec: 3600,
      alertIntervalSec: 30,
      rules: { cpuTempMaxC: 85, diskTempMaxC: 55, fsWarnPct: 80, fsCritPct: 90, expectedSpeedMbps: {} },
      metrics: { token: '', allowFrom: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] },
      logFiles: { enabled: true, maxBytes: 10 * 1024 * 1024, maxFiles: 10 },
      terminal: { enabled: true, idleSec: 900, shell: '/bin/bash' },
    },
    disks: { region: 1, zone: 1, burnInSampleMiB: 256, failureCheckSec: 30, only: [] },
    connections: { bodyIdleSec: 60, headersTimeoutSec: 30, unauthenticatedPerClient: 256, max: 0 },
  }
}

/** VELOX_* environment variables understood by loadConfig. */
function fromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  const o: ConfigOverrides = {}
  if (env.VELOX_BIND) o.bind = parseBind(env.VELOX_BIND)
  if (env.VELOX_DEVICES_DIR) o.devicesDir = env.VELOX_DEVICES_DIR
  if (env.VELOX_MOUNT_CHECK) o.mountCheck = env.VELOX_MOUNT_CHECK === 'true' || env.VELOX_MOUNT_CHECK === '1'
  if (env.VELOX_LOG_LEVEL) o.log = { level: env.VELOX_LOG_LEVEL as VeloxConfig['log']['level'] }
  if (env.VELOX_TOKEN_LIFE) o.auth = { tokenLifeSec: Number(env.VELOX_TOKEN_LIFE) }
  return o
}

export function parseBind(text: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text)
  if (!m) throw new VeloxError('bad-request', `bind must be HOST:PORT, got ${JSON.stringify(text)}`)
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) }
}

export interface LoadOptions {
  /** Command-line flags (highest precedence). `dataDir` may come from here or VELOX_DATA. */
  flags?: ConfigOverrides
  env?: NodeJS.ProcessEnv
  /** JSON config file; defaults to `<data>/velox.json` when that exists. */
  file?: string
}

export function loadConfig(opts: LoadOptions = {}): Readonly<VeloxConfig> {
  const env = opts.env ?? {}
  const dataDir = resolve(opts.flags?.dataDir ?? env.VELOX_DATA ?? './data')
  const base = defaults(dataDir)
  const file = opts.file ?? env.VELOX_CONFIG ?? join(dataDir, 'velox.json')
  let fromFile: ConfigOverrides = {}
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as ConfigOverrides
    } catch (err) {
      throw new VeloxError('bad-request', `config file ${file} is not valid JSON: ${(err as Error).message}`)
    }
  } else if (opts.file) {
    throw new VeloxError('not-found', `config file ${file} does not exist`)
  }
  const merged = merge(merge(merge(base, fromFile), fromEnv(env)), opts.flags ?? {}) as typeof base
  merged.dataDir = dataDir
  const prefixesGiven = [fromFile, opts.flags ?? {}].some((o) => o.auth?.resellerPrefixes !== undefined)
  if (merged.auth.resellerPrefix !== undefined && !prefixesGiven) merged.auth.resellerPrefixes = [merged.auth.resellerPrefix]
  merged.auth = normaliseResellerPrefixes(merged.auth)
  validate(merged)
  const secrets = ensureHashPathSecrets(merged.swiftDir)
  return deepFreeze({ ...merged, ...secrets })
}

/**
 * Reads `[swift-hash]` from `<swiftDir>/swift.conf`, generating it (atomically) on first use.
 * Never rewrites existing values.
 */
export function ensureHashPathSecrets(swiftDir: string): { hashPathPrefix: string; hashPathSuffix: string } {
  const path = join(swiftDir, 'swift.conf')
  if (existsSync(path)) {
    const h = readHashPathSecrets(path)
    if (h.hashPathPrefix || h.hashPathSuffix) return h
  }
  mkdirSync(swiftDir, { recursive: true })
  const secrets = { hashPathPrefix: randomBytes(16).toString('hex'), hashPathSuffix: randomBytes(16).toString('hex') }
  const text = formatIni({
    'swift-hash': { swift_hash_path_prefix: secrets.hashPathPrefix, swift_hash_path_suffix: secrets.hashPathSuffix },
  })
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, text, { mode: 0o600, flush: true })
  renameSync(tmp, path)
  return secrets
}

/** The hash path prefix/suffix from a Swift swift.conf file. */
export function readHashPathSecrets(swiftConfPath: string): { hashPathPrefix: string; hashPathSuffix: string } {
  const ini = parseIni(readFileSync(swiftConfPath, 'utf8'))
  const sec = ini['swift-hash'] ?? {}
  return { hashPathPrefix: sec.swift_hash_path_prefix ?? '', hashPathSuffix: sec.swift_hash_path_suffix ?? '' }
}

/** The checkout or install holding package.json, found upwards from this module (src/ or dist/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

function validate(c: Omit<VeloxConfig, 'hashPathPrefix' | 'hashPathSuffix'>): void {
  const bad = (msg: string) => {
    throw new VeloxError('bad-request', `invalid config: ${msg}`)
  }
  if (!Number.isInteger(c.bind.port) || c.bind.port < 0 || c.bind.port > 65535) bad(`bind.port ${c.bind.port}`)
  if (!Number.isInteger(c.embedded.devices) || c.embedded.devices < 1) bad('embedded.devices must be ≥ 1')
  if (c.embedded.partPower < 0 || c.embedded.partPower > 32) bad('embedded.partPower must be 0..32')
  if (!(c.embedded.replicas >= 1)) bad('embedded.replicas must be ≥ 1')
  if (!Number.isSafeInteger(c.reads.verifyMaxBytes) || c.reads.verifyMaxBytes < 0) bad('reads.verifyMaxBytes must be an integer ≥ 0')
  if (!(c.listings.retryIntervalSec > 0)) bad('listings.retryIntervalSec must be > 0')
  if (!(c.auth.tokenLifeSec > 0)) bad('auth.tokenLifeSec must be > 0')
  if (!(c.web.sessionLifeSec > 0)) bad('web.sessionLifeSec must be > 0')
  if (!(c.replicator.bytesPerSec > 0) || !(c.replicator.filesPerSec > 0)) bad('replicator.bytesPerSec and filesPerSec must be > 0')
  if (!(c.replicator.reclaimAgeSec > 0) || !(c.replicator.intervalSec >= 0)) bad('replicator.reclaimAgeSec must be > 0, intervalSec ≥ 0')
  if (!Number.isInteger(c.replicator.concurrency) || c.replicator.concurrency < 1) bad('replicator.concurrency must be an integer ≥ 1')
  if (!(c.replicator.busyShare > 0 && c.replicator.busyShare <= 1)) bad('replicator.busyShare must be > 0 and ≤ 1')
  if (!['debug', 'info', 'warn', 'error'].includes(c.log.level)) bad(`log.level ${c.log.level}`)
  for (const k of ['bodyIdleSec', 'headersTimeoutSec', 'unauthenticatedPerClient'] as const) if (!(c.connections[k] > 0)) bad(`connections.${k} must be > 0`)
  if (!(Number.isInteger(c.connections.max) && c.connections.max >= 0)) bad('connections.max must be an integer ≥ 0')
  if (c.auth.resellerPrefixes.length === 0) bad('auth.resellerPrefixes must not be empty')
  for (const p of c.auth.resellerPrefixes) if (!/^[A-Za-z0-9]*_?$/.test(p)) bad(`auth.resellerPrefixes: ${JSON.stringify(p)}`)
  for (const p of Object.keys(c.auth.requireGroup)) if (!c.auth.resellerPrefixes.includes(p)) bad(`auth.requireGroup: ${JSON.stringify(p)} is not a reseller prefix`)
  for (const problem of policyProblems(c.policies)) bad(problem)
  if (!Number.isInteger(c.https.port) || c.https.port < 0 || c.https.port > 65535) bad(`https.port: ${JSON.stringify(c.https.port)}`)
  if (!(c.health.sampleIntervalSec >= 1) || !(c.health.smartIntervalSec >= 60)) bad('health: sampleIntervalSec must be ≥ 1 and smartIntervalSec ≥ 60')
  for (const d of c.domainRemap.storageDomain) if (!/^\.?[A-Za-z0-9.-]+$/.test(d)) bad(`domainRemap.storageDomain: ${JSON.stringify(d)}`)
}

/** tempauth's config_read_reseller_options: 'AUTH' → 'AUTH_' (the empty prefix stays empty), for the prefixes and requireGroup keys. */
function normaliseResellerPrefixes(auth: VeloxConfig['auth']): VeloxConfig['auth'] {
  const norm = (p: string) => (p === '' || p.endsWith('_') ? p : `${p}_`)
  const requireGroup = Object.fromEntries(Object.entries(auth.requireGroup).map(([p, g]) => [norm(p), g]))
  return { ...auth, resellerPrefixes: [...new Set(auth.resellerPrefixes.map(norm))], requireGroup }
}

function merge<T>(base: T, over: unknown): T {
  if (over === undefined || over === null) return base
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object') return over as T
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    if (v !== undefined) out[k] = merge(out[k], v)
  }
  return out as T
}

function deepFreeze<T>(o: T): Readonly<T> {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v)
    Object.freeze(o)
  }
  return o
}
