/** Sign-in, the current session and sign-out (`/api/session`). */
import { ApiError, request, requestJson, setCsrfToken } from './http'

export interface SessionUser {
  account: string
  user: string
  admin: boolean
}

export interface Session {
  user: SessionUser
  csrfToken: string
  /** "/v1/AUTH_<account>": where this user's containers live. */
  storageUrl: string
}

export async function signIn(account: string, user: string, password: string): Promise<Session> {
  const s = await requestJson<Session>('/api/session', { method: 'POST', json: { account, user, password }, quiet401: true })
  setCsrfToken(s.csrfToken)
  return s
}

/** The session of this browser, or null when signed out (or expired). */
export async function currentSession(): Promise<Session | null> {
  try {
    // (?optional=1: signed out is a 204, not a 401 that the browser logs in red on every visit)
    const r = await request('/api/session?optional=1', { accept: [204], quiet401: true, cache: 'no-store' })
    if (r.status === 204) return null
    const s = (await r.json()) as Session
    setCsrfToken(s.csrfToken)
    return s
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null
    throw err
  }
}

export async function signOut(): Promise<void> {
  await request('/api/session', { method: 'DELETE', accept: [401] })
  setCsrfToken('')
}
