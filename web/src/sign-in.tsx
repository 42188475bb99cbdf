/**
 * Sign-in with a user name and password (the user's key); the server finds the account. The
 * account can still be given under "Advanced", for a user name that exists in several accounts.
 */
import { useState, type FormEvent } from 'react'
import { ApiError } from './api/http'
import { signIn, type Session } from './api/session'

export function SignInPage(props: { onSignedIn: (s: Session) => void }) {
  const [account, setAccount] = useState(() => localStorage.getItem('velox.account') ?? '')
  const [user, setUser] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const s = await signIn(account.trim(), user.trim(), password)
      localStorage.setItem('velox.account', account.trim())
      props.onSignedIn(s)
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0
      setError(status === 401 || status === 403 ? `Wrong user name or password${account.trim() ? ' (or account)' : ''}. If your user name is in several accounts, give the account under “Advanced”.` : status === 429 ? 'Too many attempts; wait a minute.' : (err as Error).message)
      setBusy(false)
    }
  }

  return (
    <div className="center-page">
      <form className="card signin" onSubmit={submit} aria-labelledby="signin-title">
        <div className="brand big"><span className="brand-mark" aria-hidden="true">V</span> Velox</div>
        <h1 id="signin-title">Sign in</h1>
        <label>
          User name
          <input name="user" value={user} onChange={(e) => setUser(e.target.value)} autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
        </label>
        <details className="signin-advanced" open={!!account}>
          <summary>Advanced</summary>
          <label>
            Account <span className="muted small">(needed only for a name used in several accounts)</span>
            <input name="account" value={account} onChange={(e) => setAccount(e.target.value)} autoComplete="organization" />
          </label>
        </details>
        {error && <p className="error" role="alert">{error}</p>}
        <button className="btn btn-primary" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </div>
  )
}
