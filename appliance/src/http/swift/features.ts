/**
 * The one list of Swift features, in pipeline order (Swift's proxy-server.conf order:
 * bulk, tempurl, formpost, … auth … staticweb, copy, quotas, slo, dlo, versioned_writes,
 * symlink). Add a feature by writing its file and adding it here.
 */
import { accountQuotasFeature } from './features/account-quotas.js'
import { bulkDeleteFeature, bulkUploadFeature } from './features/bulk.js'
import { containerQuotasFeature } from './features/container-quotas.js'
import { copyFeature } from './features/copy.js'
import { corsFeature } from './features/cors.js'
import { dloFeature } from './features/dlo.js'
import { domainRemapFeature } from './features/domain-remap.js'
import { formpostFeature } from './features/formpost.js'
import { sloFeature } from './features/slo.js'
import { staticwebFeature } from './features/staticweb.js'
import { symlinkFeature } from './features/symlink.js'
import { tempurlFeature } from './features/tempurl.js'
import { thumbnailsFeature } from './features/thumbnails.js'
import { objectVersioningFeature } from './features/object-versioning.js'
import { versionedWritesFeature } from './features/versioned-writes.js'
import type { SwiftFeature } from './pipeline.js'

export const FEATURES: readonly SwiftFeature[] = [
  domainRemapFeature,
  bulkUploadFeature, bulkDeleteFeature,
  tempurlFeature,
  formpostFeature,
  // not a middleware in Swift: the proxy controllers' CORS handling, which wraps the auth check
  corsFeature,
  staticwebFeature,
  copyFeature,
  containerQuotasFeature,
  accountQuotasFeature,
  // answers ?thumbnail= itself, before the large-object and symlink features
  thumbnailsFeature,
  sloFeature,
  dloFeature,
  versionedWritesFeature,
  objectVersioningFeature,
  symlinkFeature,
]
