/**
 * How a `velox` subcommand ends on an error: a usage mistake prints the message and the
 * command's usage (exit 2), a VeloxError prints its message alone (exit 1, or 2 for `ring`,
 * which keeps swift-ring-builder's codes); anything else is a bug and is thrown on.
 */
import { isVeloxError } from '../../appliance/src/errors.js'

export class UsageError extends Error {}

export function exitOnError(command: string, usage: string, err: unknown, veloxErrorExit = 1): number {
  if (err instanceof UsageError) {
    console.error(`velox ${command}: ${err.message}\n${usage}`)
    return 2
  }
  if (isVeloxError(err)) {
    console.error(`velox ${command}: ${err.message}`)
    return veloxErrorExit
  }
  throw err
}
