/**
 * VeloxError and the closed list of error kinds. Every layer throws these; only
 * `http/error-response.ts` turns a kind into a status code. OS errors are translated
 * where they arise (see store/), never by matching on messages.
 */
export const ERROR_KINDS = [
  'bad-request',
  'unauthorized',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'not-acceptable',
  'client-timeout',
  'conflict',
  'length-required',
  'precondition-failed',
  'too-large',
  'range-not-satisfiable',
  'etag-mismatch',
  'client-disconnected',
  'internal',
  'not-implemented',
  'unavailable',
  'insufficient-storage',
] as const

export type ErrorKind = (typeof ERROR_KINDS)[number]

export class VeloxError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly detail?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'VeloxError'
  }
}

export function isVeloxError(err: unknown, kind?: ErrorKind): err is VeloxError {
  return err instanceof VeloxError && (kind === undefined || err.kind === kind)
}
