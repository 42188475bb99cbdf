/**
 * Composition root: config → state and devices → services → HTTP server. `startAppliance`
 * is what `velox serve` and the integration tests call; it returns a handle that stops
 * everything in order.
 */
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { ensureEmbeddedDefault, loadRings, openLocalDevices, policiesOf, type LocalDevice } from './cluster/bootstrap.js'
import type { DeviceState } from './cluster/device-health.js'
import { NodeDirectory } from './cluster/nodes.js'
import { RingReloader, deviceJoined } from './cluster/ring-reload.js'
import { createDiskService, replayMountTable, startDiskBackground, type DiskBackground } from './disks/appliance.js'
import type { DiskService } from './disks/service.js'
import { Placement } from './cluster/placement.js'
import { replicatorStatusPath } from './cluster/replicator.js'
import { ReplicatedObjects } from './cluster/replicated-objects.js'
import { startReplication, type Replication } from './cluster/replication-service.js'
import type { VeloxConfig } from './config/index.js'
import { createApp } from './http/app.js'
import { guardRequests } from './http/request-guard.js'
import { composeFirstBoot, startHttpsIfReady, type FirstBoot, type FirstBootOptions } from './first-boot.js'
import { ConnectionLimits } from './http/connection-limits.js'
import { limitHead } from './http/head-limits.js'
import { attachThumbnailer } from './http/swift/features/thumbnails.js'
import { SessionService } from './identity/sessions.js'
import { KeystoneService } from './identity/keystone.js'
import { TokenService } from './identity/tokens.js'
import { UserDirectory, loadUsersFile, usersFilePath } from './identity/users.js'
import { createLog, type Log } from './lib/log.js'
import { available as pageCacheDrops } from './lib/page-cache.js'
import { StateDb } from './store/state-db.js'
import { startHealth, type Health } from './health/index.js'
import { ClientActivity } from './lib/client-activity.js'
import { CertificateStore } from './setup/certificates.js'
import { attachTerminal } from './http/admin/terminal-socket.js'
import { ObjectAuditor } from './store/objects/auditor.js'
import { ShareService } from './sharing/shares.js'
import { TrashPurger, TrashRetention } from './trash/trash-purger.js'
import { NameSearch } from './search/name-search.js'
import { OwnerLinks } from './sharing/owner-links.js'
import { UserShares } from './sharing/user-shares.js'
import { repointUserShares } from './sharing/user-share-repoint.js'
import { ContainerRenames } from './files/container-rename.js'
import { listenLoopback } from './files/loopback-swift.js'
import { SwiftServices } from './swift/index.js'
import { findTools } from './thumbnails/sources.js'
import { Thumbnailer } from './thumbnails/thumbnailer.js'

export interface Appliance {
  config: Readonly<VeloxConfig>
  server: Server
  /** "http://host:port" actually bound (port 0 in config picks a free one). */
  url: string
  swift: SwiftServices
  users: UserDirectory
  devices: Map<string, LocalDevice>
  /** The background thumbnailer, when config.thumbnails.enabled. */
  thumbnails?: Thumbnailer
  /** Devices that have failed since start, and whether they still do (issue 11; for the health console). */
  deviceStates(): DeviceState[]
  /** The replicator and the ring reloader. */
  replication: Replication
  /** The setup wizard, the settings and the HTTPS listener (first-boot.ts). */
  firstBoot: FirstBoot
  /** The health console (samplers, alerts, /metrics, logs, terminal), when config.health.enabled. */
  health?: Health
  /** This box's disks (discover, format, rings); /api/admin/disks. */
  disks: DiskService
  stop(): Promise<void>
}

export async function startAppliance(config: Readonly<VeloxConfig>, log: Log = createLog(config.log.level), opts: FirstBootOptions = {}): Promise<Appliance> {
  ensureEmbeddedDefault(config, log)
  const disks = createDiskService(config, log)
  await replayMountTable(disks, log)
  const rings = loadRings(config)
  const devices = await openLocalDevices(config, rings, log)
  if (!pageCacheDrops) log.warn('dist/native/page-cache.node is not built (make build): written replicas stay in the page cache')
  const state = await StateDb.open(join(config.dataDir, 'state'))
  const users = new UserDirectory(usersFilePath(config.dataDir))
  if (config.auth.usersFile) {
    const r = await loadUsersFile(config.auth.usersFile, users)
    log.info('loaded users file', { file: config.auth.usersFile, ...r })
  }
  const resellerPrefixes = config.auth.resellerPrefixes
  const tokens = new TokenService({ db: state, users, resellerPrefixes, tokenLifeSec: config.auth.tokenLifeSec })
  let diskJobs: DiskBackground | undefined
  const directory = new NodeDirectory(devices, { log, onError: (device, err) => {
    diskJobs?.failures.ioError(device, err)
    health?.counters.ioError(device) // the health console's per-device error counts (alerts, /metrics)
  } })
  const placement = new Placement(rings, directory, { hashPathPrefix: config.hashPathPrefix, hashPathSuffix: config.hashPathSuffix })
  const sessions = new SessionService({ db: state, users, tokens, resellerPrefixes, sessionLifeSec: config.web.sessionLifeSec })
  const health = config.health.enabled ? await startApplianceHealth(config, state, log, placement, devices, (serial) => disks.registry.all().filter((r) => r.serial === serial && r.state !== 'removed').map((r) => r.deviceName)) : undefined
  // The request path's failed-and-back transitions as an input to the alert rules (issue 11 item 11).
  health?.counters.followDeviceStates(() => directory.localDeviceStates())
  const swift = new SwiftServices({ placement, state, users, tokens, sessions, constraints: config.constraints, resellerPrefixes, requireGroup: config.auth.requireGroup, domainRemap: config.domainRemap, cors: config.cors, log, reads: config.reads, policies: policiesOf(config), pending: config.listings.journal ? [...devices.values()].map((d) => d.pending) : [] })

  let handler: RequestListener = () => undefined
  // Client requests being served: the replicator gives way to them (its busy share).
  const activity = new ClientActivity()
  const errorLog = (msg: string, err: unknown, transId: string) => log.error(msg, { trans_id: transId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
  const limits = new ConnectionLimits(config.connections, log)
  const terminal = health?.terminal && { sessions, users, terminal: health.terminal }
  const firstBoot = await composeFirstBoot(config, { state, users, sessions, log, handler: (req, res) => handler(req, res), errorLog, audit: health?.audit, prepareServer: (s) => {
    limits.prepare(s)
    if (terminal) attachTerminal(s, terminal) // the web terminal over HTTPS (wss://) too
  } }, { ...opts, disks: opts.disks ?? disks })
  const trashRetention = new TrashRetention(state.namespace('trash'))
  const trashAccounts = async () => [...new Set((await users.list()).map((u) => `${resellerPrefixes[0] ?? ''}${u.account}`))]
  const trashPurger = new TrashPurger(swift, trashRetention, trashAccounts)
  const shares = new ShareService({ db: state, swift, users, tokens, resellerPrefixes })
  const renames = new ContainerRenames({ db: state, users, tokens, log, repoint: async (account, from, to) => ({ links: await shares.repointContainer(account, from, to), userShares: await repointUserShares(state, account, from, to) }) })
  const app = createApp({
    setup: firstBoot.setupDeps,
    settings: firstBoot.settingsDeps,
    swift,
    keystone: new KeystoneService(users, tokens, resellerPrefixes[0]),
    web: { sessions, shares, distDir: config.web.distDir, disks, trash: { retention: trashRetention, purger: trashPurger }, search: { search: new NameSearch(swift.dbs), resellerPrefixes }, ownerLinks: new OwnerLinks(state), userShares: new UserShares({ db: state, swift, users, resellerPrefixes }), renames: { renames, resellerPrefixes } },
    requestLog: config.log.requests || health ? (line) => {
      health?.counters.countRequest(line.method, line.status)
      if (config.log.requests) log.record('request', { ...line })
    } : undefined,
    health: health && { metrics: health.metrics, access: config.health.metrics, web: { health: health.service, audit: health.audit, logFiles: health.logFiles } },
    errorLog: (msg, err, transId) => log.error(msg, { trans_id: transId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }),
  })
  handler = activity.track(guardRequests(limits.wrap(limitHead(app.callback(), config.constraints.max_header_size))))
  const server = createServer(firstBoot.https.httpHandler(handler))
  limits.prepare(server)
  server.requestTimeout = 0 // large uploads stream for as long as they take
  server.keepAliveTimeout = 65_000
  if (terminal) attachTerminal(server, { ...terminal, refuse: () => (firstBoot.https.active ? 'Forbidden: this appliance serves its terminal over HTTPS only' : undefined) })

  // Listing rows of changes a crash interrupted, before the first request (the rest on a timer).
  const replayed = await swift.listings.replay()
  if (replayed.checked + replayed.retried > 0) log.info('listing updates replayed', replayed)
  swift.listings.start(config.listings.retryIntervalSec * 1000)

  // Background jobs, each bounded in rate.
  const ringReloader = new RingReloader(config, placement, devices, log)
  ringReloader.start()
  disks.connect({ onRingChange: () => ringReloader.reload().then(() => undefined), onDeviceGone: (device) => ringReloader.dropDevice(device) })
  diskJobs = startDiskBackground(disks, config, log, () => replication.replicator.settled())
  swift.expirer.start({ expire: (ref, at) => swift.objects.expire(ref, at) }, config.expirer.intervalSec, (err) => log.warn('expirer pass failed', { error: (err as Error).message }))
  trashPurger.start(config.expirer.intervalSec, (r) => r.purged && log.info('trash emptied', { ...r }), (err) => log.warn('trash pass failed', { error: (err as Error).message }))
  const thumbnails = config.thumbnails.enabled ? startThumbnailer(config, placement, swift, log) : undefined
  const startAuditor = (d: LocalDevice) => {
    const a = new ObjectAuditor(d.objects, {
      bytesPerSecond: config.auditor.bytesPerSec,
      intervalMs: config.auditor.intervalSec * 1000,
      onPass: (report) => {
        health?.counters.auditPass(d.device, report)
        log.info('audit pass', { device: d.device, ...report })
      },
      // Re-created from a good replica at once, not on the next read (issue 11 item 10).
      onQuarantined: (q) => {
        if (q.name) void swift.replicas.repairReplicas(q.name, q.policy).catch((err: unknown) => log.warn('repair after audit failed', { device: d.device, name: q.name, error: (err as Error).message }))
      },
    })
    a.start()
    return a
  }
  const auditors = new Map([...devices.values()].map((d) => [d.device, startAuditor(d)]))
  ringReloader.onDevice(deviceJoined(auditors, startAuditor, config.listings.journal ? swift.listings : undefined, log))
  const replication = startReplication(config, placement, devices, ringReloader, log, () => activity.busy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.bind.port, config.bind.host, () => resolve())
  })
  await startHttpsIfReady(firstBoot)
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  const url = `http://${host}:${addr.port}`
  const renamesLoopback = await listenLoopback(handler)
  await renames.start(renamesLoopback.url) // (renames a stop or crash interrupted go on)

  let stopped = false
  return {
    config,
    server,
    url,
    swift,
    users,
    devices,
    thumbnails,
    deviceStates: () => placement.directory.deviceStates(),
    replication,
    firstBoot,
    health,
    disks,
    async stop() {
      if (stopped) return
      stopped = true
      await firstBoot.https.stop()
      await renames.stop()
      await renamesLoopback.close()
      ringReloader.stop()
      await diskJobs?.stop()
      swift.expirer.stop()
      trashPurger.stop()
      limits.stop()
      await thumbnails?.stop()
      await Promise.all([...auditors.values()].map((a) => a.stop()))
      await replication.stop()
      await new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      })
      await health?.stop()
      await swift.listings.stop()
      await swift.updater.flush()
      for (const d of devices.values()) await d.pending.close()
      for (const d of devices.values()) await d.dbs.close()
      await state.close()
    },
  }
}

/** The health console over this box: it follows the rings placement uses now (ring devices that are not open count as failed) and reads the replicator's status file. */
async function startApplianceHealth(config: Readonly<VeloxConfig>, state: StateDb, log: Log, placement: Placement, devices: Map<string, LocalDevice>, ringDevicesOf: (serial: string) => string[]): Promise<Health> {
  return startHealth({
    config: config.health,
    dataDir: config.dataDir,
    devicesDir: config.devicesDir,
    db: state,
    log,
    storage: {
      ring: () => placement.ring('object'),
      policyRing: (policy) => {
        try {
          return placement.policyRing(policy)
        } catch {
          return undefined // no ring for that policy on this box
        }
      },
      devices: () => devices,
      replicatorStatusFile: replicatorStatusPath(config.dataDir),
    },
    certificates: httpsCertificateExpiry(config.dataDir),
    ringDevicesOf,
  })
}

/** The installed HTTPS certificate's expiry for the alert rules, read again at most every 10 minutes. */
function httpsCertificateExpiry(dataDir: string): () => { name: string; notAfter: number }[] {
  const store = new CertificateStore(dataDir)
  let cached: { at: number; list: { name: string; notAfter: number }[] } | undefined
  return () => {
    if (!cached || Date.now() - cached.at > 600_000) {
      const info = (() => {
        try {
          return store.info()
        } catch {
          return undefined // unreadable: the wizard's own checks report it
        }
      })()
      cached = { at: Date.now(), list: info ? [{ name: 'https', notAfter: Date.parse(info.notAfter) }] : [] }
    }
    return cached.list
  }
}

/** Renditions in the same replicated object store as the data; told of writes by the object service. */
function startThumbnailer(config: Readonly<VeloxConfig>, placement: Placement, swift: SwiftServices, log: Log): Thumbnailer {
  const c = config.thumbnails
  const t = new Thumbnailer({
    sources: swift.objects,
    store: new ReplicatedObjects(placement, { policyOf: (a, c) => swift.containerPolicies.of(a, c) }),
    log,
    tmpDir: join(config.dataDir, 'tmp', 'thumbnails'),
    tools: findTools(c.toolsPath),
    concurrency: c.concurrency > 0 ? c.concurrency : undefined,
    maxPending: c.maxPending,
  })
  swift.objects.addWriteListener(t)
  attachThumbnailer(swift, t)
  return t
}
