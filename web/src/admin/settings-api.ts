/** The admin settings area's calls (/api/admin/settings, /api/admin/users). */
import { request, requestJson } from '../api/http'
import type { CertificateInfo, ClockCheck, NetInterface, NetworkPlan } from '../setup/api'

export interface Settings {
  identity: { hostname: string } | null
  time: { timeZone: string; ntp: string[]; clock: ClockCheck } | null
  network: (NetworkPlan & { applied: boolean }) | null
  interfaces: NetInterface[]
  certificate: (CertificateInfo & { daysLeft: number }) | null
  /** Whether changes reach the OS (on the appliance) or are only recorded. */
  applied: boolean
}

export interface UserRow {
  account: string
  user: string
  admin: boolean
}

export const getSettings = () => requestJson<Settings>('/api/admin/settings', { cache: 'no-store' })
export const putSettings = (section: 'identity' | 'time' | 'network', body: unknown) => requestJson<Settings>(`/api/admin/settings/${section}`, { method: 'PUT', json: body })
export const postCertificate = (body: unknown) => requestJson<{ certificate: CertificateInfo }>('/api/admin/settings/certificate', { method: 'POST', json: body })

const userPath = (u: UserRow) => `/api/admin/users/${encodeURIComponent(u.account)}/${encodeURIComponent(u.user)}`
export const listUsers = async () => (await requestJson<{ users: UserRow[] }>('/api/admin/users', { cache: 'no-store' })).users
export const addUser = async (body: { account: string; user: string; password: string; admin: boolean }) => (await requestJson<{ users: UserRow[] }>('/api/admin/users', { method: 'POST', json: body })).users
export const setAdmin = async (u: UserRow, admin: boolean) => (await requestJson<{ users: UserRow[] }>(`${userPath(u)}/admin`, { method: 'PUT', json: { admin } })).users
export const removeUser = async (u: UserRow) => (await requestJson<{ users: UserRow[] }>(userPath(u), { method: 'DELETE' })).users
export const resetPassword = async (u: UserRow, password: string) => {
  await request(`${userPath(u)}/password`, { method: 'PUT', json: { password } })
}
