/**
 * Folders shared between Velox users (`/api/user-shares`): the users I may pick, my grants,
 * what others shared with me, grant and revoke. Browsing one is a small Swift API rooted at
 * the grant (`/api/shared/<id>`, the server checks the grant and the folder on every request),
 * so the app's Swift client works on it unchanged.
 */
import { request, requestJson } from './http'

export type { UserShare } from '../../../appliance/src/sharing/user-shares'
import type { UserShare } from '../../../appliance/src/sharing/user-shares'

export async function listUserCandidates(): Promise<string[]> {
  return (await requestJson<{ users: string[] }>('/api/user-shares/users', { cache: 'no-store' })).users
}

/** My grants, of one container or (without it) all of them. */
export async function listMyUserShares(container?: string): Promise<UserShare[]> {
  const q = container === undefined ? '' : `?${new URLSearchParams({ container })}`
  return (await requestJson<{ shares: UserShare[] }>(`/api/user-shares${q}`, { cache: 'no-store' })).shares
}

export async function listSharedWithMe(): Promise<UserShare[]> {
  return (await requestJson<{ shares: UserShare[] }>('/api/user-shares/with-me', { cache: 'no-store' })).shares
}

export function grantUserShare(g: { container: string; prefix: string; grantee: string; write: boolean }): Promise<UserShare> {
  return requestJson<UserShare>('/api/user-shares', { method: 'POST', json: g })
}

export async function revokeUserShare(id: string): Promise<void> {
  await request(`/api/user-shares/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

/** The storage URL a grantee browses a share through (whole containers too: one path for both). */
export function shareStorageUrl(s: UserShare): string {
  return `/api/shared/${encodeURIComponent(s.id)}`
}

/** The app's URL of a folder inside a share (`path` relative to the shared folder, '' or ending in '/'). */
export function sharedPath(id: string, path = ''): string {
  return `/shared/${encodeURIComponent(id)}/${path.split('/').map(encodeURIComponent).join('/')}`
}
