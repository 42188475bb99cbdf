/**
 * The admin settings area after setup: the same settings the wizard recorded (identity,
 * time, network, HTTPS certificate) and the local users (list, add, reset a password, make
 * or unmake admin, remove), each change validated by the wizard's own rules, applied to the
 * OS on the appliance, and written to the audit log with who made it (never a password or
 * a key). Knows no HTTP; http/api/settings-routes.ts calls it under an admin session.
 */
import { VeloxError } from '../errors.js'
import type { User, UserDirectory } from '../identity/users.js'
import { generateSelfSigned, inspectPair, type CertificateInfo, type CertificateStore } from './certificates.js'
import { validatePlan } from './network.js'
import { parseTime, validateHostname, validateNewPassword } from './validate.js'
import type { AuditSink, SetupWizard, WizardDeps } from './wizard.js'

export interface SettingsDeps {
  wizard: SetupWizard
  users: UserDirectory
  certificates: CertificateStore
  applyOs?: WizardDeps['applyOs']
  audit: AuditSink
}

/** Who made a change and from where, for the audit trail. */
export interface Actor {
  /** "account:user" of the admin. */
  who: string
  /** Client address. */
  from: string
}

type Body = Record<string, unknown>

export class ApplianceSettings {
  constructor(private readonly d: SettingsDeps) {}

  view() {
    const s = this.d.wizard.settings()
    return {
      identity: s.identity ? { hostname: s.identity.hostname } : null,
      time: s.identity ? { timeZone: s.identity.timeZone, ntp: s.identity.ntp, clock: s.identity.clock } : null,
      network: s.network ?? null,
      interfaces: this.d.wizard.interfaces(),
      certificate: this.certificate(),
      applied: this.d.applyOs !== undefined,
    }
  }

  certificate(): (CertificateInfo & { daysLeft: number }) | null {
    const c = this.d.certificates.info()
    return c ? { ...c, daysLeft: Math.floor((Date.parse(c.notAfter) - Date.now()) / 86400_000) } : null
  }

  /** The certificate (with its chain) clients can trust as their CA file; never the key. */
  certificatePem(): string | undefined {
    return this.d.certificates.current()?.certPem
  }

  async setIdentity(actor: Actor, b: Body): Promise<void> {
    const hostname = validateHostname(b.hostname, 'appliance name')
    await this.d.wizard.updateSettings(async (s) => {
      const id = s.identity ?? { hostname, timeZone: 'UTC', ntp: ['pool.ntp.org'], clock: { samples: [], errors: [] } }
      s.identity = { ...id, hostname }
      await this.d.applyOs?.identity(s.identity)
    })
    this.audit(actor, 'set-identity', { hostname })
  }

  async setTime(actor: Actor, b: Body): Promise<void> {
    const time = parseTime(b)
    const clock = await this.d.wizard.checkClock(time.ntp)
    await this.d.wizard.updateSettings(async (s) => {
      s.identity = { hostname: s.identity?.hostname ?? 'velox', ...time, clock }
      await this.d.applyOs?.identity(s.identity)
    })
    this.audit(actor, 'set-time', { timeZone: time.timeZone, ntp: time.ntp })
  }

  async setNetwork(actor: Actor, b: Body): Promise<void> {
    const plan = validatePlan(b, this.d.wizard.interfaces())
    await this.d.wizard.updateSettings(async (s) => {
      await this.d.applyOs?.network(plan)
      s.network = { ...plan, applied: this.d.applyOs !== undefined }
    })
    this.audit(actor, 'set-network', { frontEnd: plan.frontEnd, backEnd: plan.backEnd, mode: plan.mode, address: plan.address })
  }

  /** A new self-signed certificate or an uploaded one; the HTTPS listener reloads it live. */
  async setCertificate(actor: Actor, b: Body): Promise<CertificateInfo> {
    const known = this.d.wizard.knownAs()
    let info: CertificateInfo
    if (b.mode === 'self-signed') {
      const pair = await generateSelfSigned(known.names.length ? known.names : ['velox'], known.addresses)
      info = inspectPair(pair, { names: [], addresses: [] }, new Date(), 'self-signed')
      this.d.certificates.install(pair, 'self-signed')
    } else if (b.mode === 'upload') {
      const pair = { certPem: String(b.certPem ?? ''), keyPem: String(b.keyPem ?? '') }
      info = inspectPair(pair, known)
      this.d.certificates.install(pair, 'uploaded')
    } else throw new VeloxError('bad-request', 'choose a self-signed certificate or upload one')
    await this.d.wizard.updateSettings((s) => {
      s.https = info
    })
    this.audit(actor, 'set-certificate', { source: info.source, fingerprint256: info.fingerprint256, notAfter: info.notAfter })
    return info
  }

  async listUsers(): Promise<Array<Pick<User, 'account' | 'user' | 'admin'>>> {
    return (await this.d.users.list()).map((u) => ({ account: u.account, user: u.user, admin: u.admin }))
  }

  async addUser(actor: Actor, b: Body): Promise<void> {
    const u = await this.d.users.add({ account: String(b.account ?? ''), user: String(b.user ?? ''), key: validateNewPassword(b.password), admin: b.admin === true })
    this.audit(actor, 'add-user', { target: `${u.account}:${u.user}`, admin: u.admin })
  }

  async resetPassword(actor: Actor, account: string, user: string, b: Body): Promise<void> {
    await this.d.users.setKey(account, user, validateNewPassword(b.password))
    this.audit(actor, 'reset-password', { target: `${account}:${user}` })
  }

  async setAdmin(actor: Actor, account: string, user: string, admin: boolean): Promise<void> {
    if (!admin) await this.keepOneAdmin(actor, account, user, 'take admin rights from')
    await this.d.users.setAdmin(account, user, admin)
    this.audit(actor, admin ? 'make-admin' : 'unmake-admin', { target: `${account}:${user}` })
  }

  async removeUser(actor: Actor, account: string, user: string): Promise<void> {
    await this.keepOneAdmin(actor, account, user, 'remove')
    await this.d.users.remove(account, user)
    this.audit(actor, 'remove-user', { target: `${account}:${user}` })
  }

  /** Nobody locks the box out of its own settings: not oneself, not the last admin. */
  private async keepOneAdmin(actor: Actor, account: string, user: string, what: string): Promise<void> {
    if (actor.who === `${account}:${user}`) throw new VeloxError('conflict', `you cannot ${what} yourself; ask another admin`)
    const admins = (await this.d.users.list()).filter((u) => u.admin)
    if (admins.length === 1 && admins[0].account === account && admins[0].user === user) throw new VeloxError('conflict', `cannot ${what} the last admin`)
  }

  private audit(actor: Actor, action: string, detail: Record<string, unknown>): void {
    const { target, ...rest } = detail
    this.d.audit.record({ who: actor.who, from: actor.from, action: `settings.${action}`, target: typeof target === 'string' ? target : undefined, detail: rest })
  }
}
