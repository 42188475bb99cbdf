/**
 * Lets a link's owner copy it again later (issue 16): the token is kept for its owner
 * only, sealed with AES-256-GCM under a key of this appliance (state namespace
 * 'share-link-key'), in 'share-owner-links' keyed `<account:user>\0<id>`. The public lookup
 * still only knows the token's SHA-256 (share-records.ts); links made before this existed
 * stay "shown once". No HTTP, no Swift.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { StateDb, StateNamespace } from '../store/state-db.js'

export class OwnerLinks {
  private readonly sealed: StateNamespace<string>
  private readonly keys: StateNamespace<string>
  private key: Promise<Buffer> | undefined

  constructor(db: StateDb) {
    this.sealed = db.namespace<string>('share-owner-links')
    this.keys = db.namespace<string>('share-link-key')
  }

  async remember(owner: string, id: string, token: string): Promise<void> {
    const iv = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', await this.secret(), iv)
    c.setAAD(Buffer.from(`${owner}\0${id}`))
    const body = Buffer.concat([c.update(token, 'utf8'), c.final()])
    await this.sealed.put(`${owner}\0${id}`, Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url'))
  }

  /** The token of `owner`'s link `id`, when it was kept. */
  async recall(owner: string, id: string): Promise<string | undefined> {
    const stored = await this.sealed.get(`${owner}\0${id}`)
    if (!stored) return undefined
    const raw = Buffer.from(stored, 'base64url')
    const d = createDecipheriv('aes-256-gcm', await this.secret(), raw.subarray(0, 12))
    d.setAAD(Buffer.from(`${owner}\0${id}`))
    d.setAuthTag(raw.subarray(12, 28))
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')
  }

  private secret(): Promise<Buffer> {
    this.key ??= (async () => {
      const stored = await this.keys.get('aes')
      if (stored) return Buffer.from(stored, 'hex')
      const fresh = randomBytes(32)
      await this.keys.put('aes', fresh.toString('hex'))
      return fresh
    })()
    return this.key
  }
}
