/**
 * The Swift feature pipeline, in the spirit of Swift's proxy pipeline: each feature (SLO,
 * TempURL, static web, …) is a middleware in its own file, listed once in features.ts.
 * `pre-auth` features run before the token check and may authorize a request themselves
 * (TempURL, FormPost) by setting `req.grant` and `req.authorized`; `post-auth` features run
 * after it, around the account/container/object handlers. A feature may also publish a
 * section in /info under Swift's key.
 */
import type { SwiftServices } from '../../swift/index.js'
import type { SwiftRequest } from './request.js'
import type { SwiftResponse } from './respond.js'

/**
 * Calls the rest of the pipeline. A feature may pass a sub-request (Swift's make_subrequest:
 * bulk's per-object PUTs and DELETEs) that then runs through the remaining features, is
 * authorized on its own path when it is not `authorized` yet, and reaches the handlers.
 */
export type Next = (sub?: SwiftRequest) => Promise<SwiftResponse>

export interface SwiftFeature {
  /** Swift's /info key for the feature (e.g. "slo", "tempurl"). */
  name: string
  stage: 'pre-auth' | 'post-auth'
  /** The feature's /info section, if it publishes one (undefined when it is configured off). */
  info?(s: SwiftServices): Record<string, unknown> | undefined
  /**
   * A pre-parse rewrite of the request path from its Host (domain_remap): the new path, or
   * undefined to leave it. Runs before the Swift path is parsed; may throw a VeloxError.
   */
  rewritePath?(s: SwiftServices, host: string | undefined, path: string): string | undefined
  /** The middleware itself; a feature that only rewrites paths has none. */
  handle?(s: SwiftServices, req: SwiftRequest, next: Next): Promise<SwiftResponse>
  /**
   * tempauth's delay_denial, for a post-auth feature that answers some denied requests itself
   * (static web's `401<Web-Error>` page): called with the `unauthorized`/`forbidden` error the
   * authorization threw; returns the answer, or undefined to let the error go out. `next` runs
   * a sub-request (which the feature authorizes itself) through the features after it.
   */
  denied?(s: SwiftServices, req: SwiftRequest, err: Error, next: Next): Promise<SwiftResponse | undefined>
}

/** Runs `features` in order around `inner`. */
export function runFeatures(s: SwiftServices, req: SwiftRequest, features: readonly SwiftFeature[], inner: (req: SwiftRequest) => Promise<SwiftResponse>): Promise<SwiftResponse> {
  const step = (i: number, r: SwiftRequest): Promise<SwiftResponse> => {
    if (i >= features.length) return inner(r)
    const handle = features[i].handle
    return handle ? handle(s, r, (sub) => step(i + 1, sub ?? r)) : step(i + 1, r)
  }
  return step(0, req)
}
