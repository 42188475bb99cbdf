/**
 * The Swift request path, parsed once: `/v1/<account>[/<container>[/<object>]]`, checked
 * against the constraints (UTF-8, no NUL, name lengths). Downstream code reads the typed
 * value from ctx.state and never splits the path again.
 */
import type { SwiftConstraints } from '../../config/index.js'
import { VeloxError } from '../../errors.js'

import { checkName } from '../../swift/names.js'
import type { SwiftPath, SwiftTarget } from '../../swift/types.js'

export type { SwiftPath, SwiftTarget } from '../../swift/types.js'

export function targetOf(p: SwiftPath): SwiftTarget {
  return p.object !== undefined ? 'object' : p.container !== undefined ? 'container' : 'account'
}

/** Path errors carry swob's default HTML content type, as Swift's proxy sends them. */
const explain = (kind: 'bad-request' | 'precondition-failed', msg: string) => new VeloxError(kind, msg, { explain: 'html' })

/** Decodes a percent-encoded path segment strictly as UTF-8 (Swift answers 412 otherwise). */
function decode(raw: string): string {
  let text: string
  try {
    text = decodeURIComponent(raw)
  } catch {
    throw explain('precondition-failed', 'Invalid UTF8 or contains NULL')
  }
  checkName(text)
  return text
}

/**
 * Parses a raw (still percent-encoded) request path. Returns undefined when the path is not
 * under a valid API version (the caller answers 412 or routes elsewhere). The whole path is
 * decoded before it is split, as Swift's split_path sees it: an encoded slash (`c%2Fo`)
 * separates a container from its object like a plain one.
 */
export function parseSwiftPath(rawPath: string, c: SwiftConstraints): SwiftPath | undefined {
  const m = /^\/([^/]+)\/([^/]+)(?:\/([^/]*)(?:\/(.*))?)?$/s.exec(decode(rawPath))
  if (!m) return undefined
  const [, version, account, container, object] = m
  if (!c.valid_api_versions.includes(version)) return undefined
  const path: SwiftPath = { version, account }
  if (Buffer.byteLength(account) > c.max_account_name_length) {
    throw explain('bad-request', `Account name length of ${Buffer.byteLength(account)} longer than ${c.max_account_name_length}`)
  }
  if (container) {
    path.container = container
    if (object) path.object = object
  } else if (object) {
    // "/v1/a//o": an empty container with an object is not a valid path.
    throw explain('precondition-failed', 'Invalid path')
  }
  return path
}

/**
 * Name lengths, checked where Swift checks them: when a container or an object is created
 * (container PUT, object PUT and a copy's destination). Other requests on a longer name
 * simply find nothing (404). Lengths are UTF-8 bytes, as swift.conf documents them.
 */
export function checkNameLength(p: SwiftPath, c: SwiftConstraints): void {
  if (p.container !== undefined) {
    const len = Buffer.byteLength(p.container)
    if (len > c.max_container_name_length) {
      throw explain('bad-request', `Container name length of ${len} longer than ${c.max_container_name_length}`)
    }
  }
  if (p.object !== undefined) {
    const len = Buffer.byteLength(p.object)
    // check_object_creation's error: plain text, unlike the proxy's path checks
    if (len > c.max_object_name_length) {
      throw new VeloxError('bad-request', `Object name length of ${len} longer than ${c.max_object_name_length}`, { explain: true })
    }
  }
}
