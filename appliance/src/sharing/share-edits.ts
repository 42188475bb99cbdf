/**
 * What an owner may change on a link after making it (issue 16): its expiry, password and
 * download limit; `null` removes one, an absent field keeps it. Checked like a new link's
 * (a future expiry, a password bcrypt can take, a positive limit; a drop link has no
 * downloads). The target and kind never change. No HTTP, no Swift.
 */
import { VeloxError } from '../errors.js'
import type { ShareRecord } from './share-records.js'

export interface ShareEdit {
  expiresAt?: number | null
  password?: string | null
  maxDownloads?: number | null
  maxPreviews?: number | null
}

const bad = (msg: string) => new VeloxError('bad-request', msg)

export function checkShareEdit(input: unknown, nowSec: number, maxPasswordBytes: number): ShareEdit {
  if (typeof input !== 'object' || input === null) throw bad('expected a JSON object')
  const i = input as Record<string, unknown>
  const out: ShareEdit = {}
  for (const k of Object.keys(i)) if (!['expiresAt', 'password', 'maxDownloads', 'maxPreviews'].includes(k)) throw bad(`${k} cannot be changed`)
  if (i.expiresAt !== undefined) {
    if (i.expiresAt !== null && !(Number.isInteger(i.expiresAt) && (i.expiresAt as number) > nowSec)) throw bad('expiresAt must be a future time in unix seconds, or null')
    out.expiresAt = i.expiresAt as number | null
  }
  if (i.password !== undefined) {
    if (i.password !== null && (typeof i.password !== 'string' || i.password === '' || Buffer.byteLength(i.password) > maxPasswordBytes)) throw bad(`password must be 1 to ${maxPasswordBytes} bytes, or null`)
    out.password = i.password as string | null
  }
  if (i.maxDownloads !== undefined) {
    if (i.maxDownloads !== null && !(Number.isInteger(i.maxDownloads) && (i.maxDownloads as number) > 0)) throw bad('maxDownloads must be a positive integer, or null')
    out.maxDownloads = i.maxDownloads as number | null
  }
  if (i.maxPreviews !== undefined) {
    if (i.maxPreviews !== null && !(Number.isInteger(i.maxPreviews) && (i.maxPreviews as number) > 0)) throw bad('maxPreviews must be a positive integer, or null')
    out.maxPreviews = i.maxPreviews as number | null
  }
  return out
}

/** The record with the edit applied (`passwordHash` already made from `edit.password`). */
export function applyShareEdit(rec: ShareRecord, edit: ShareEdit, passwordHash: string | undefined): ShareRecord {
  if (rec.revoked) throw new VeloxError('conflict', 'a revoked link cannot be changed')
  if (rec.kind === 'drop' && (typeof edit.maxDownloads === 'number' || typeof edit.maxPreviews === 'number')) throw bad('a drop link has no downloads or previews to limit')
  const next: ShareRecord = { ...rec }
  if (edit.expiresAt !== undefined) next.expiresAt = edit.expiresAt ?? undefined
  if (edit.password !== undefined) next.passwordHash = edit.password === null ? undefined : passwordHash
  if (edit.maxDownloads !== undefined) next.maxDownloads = edit.maxDownloads ?? undefined
  if (edit.maxPreviews !== undefined) next.maxPreviews = edit.maxPreviews ?? undefined
  return next
}
