/** The setup wizard's calls (/api/setup/…) and the shapes the server answers with. */
import { ApiError, request, requestJson, setCsrfToken } from '../api/http'
import type { Session } from '../api/session'
// The server's own types (type-only: nothing of the server is bundled).
import type { CertificateInfo } from '../../../appliance/src/setup/certificates'
import type { NetInterface, NetworkPlan } from '../../../appliance/src/setup/network'
import type { ClockCheck, SetupState } from '../../../appliance/src/setup/wizard'

export type { CertificateInfo, ClockCheck, NetInterface, NetworkPlan }

export const STEP_TITLES: Record<string, string> = {
  admin: 'Admin account',
  identity: 'Name and time',
  network: 'Network',
  disks: 'Disks',
  cluster: 'Cluster',
  https: 'HTTPS',
  summary: 'Summary',
}

/** The wizard's state as the server keeps it (setup/wizard.ts), plus where the client stands. */
export interface SetupStatus extends Pick<SetupState, 'admin' | 'identity' | 'network' | 'disks' | 'cluster' | 'https'> {
  pending: boolean
  claimed: boolean
  step?: string
  steps?: string[]
  session?: Session
  httpsUrl?: string | null
}

/** The wizard's state, or null when this appliance is set up (204 to ?optional=1; 404 from older servers). */
export async function setupStatus(): Promise<SetupStatus | null> {
  try {
    const r = await request('/api/setup/status?optional=1', { quiet401: true, cache: 'no-store', accept: [204] })
    return r.status === 204 ? null : ((await r.json()) as SetupStatus)
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null
    throw err
  }
}

export function claim(code: string): Promise<SetupStatus> {
  return requestJson<SetupStatus>('/api/setup/claim', { method: 'POST', json: { code }, quiet401: true })
}

export async function submitStep(step: string, body: unknown): Promise<SetupStatus> {
  const s = await requestJson<SetupStatus>(`/api/setup/steps/${step}`, { method: 'POST', json: body, quiet401: true })
  if (s.session) setCsrfToken(s.session.csrfToken)
  return s
}

export function back(): Promise<SetupStatus> {
  return requestJson<SetupStatus>('/api/setup/back', { method: 'POST', json: {}, quiet401: true })
}

export function finish(): Promise<SetupStatus> {
  return requestJson<SetupStatus>('/api/setup/finish', { method: 'POST', json: {}, quiet401: true })
}

export async function interfaces(): Promise<NetInterface[]> {
  return (await requestJson<{ interfaces: NetInterface[] }>('/api/setup/interfaces', { quiet401: true })).interfaces
}

/** After a reload the CSRF token is gone from memory: the session gives it back (no session: the claim cookie drives). */
export async function restoreCsrf(): Promise<void> {
  const r = await request('/api/session', { accept: [401, 503], quiet401: true })
  if (r.ok) setCsrfToken(((await r.json()) as Session).csrfToken)
}
