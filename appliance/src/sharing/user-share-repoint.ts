/**
 * A container rename moves the user shares (sharing/user-shares.ts) of the old container to
 * the new name. The access itself is the container's ACL, which the rename carries over;
 * only the records that list "Shared with me" and the owner's grants name the container.
 * Kept apart from user-shares.ts (it only rewrites that module's two record namespaces).
 */
import type { StateDb } from '../store/state-db.js'
import type { UserShare } from './user-shares.js'

/** Re-points the user shares of `account`/`from` to `to`; how many (idempotent). */
export async function repointUserShares(db: StateDb, account: string, from: string, to: string): Promise<number> {
  const byOwner = db.namespace<UserShare>('user-shares-by-owner')
  const byGrantee = db.namespace<UserShare>('user-shares-by-grantee')
  const moved: UserShare[] = []
  for await (const [, s] of byOwner.entries()) if (s.account === account && s.container === from) moved.push({ ...s, container: to })
  await byOwner.putMany(moved.map((s) => [`${s.owner}\x00${s.id}`, s]))
  await byGrantee.putMany(moved.map((s) => [`${s.grantee}\x00${s.id}`, s]))
  return moved.length
}
