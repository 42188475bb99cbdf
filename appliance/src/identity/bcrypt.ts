/**
 * The only import of the native `bcrypt` package: hashing and comparing account keys.
 * Owns the cost factor and the 72-byte limit of bcrypt's input. Must not log or keep
 * the keys it is given, and must not be used for anything but key hashes.
 */
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'

interface BcryptBinding {
  hash(data: string, rounds: number): Promise<string>
  compare(data: string, hash: string): Promise<boolean>
}

// bcrypt is CommonJS without bundled types; load it through require and type the two calls we use.
const bcrypt = createRequire(import.meta.url)('bcrypt') as BcryptBinding

/** Cost factor of every new hash (2^10 rounds, ~50 ms on the appliance). */
export const BCRYPT_COST = 10

/** bcrypt ignores input past 72 bytes; longer keys are refused rather than silently truncated. */
export const BCRYPT_MAX_KEY_BYTES = 72

export function hashKey(key: string): Promise<string> {
  return bcrypt.hash(key, BCRYPT_COST)
}

export function compareKey(key: string, hash: string): Promise<boolean> {
  return bcrypt.compare(key, hash)
}

let dummyHash: Promise<string> | undefined

/**
 * A hash of a random key, compared against when the user is unknown so that
 * "no such user" and "wrong key" take about the same time.
 */
export function dummyKeyHash(): Promise<string> {
  dummyHash ??= bcrypt.hash(randomBytes(16).toString('hex'), BCRYPT_COST)
  return dummyHash
}
