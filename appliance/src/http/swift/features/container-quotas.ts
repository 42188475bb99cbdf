/**
 * container_quotas (Swift 2.30): X-Container-Meta-Quota-Bytes / -Quota-Count must be digits
 * on container PUT/POST (400), and object PUTs (plain, X-Copy-From) and COPYs into a
 * container over its quota get 413 "Upload exceeds quota.". Runs after authorization, so
 * callers that could not write there get their 401/403 first, as the middleware ensures.
 */
import type { SwiftServices } from '../../../swift/index.js'
import type { SwiftFeature } from '../pipeline.js'
import type { SwiftRequest } from '../request.js'
import { uploadTarget } from './upload-target.js'

export const containerQuotasFeature: SwiftFeature = {
  name: 'container_quotas',
  stage: 'post-auth',
  info: () => ({}),
  async handle(s: SwiftServices, req: SwiftRequest, next) {
    const { container, object } = req.path
    if (container && !object && (req.method === 'PUT' || req.method === 'POST')) s.quotas.checkContainerQuotaHeaders(req.headers)
    const target = await uploadTarget(s, req)
    if (target) await s.quotas.checkContainerUpload(target.account, target.container, target.bytes)
    return next()
  },
}
