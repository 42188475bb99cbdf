/**
 * The first-boot wizard's state machine: claim (setup code) → admin → identity → network
 * → disks → cluster → https → summary → done. Each step is validated here, on the server;
 * the state lives in the state DB (namespace 'setup') so that a reload or a reboot resumes
 * at the same step, Back returns to the previous one, and nothing irreversible happens
 * before the summary (the OS settings are applied and HTTPS switched on only at finish;
 * disks are formatted by the disks routes behind their own typed confirmation).
 * Knows no HTTP: http/api/setup-routes.ts turns requests into these calls.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { VeloxError } from '../errors.js'
import type { UserDirectory } from '../identity/users.js'
import { validateAccountName, validateUserName } from '../identity/names.js'
import type { ClockSample } from '../lib/sntp.js'
import type { StateDb, StateNamespace } from '../store/state-db.js'
import { generateSelfSigned, inspectPair, type CertificateInfo, type CertificateStore } from './certificates.js'
import { validatePlan, type NetInterface, type NetworkPlan } from './network.js'
import type { StorageApplier } from './rings.js'
import { SetupCode } from './setup-code.js'
import { parseTime, validateHostname, validateNewPassword } from './validate.js'

export const STEPS = ['admin', 'identity', 'network', 'disks', 'cluster', 'https', 'summary'] as const
export type Step = (typeof STEPS)[number]

/** What the disks module (disks/service.ts, DiskService.list) tells the disk step; absent before it is wired. */
export interface DiskInventory {
  list(): Promise<Array<{ id: string; sizeBytes: number; holdsOs: boolean; present?: boolean; velox?: { deviceName: string; state: string } | null }>>
  /** Tells the running appliance that ring files changed (it loads them). */
  ringChanged?(): Promise<void>
}


export interface ClockCheck {
  samples: ClockSample[]
  errors: string[]
}

export interface SetupState {
  step: Step
  done: boolean
  admin?: { account: string; user: string }
  identity?: { hostname: string; timeZone: string; ntp: string[]; clock: ClockCheck }
  network?: NetworkPlan & { applied: boolean }
  /** `devices` are disk ids (the disks table's), `deviceNames` their ring devices. */
  disks?: { devices: string[]; deviceNames?: string[]; replicas: number; usableBytes: number | null; builtIn: boolean }
  cluster?: { mode: 'create'; clusterId: string }
  https?: CertificateInfo
  /** SHA-256 of the claim tokens handed out for a right setup code. */
  claims: string[]
}

/** The audit trail (health/audit.ts's AuditTrail, or the log when the health console is off). */
export interface AuditSink {
  record(e: { who: string; action: string; from: string; target?: string; detail?: Record<string, unknown> }): void
}

export interface WizardDeps {
  db: StateDb
  users: UserDirectory
  certificates: CertificateStore
  /** Addresses clients reach this box on (for the certificate), besides the interfaces'. */
  addresses: () => string[]
  interfaces: () => NetInterface[]
  disks?: DiskInventory
  queryNtp: (server: string) => Promise<ClockSample>
  /** Rebuilds the rings from the chosen disks at the chosen replica count (absent: rings left alone). */
  storage?: StorageApplier
  /** Changes the OS (appliance image) or only records (elsewhere). */
  applyOs?: { identity(s: { hostname: string; timeZone: string; ntp: string[] }): Promise<void>; network(plan: NetworkPlan): Promise<void> }
  audit: AuditSink
}

const bad = (m: string): never => {
  throw new VeloxError('bad-request', m)
}
const hash = (t: string) => createHash('sha256').update(t).digest('hex')

export class SetupWizard {
  private state!: SetupState
  readonly code: SetupCode
  private readonly store: StateNamespace<SetupState>

  private constructor(private readonly d: WizardDeps) {
    this.store = d.db.namespace<SetupState>('setup')
    this.code = new SetupCode()
  }

  static async open(d: WizardDeps): Promise<SetupWizard> {
    const w = new SetupWizard(d)
    w.state = (await w.store.get('state')) ?? { step: 'admin', done: false, claims: [] }
    if (w.state.done) w.code.expire()
    return w
  }

  get pending(): boolean {
    return !this.state.done
  }

  /** The state as the wizard's pages see it (no claim hashes). */
  view(): Omit<SetupState, 'claims'> & { steps: readonly Step[] } {
    const { claims: _claims, ...rest } = this.state
    return { ...rest, steps: STEPS }
  }

  /** A right code gives a claim token (the setup cookie); see SetupCode.check for wrong ones. */
  async claim(code: unknown, client: string): Promise<string> {
    this.code.check(code, client)
    const token = randomBytes(32).toString('base64url')
    this.state.claims = [...this.state.claims.slice(-9), hash(token)]
    await this.save()
    return token
  }

  isClaimant(token: string | undefined): boolean {
    return !!token && this.pending && this.state.claims.includes(hash(token))
  }

  /** Whether `step` may be submitted now: the current step or one already passed (after Back). */
  private reach(step: string): Step {
    const i = STEPS.indexOf(step as Step)
    if (i < 0) throw new VeloxError('not-found', `there is no setup step ${JSON.stringify(step)}`)
    if (!this.pending) throw new VeloxError('not-found', 'this appliance is already set up')
    if (i > STEPS.indexOf(this.state.step)) bad(`finish the ${this.state.step} step first`)
    return step as Step
  }

  /** Validates and records one step, then moves to the next. Returns the admin's credentials after the admin step (to sign in). */
  async submit(step: string, body: unknown, from: string): Promise<{ signIn?: { account: string; user: string; password: string } }> {
    const s = this.reach(step)
    const b = (body ?? {}) as Record<string, unknown>
    let out: { signIn?: { account: string; user: string; password: string } } = {}
    if (s === 'admin') out = { signIn: await this.admin(b) }
    if (s === 'identity') await this.identity(b)
    if (s === 'network') this.state.network = { ...validatePlan(b, this.d.interfaces()), applied: false }
    if (s === 'disks') await this.disks(b)
    if (s === 'cluster') this.cluster(b)
    if (s === 'https') await this.https(b)
    if (s === 'summary') bad('the summary is finished with POST /api/setup/finish')
    this.state.step = STEPS[STEPS.indexOf(s) + 1]
    await this.save()
    this.d.audit.record({ who: this.who(), from, action: 'setup.step', target: s })
    return out
  }

  async back(): Promise<void> {
    const i = STEPS.indexOf(this.reach(this.state.step))
    if (i > 0) this.state.step = STEPS[i - 1]
    await this.save()
  }

  private async admin(b: Record<string, unknown>) {
    const account = validateAccountName(b.account || 'admin')
    const user = validateUserName(typeof b.user === 'string' ? b.user.trim() : b.user)
    const password = validateNewPassword(b.password)
    const prev = this.state.admin
    if (prev && (prev.account !== account || prev.user !== user)) await this.d.users.remove(prev.account, prev.user).catch(() => undefined)
    if (await this.d.users.get(account, user)) {
      if (!prev || prev.account !== account || prev.user !== user) throw new VeloxError('conflict', `a user ${account}:${user} exists already: choose another name`)
      await this.d.users.setKey(account, user, password)
    } else {
      await this.d.users.add({ account, user, key: password, admin: true })
    }
    this.state.admin = { account, user }
    return { account, user, password }
  }

  private async identity(b: Record<string, unknown>) {
    const hostname = validateHostname(b.hostname, 'appliance name')
    const time = parseTime(b)
    this.state.identity = { hostname, ...time, clock: await this.checkClock(time.ntp) }
  }

  /** Asks each server once, in parallel; an unreachable one is reported, not fatal (the box may be offline). */
  async checkClock(ntp: string[]): Promise<ClockCheck> {
    const results = await Promise.allSettled(ntp.map((s) => this.d.queryNtp(s)))
    const samples: ClockSample[] = []
    const errors: string[] = []
    for (const r of results) {
      if (r.status === 'fulfilled') samples.push(r.value)
      else errors.push((r.reason as Error).message)
    }
    return { samples, errors }
  }

  private async disks(b: Record<string, unknown>) {
    const replicas = Number(b.replicas)
    if (![1, 2, 3].includes(replicas)) bad('choose 3 copies (recommended), 2, or 1')
    if (replicas < 3 && b.acceptFewerCopies !== true) bad(`with ${replicas} ${replicas === 1 ? 'copy a failed disk loses data' : 'copies a second failure loses data'}: confirm that you accept this`)
    const devices = Array.isArray(b.devices) ? b.devices.map(String) : []
    // Built-in storage: the data directory's own devices (trying Velox out, or no disk management).
    if (!this.d.disks || b.builtIn === true) {
      if (devices.length > 0) bad('choose disks or the built-in storage, not both')
      this.d.storage?.plan({ keep: 'all', replicas })
      this.state.disks = { devices: [], replicas, usableBytes: null, builtIn: true }
      return
    }
    const { usableBytes, deviceNames } = await this.checkDisks(devices, replicas)
    // Checked now so that the step says what is wrong; applied only at finish.
    this.d.storage?.plan({ keep: deviceNames, replicas })
    this.state.disks = { devices, deviceNames, replicas, usableBytes, builtIn: false }
  }

  /** The chosen disks are all still there, added, and not the system disk; returns the usable capacity and their ring devices. */
  private async checkDisks(devices: string[], replicas: number): Promise<{ usableBytes: number; deviceNames: string[] }> {
    if (devices.length === 0) bad('choose at least one disk')
    if (devices.length < replicas) bad(`${replicas} copies need at least ${replicas} disks (${devices.length} chosen)`)
    const found = new Map((await this.d.disks!.list()).map((x) => [x.id, x]))
    for (const id of devices) {
      const disk = found.get(id)
      if (!disk || disk.present === false) bad(`disk ${id} is gone (unplugged or failed since it was chosen): choose the disks again`)
      if (disk!.holdsOs) bad(`disk ${id} holds the operating system and cannot store objects`)
      if (disk!.velox?.state !== 'in-ring') bad(`disk ${id} is not added to the storage yet: test, format and add it first`)
    }
    const sizes = devices.map((id) => found.get(id)!.sizeBytes)
    return { usableBytes: Math.floor(sizes.reduce((a, x) => a + x, 0) / replicas), deviceNames: devices.map((id) => found.get(id)!.velox!.deviceName) }
  }

  private cluster(b: Record<string, unknown>) {
    if (b.mode === 'join') bad('joining an existing cluster is not available yet: create a new cluster')
    if (b.mode !== 'create') bad('choose "create a new cluster"')
    this.state.cluster = { mode: 'create', clusterId: this.state.cluster?.clusterId ?? randomUUID() }
  }

  interfaces(): NetInterface[] {
    return this.d.interfaces()
  }

  /** The names and addresses this appliance answers on. */
  knownAs(): { names: string[]; addresses: string[] } {
    const host = this.state.identity?.hostname
    const names = host ? [host, ...(host.includes('.') ? [] : [`${host}.local`])] : []
    const planned = [this.state.network?.address, this.state.network?.backEndAddress].filter(Boolean).map((a) => a!.split('/')[0])
    const ifaces = this.d.interfaces().flatMap((i) => i.addresses.map((a) => a.split('/')[0]))
    return { names, addresses: [...new Set([...this.d.addresses(), ...planned, ...ifaces])] }
  }

  private async https(b: Record<string, unknown>) {
    const known = this.knownAs()
    if (b.mode === 'self-signed') {
      const pair = await generateSelfSigned(known.names.length ? known.names : ['velox'], known.addresses)
      this.d.certificates.install(pair, 'self-signed')
      this.state.https = inspectPair(pair, { names: [], addresses: [] }, new Date(), 'self-signed')
    } else if (b.mode === 'upload') {
      const pair = { certPem: String(b.certPem ?? ''), keyPem: String(b.keyPem ?? '') }
      this.state.https = inspectPair(pair, known)
      this.d.certificates.install(pair, 'uploaded')
    } else bad('choose a self-signed certificate or upload one')
  }

  /**
   * The summary's button: checks the disks once more and plans the rings (either refusal
   * leaves everything as it was), applies the OS settings (on the appliance), rebuilds the
   * rings from the chosen disks and copies, marks setup done and kills the setup code.
   * `enableHttps` switches the HTTPS listener on (http/ owns it). Run again after a failure
   * it redoes only what is left (an applied ring plan is found unchanged).
   */
  async finish(enableHttps: () => Promise<void>, from: string): Promise<SetupState> {
    this.reach('summary')
    if (this.state.step !== 'summary') bad(`finish the ${this.state.step} step first`)
    const s = this.state
    const keep = s.disks && !s.disks.builtIn ? (await this.checkDisks(s.disks.devices, s.disks.replicas)).deviceNames : 'all'
    const rings = s.disks && this.d.storage ? this.d.storage.plan({ keep, replicas: s.disks.replicas }) : []
    if (this.d.applyOs && s.identity) await this.d.applyOs.identity(s.identity)
    if (this.d.applyOs && s.network) {
      await this.d.applyOs.network(s.network)
      s.network.applied = true
    }
    if (rings.length) await this.d.storage!.commit(rings)
    await enableHttps()
    s.done = true
    s.claims = []
    await this.save()
    this.code.expire()
    const storage = rings.find((r) => r.name === 'object')
    this.d.audit.record({ who: this.who(), from, action: 'setup.complete', detail: { hostname: s.identity?.hostname, https: s.https?.fingerprint256, replicas: storage?.replicas, devices: storage?.devices } })
    return s
  }

  /** The recorded settings (the admin settings area shows them after setup). */
  settings(): Readonly<SetupState> {
    return this.state
  }

  /** Changes recorded settings after setup (admin settings); `fn` validates and mutates. */
  async updateSettings(fn: (s: SetupState) => Promise<void> | void): Promise<void> {
    const next = structuredClone(this.state)
    await fn(next)
    this.state = next
    await this.save()
  }

  /** The wizard's driver: the admin once there is one, else whoever holds the setup code. */
  private who(): string {
    return this.state.admin ? `${this.state.admin.account}:${this.state.admin.user}` : 'setup-code'
  }

  private async save(): Promise<void> {
    await this.store.put('state', this.state)
  }
}
