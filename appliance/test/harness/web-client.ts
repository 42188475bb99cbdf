/**
 * A browser-like client for the web app in integration tests: fetch with a cookie jar
 * (what Set-Cookie stored, sent back on every request) and the CSRF token of the last
 * sign-in, added to state-changing requests unless a test leaves it out.
 */
export class WebClient {
  readonly cookies = new Map<string, string>()
  /** Raw Set-Cookie values received, newest last. */
  readonly setCookies: string[] = []
  csrfToken: string | undefined

  constructor(readonly baseUrl: string) {}

  async fetch(path: string, init: RequestInit & { csrf?: boolean; json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (cookie) headers.set('Cookie', cookie)
    const method = (init.method ?? 'GET').toUpperCase()
    if (init.csrf !== false && this.csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(method)) headers.set('X-CSRF-Token', this.csrfToken)
    let body = init.body
    if (init.json !== undefined) {
      headers.set('Content-Type', 'application/json')
      body = JSON.stringify(init.json)
    }
    const r = await fetch(`${this.baseUrl}${path}`, { ...init, method, headers, body, redirect: 'manual' })
    for (const sc of r.headers.getSetCookie()) {
      this.setCookies.push(sc)
      const [pair, ...attrs] = sc.split(';').map((s) => s.trim())
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      if (value === '' || attrs.some((a) => /^max-age=0$/i.test(a))) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return r
  }

  /** Signs in; returns the response body. */
  async login(account = 'test', user = 'tester', password = 'testing'): Promise<{ user: { account: string; user: string; admin: boolean }; csrfToken: string; storageUrl: string }> {
    const r = await this.fetch('/api/session', { method: 'POST', json: { account, user, password } })
    if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${await r.text()}`)
    const body = (await r.json()) as { user: { account: string; user: string; admin: boolean }; csrfToken: string; storageUrl: string }
    this.csrfToken = body.csrfToken
    return body
  }
}
