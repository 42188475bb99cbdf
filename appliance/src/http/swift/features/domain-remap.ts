/**
 * domain_remap (Swift 2.30): maps `<container>.<account>.<storage domain>` and
 * `<account>.<storage domain>` Host names to /v1/<account>[/<container>] paths before the
 * Swift path is parsed. Off (no rewrite, no /info section) while no storage domain is
 * configured. The mapping rules live in swift/domain-remap.ts.
 */
import type { SwiftFeature } from '../pipeline.js'

export const domainRemapFeature: SwiftFeature = {
  name: 'domain_remap',
  stage: 'pre-auth',
  info: (s) => (s.domainRemap.enabled ? s.domainRemap.info() : undefined),
  rewritePath: (s, host, path) => s.domainRemap.remap(host, path),
}
