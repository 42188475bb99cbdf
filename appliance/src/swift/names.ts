/**
 * The one check of account, container and object names, used on every path a name comes in
 * by (issue 11, item 5): the Swift API's path (http/swift/swift-path.ts), share links and
 * drop uploads (http/public/, sharing/), bulk (extract-archive, bulk-delete) and FormPost.
 * A name must be valid Unicode (a lone surrogate cannot be written as UTF-8; bytes are
 * decoded strictly by the caller, which refuses what is not UTF-8) and must not contain NUL: Swift's
 * check_utf8, which answers 412 "Invalid UTF8 or contains NULL". A name that got in before
 * this check can be removed only through the admin route (http/api/admin-names.ts).
 */
import { VeloxError } from '../errors.js'

/** Swift's explanation for a bad name (proxy check_utf8). */
export const INVALID_NAME = 'Invalid UTF8 or contains NULL'

/** A UTF-16 surrogate without its other half: text that has no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** True when `name` is a name Swift would store. */
export function isValidName(name: string): boolean {
  return !name.includes('\0') && !LONE_SURROGATE.test(name)
}

/** Throws Swift's 412 (with swob's HTML content type, as the proxy sends it) for a bad name. */
export function checkName(name: string): void {
  if (!isValidName(name)) throw new VeloxError('precondition-failed', INVALID_NAME, { explain: 'html' })
}
