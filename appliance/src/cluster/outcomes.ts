/**
 * Deciding a replicated request from its per-replica outcomes (Swift's best_response):
 * which errors are the client's (every replica will say the same, so pass it on), which are
 * a device's (try elsewhere, mark the device), and when a quorum was reached.
 */
import { type ErrorKind, VeloxError, isVeloxError } from '../errors.js'
import type { NodeDirectory } from './nodes.js'
import type { Target } from './placement.js'

/** Errors caused by the request itself: the same on every replica. */
const CLIENT_KINDS: ReadonlySet<ErrorKind> = new Set(['bad-request', 'etag-mismatch', 'client-disconnected', 'client-timeout', 'too-large', 'precondition-failed'])
/** Errors that say a device is unwell. */
const DEVICE_KINDS: ReadonlySet<ErrorKind> = new Set(['unavailable', 'insufficient-storage', 'internal'])

export type Outcome<T> = { ok: true; value: T; target: Target } | { ok: false; error: unknown; target: Target }

export async function settle<T>(targets: Target[], directory: NodeDirectory, op: (t: Target) => Promise<T>): Promise<Outcome<T>[]> {
  return Promise.all(
    targets.map(async (target): Promise<Outcome<T>> => {
      try {
        const value = await op(target)
        return { ok: true, value, target }
      } catch (error) {
        noteDeviceError(error, target, directory)
        return { ok: false, error, target }
      }
    }),
  )
}

export function noteDeviceError(error: unknown, target: Target, directory: NodeDirectory): void {
  if (!isVeloxError(error) || DEVICE_KINDS.has(error.kind)) directory.markError(target.dev, error)
}

export function isDeviceError(error: unknown): boolean {
  return !isVeloxError(error) || DEVICE_KINDS.has(error.kind)
}

/** The first client-caused error among the failures, if any. */
export function clientError(outcomes: Outcome<unknown>[]): VeloxError | undefined {
  for (const o of outcomes) if (!o.ok && isVeloxError(o.error) && CLIENT_KINDS.has(o.error.kind)) return o.error
  return undefined
}

export function countKind(outcomes: Outcome<unknown>[], kind: ErrorKind): number {
  return outcomes.filter((o) => !o.ok && isVeloxError(o.error, kind)).length
}

export function noQuorum(what: string, outcomes: Outcome<unknown>[]): VeloxError {
  const summary = outcomes.map((o) => `${o.target.dev.device}:${o.ok ? 'ok' : isVeloxError(o.error) ? o.error.kind : 'error'}`).join(' ')
  return new VeloxError('unavailable', `${what}: no quorum (${summary})`)
}
