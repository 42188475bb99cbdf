/**
 * Composition of first boot and the box's own settings, for main.ts: the setup wizard
 * (state in the state DB), the admin settings, the certificate files and the HTTPS
 * listener, and the OS appliers (only when config.system.apply, i.e. on the appliance).
 * The wizard's gate is up only when `velox serve --setup` runs on a box not yet set up;
 * `make run` keeps its embedded default and skips it.
 */
import type { RequestListener } from 'node:http'
import { RING_KINDS, policiesOf } from './cluster/bootstrap.js'
import { objectRingName } from './cluster/policies.js'
import type { VeloxConfig } from './config/index.js'
import type { SettingsRouteDeps } from './http/api/settings-routes.js'
import type { SetupRouteDeps } from './http/api/setup-routes.js'
import { HttpsEndpoint, type HttpsServer } from './http/tls-endpoint.js'
import type { SessionService } from './identity/sessions.js'
import type { UserDirectory } from './identity/users.js'
import type { Log } from './lib/log.js'
import { queryNtp } from './lib/sntp.js'
import { CertificateStore } from './setup/certificates.js'
import { listInterfaces, networkdFiles } from './setup/network.js'
import { ApplianceSettings } from './setup/settings.js'
import { commitRings, planRings, type StorageApplier } from './setup/rings.js'
import { SetupWizard, type AuditSink, type DiskInventory, type WizardDeps } from './setup/wizard.js'
import type { StateDb } from './store/state-db.js'
import { SystemCommands } from './system/commands.js'
import { OsSettings, clearConsole, showOnConsole } from './system/os-settings.js'

export interface FirstBootOptions {
  /** `velox serve --setup`: an appliance not yet set up answers with the wizard only. */
  setup?: boolean
  /** The disks module's discovery, for the disk step (absent: built-in storage only). */
  disks?: DiskInventory
}

export interface FirstBoot {
  wizard: SetupWizard
  https: HttpsEndpoint
  certificates: CertificateStore
  setupDeps: SetupRouteDeps
  settingsDeps: SettingsRouteDeps
  /** Whether the wizard's gate is up now. */
  gated(): boolean
}

export async function composeFirstBoot(
  config: Readonly<VeloxConfig>,
  d: { state: StateDb; users: UserDirectory; sessions: SessionService; log: Log; handler: RequestListener; errorLog?: SetupRouteDeps['errorLog']; audit?: AuditSink; prepareServer?: (server: HttpsServer) => void },
  opts: FirstBootOptions,
): Promise<FirstBoot> {
  const certificates = new CertificateStore(config.dataDir)
  const os = config.system.apply ? new OsSettings(new SystemCommands({ devicesRoot: config.devicesDir })) : undefined
  const applyOs: WizardDeps['applyOs'] = os && { identity: (s) => os.applyIdentity(s), network: (plan) => os.applyNetwork(networkdFiles(plan)) }
  const bindHost = config.bind.host
  // The health console's audit trail (its own file); without it, audit lines go to the log.
  const audit: AuditSink = d.audit ?? { record: (e) => d.log.record('audit', { who: e.who, action: e.action, from: e.from, target: e.target, ...e.detail }) }
  const wizard = await SetupWizard.open({
    db: d.state,
    users: d.users,
    certificates,
    addresses: () => (bindHost === '0.0.0.0' || bindHost === '::' ? [] : [bindHost]),
    interfaces: () => listInterfaces(),
    disks: opts.disks,
    queryNtp: (s) => queryNtp(s),
    storage: storageApplier(config, opts.disks),
    applyOs,
    audit,
  })
  const https = new HttpsEndpoint({ host: config.bind.host, port: config.https.port, handler: d.handler, certificates, prepare: d.prepareServer })
  const gated = () => opts.setup === true && wizard.pending
  // On the appliance the code is also on its screen (login banner), as the issue asks; gone at finish.
  const onAppliance = config.system.apply
  if (gated() && onAppliance) showOnConsole(`\nVelox setup code: ${wizard.code.code}\nOpen http://\\4/ in a browser on this network to set up this appliance.\n`)
  return {
    wizard,
    https,
    certificates,
    gated,
    setupDeps: {
      wizard,
      sessions: d.sessions,
      https: {
        enable: async () => {
          await https.start()
          if (onAppliance) clearConsole()
        },
        url: () => (https.active ? https.url : undefined),
      },
      gated,
      errorLog: d.errorLog,
    },
    settingsDeps: {
      settings: new ApplianceSettings({ wizard, users: d.users, certificates, applyOs, audit }),
      sessions: d.sessions,
      errorLog: d.errorLog,
    },
  }
}

/** The rings of this box (account, container, every policy's object ring) rebuilt at finish; the running appliance is told. */
function storageApplier(config: Readonly<VeloxConfig>, disks: DiskInventory | undefined): StorageApplier {
  const names = [...RING_KINDS.filter((k) => k !== 'object'), ...policiesOf(config).all.map((p) => objectRingName(p.index))]
  return {
    plan: (choice) => planRings(config.swiftDir, names, choice),
    commit: async (plans) => {
      if (commitRings(config.swiftDir, plans)) await disks?.ringChanged?.()
    },
  }
}

/** At start: HTTPS comes up by itself on a box that is set up and has a certificate. */
export async function startHttpsIfReady(fb: FirstBoot): Promise<void> {
  if (!fb.wizard.pending && fb.certificates.current()) await fb.https.start()
}
