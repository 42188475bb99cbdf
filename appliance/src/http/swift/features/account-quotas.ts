/**
 * account_quotas (Swift 2.30): only a reseller admin may set or remove
 * X-Account-Meta-Quota-Bytes (403 otherwise, 400 when not digits), and object PUTs
 * (plain, X-Copy-From) and COPYs that would take the account past it get 413
 * "Upload exceeds quota.".
 */
import type { SwiftServices } from '../../../swift/index.js'
import type { SwiftFeature } from '../pipeline.js'
import type { SwiftRequest } from '../request.js'
import { uploadTarget } from './upload-target.js'

export const accountQuotasFeature: SwiftFeature = {
  name: 'account_quotas',
  stage: 'post-auth',
  info: () => ({}),
  async handle(s: SwiftServices, req: SwiftRequest, next) {
    if (!req.path.container && (req.method === 'PUT' || req.method === 'POST')) s.quotas.checkAccountQuotaHeaders(req.headers, req.grant.reseller === true)
    const target = await uploadTarget(s, req)
    if (target) await s.quotas.checkAccountUpload(target.account, target.bytes)
    return next()
  },
}
