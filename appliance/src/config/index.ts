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

export type { SwiftConstraints } from './constraints.js'
export { DEFAULT_CONSTRAINTS } from './constraints.js'

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
   * reclaim_age, one week); `concurrency` pushes in flight per partition.
   */
  replicator: { enabled: boolean; intervalSec: number; bytesPerSec: number; filesPerSec: number; reclaimAgeSec: number; concurrency: number }
  /** How often the running appliance checks its .ring.gz files for a new ring (seconds). */
  rings: { checkSec: number }
  expirer: { intervalSec: number }
  /**
   * Thumbnails (thumbnails/): renditions rendered in the background after uploads. `concurrency`:
   * images rendered at once, 0 = one per core; `maxPending` bounds each queue lane (jobs past it are
   * dropped and rendered on demand later); `toolsPath` is searched for ffmpeg and pdftoppm.
   */
  thumbnails: { enabled: boolean; concurrency: number; maxPending: number; toolsPath: string }
  /** The web app: idle lifetime of a sign-in (sliding, seconds) and the SPA's built files. */
  web: { sessionLifeSec: number; distDir: string }
  log: { level: 'debug' | 'info' | 'warn' | 'error'; requests: boolean }
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
    constraints: { ...DEFAULT_CONSTRAINTS, valid_api_versions: [...DEFAULT_CONSTRAINTS.valid_api_versions] },
    auth: { tokenLifeSec: 86400, resellerPrefixes: ['AUTH_'], requireGroup: {} },
    domainRemap: { storageDomain: [], resellerPrefixes: ['AUTH'] },
    cors: { allowOrigin: [], exposeHeaders: [] },
    auditor: { bytesPerSec: 10 * 1024 * 1024, intervalSec: 3600 },
    replicator: { enabled: true, intervalSec: 30, bytesPerSec: 64 * 1024 * 1024, filesPerSec: 500, reclaimAgeSec: 7 * 86400, concurrency: 4 },
    rings: { checkSec: 5 },
    expirer: { intervalSec: 300 },
    thumbnails: { enabled: true, concurrency: 0, maxPending: 1000, toolsPath: '/usr/local/bin:/usr/bin:/bin' },
    web: { sessionLifeSec: 12 * 3600, distDir: join(repoRoot(), 'web', 'dist') },
    log: { level: 'info', requests: true },
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
  if (!(c.auth.tokenLifeSec > 0)) bad('auth.tokenLifeSec must be > 0')
  if (!(c.web.sessionLifeSec > 0)) bad('web.sessionLifeSec must be > 0')
  if (!(c.replicator.bytesPerSec > 0) || !(c.replicator.filesPerSec > 0)) bad('replicator.bytesPerSec and filesPerSec must be > 0')
  if (!(c.replicator.reclaimAgeSec > 0) || !(c.replicator.intervalSec >= 0)) bad('replicator.reclaimAgeSec must be > 0, intervalSec ≥ 0')
  if (!Number.isInteger(c.replicator.concurrency) || c.replicator.concurrency < 1) bad('replicator.concurrency must be an integer ≥ 1')
  if (!(c.rings.checkSec > 0)) bad('rings.checkSec must be > 0')
  if (!['debug', 'info', 'warn', 'error'].includes(c.log.level)) bad(`log.level ${c.log.level}`)
  if (c.auth.resellerPrefixes.length === 0) bad('auth.resellerPrefixes must not be empty')
  for (const p of c.auth.resellerPrefixes) if (!/^[A-Za-z0-9]*_?$/.test(p)) bad(`auth.resellerPrefixes: ${JSON.stringify(p)}`)
  for (const p of Object.keys(c.auth.requireGroup)) if (!c.auth.resellerPrefixes.includes(p)) bad(`auth.requireGroup: ${JSON.stringify(p)} is not a reseller prefix`)
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
