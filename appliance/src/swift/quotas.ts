/**
 * Swift's quota middlewares as service calls: container_quotas (X-Container-Meta-Quota-Bytes
 * and -Quota-Count, checked on object PUT and copies into the container) and account_quotas
 * (X-Account-Meta-Quota-Bytes, settable by a reseller admin only). Reads the container and
 * account rows; must not know HTTP and must not write anything.
 */
import type { ReplicatedDatabases } from '../cluster/replicated-dbs.js'
import { VeloxError } from '../errors.js'
import type { AccountService } from './accounts.js'
import type { HeaderMap } from './types.js'

const isDigits = (v: string) => /^[0-9]+$/.test(v)
const exceeded = () => new VeloxError('too-large', 'Upload exceeds quota.', { explain: true })

export class QuotaService {
  constructor(
    private readonly dbs: ReplicatedDatabases,
    private readonly accounts: AccountService,
  ) {}

  /** container_quotas on container PUT/POST: the quota headers must be digits (400). */
  checkContainerQuotaHeaders(h: HeaderMap): void {
    const bytes = h['x-container-meta-quota-bytes']
    if (bytes && !isDigits(bytes)) throw new VeloxError('bad-request', 'Invalid bytes quota.', { explain: true })
    const count = h['x-container-meta-quota-count']
    if (count && !isDigits(count)) throw new VeloxError('bad-request', 'Invalid count quota.', { explain: true })
  }

  /**
   * account_quotas on account PUT/POST: only a reseller admin may set or remove
   * X-Account-Meta-Quota-Bytes (403), and the value must be digits (400).
   */
  checkAccountQuotaHeaders(h: HeaderMap, reseller: boolean): void {
    let quota = h['x-account-meta-quota-bytes']
    if (h['x-remove-account-meta-quota-bytes']) quota = '0'
    if (reseller) {
      if (quota && !isDigits(quota)) throw new VeloxError('bad-request', 'quota must be digits')
      return
    }
    if (quota !== undefined) throw new VeloxError('forbidden', 'only a reseller admin may set an account quota')
  }

  /** container_quotas: 413 "Upload exceeds quota." when `bytes` more, or one more object, passes the container's quota. */
  async checkContainerUpload(account: string, container: string, bytes: number): Promise<void> {
    const c = await this.dbs.getContainer(account, container)
    if (!c) return // the object handler answers 404
    const quotaBytes = c.metadata['x-container-meta-quota-bytes']?.value
    if (quotaBytes && isDigits(quotaBytes) && Number(quotaBytes) < c.bytesUsed + bytes) throw exceeded()
    const quotaCount = c.metadata['x-container-meta-quota-count']?.value
    if (quotaCount && isDigits(quotaCount) && Number(quotaCount) < c.objectCount + 1) throw exceeded()
  }

  /** account_quotas: 413 "Upload exceeds quota." when `bytes` more passes the account's quota. */
  async checkAccountUpload(account: string, bytes: number): Promise<void> {
    const a = await this.accounts.info(account)
    const raw = a.metadata['x-account-meta-quota-bytes']?.value
    // account_quotas takes int() of the value; anything else (or a negative one) is no quota.
    if (!raw || !/^\s*[-+]?[0-9]+\s*$/.test(raw)) return
    const quota = Number(raw)
    if (quota >= 0 && quota < a.bytesUsed + bytes) throw exceeded()
  }
}
