/**
 * The share dialog's "Share with a Velox user" part (issue 16): pick a user of this
 * appliance and read or read+write; lists who this container is already shared with, each
 * with Revoke. Says what the user gets: a folder opens only that folder, in the web app
 * (Swift ACLs are per container, so it is not an ACL entry); a whole container is an ACL
 * entry, which their Swift clients see too.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react'
import { grantUserShare, listMyUserShares, listUserCandidates, revokeUserShare, type UserShare } from '../api/user-shares'
import type { ApiError } from '../api/http'
import './user-share.css'

export function UserShareForm(props: { container: string; prefix: string }) {
  const { container, prefix } = props
  const [users, setUsers] = useState<string[]>([])
  const [grants, setGrants] = useState<UserShare[]>([])
  const [grantee, setGrantee] = useState('')
  const [write, setWrite] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [notAllowed, setNotAllowed] = useState(false)

  const load = useCallback(() => {
    listMyUserShares(container).then(setGrants, (e: Error) => setError(e.message))
  }, [container])
  useEffect(() => {
    listUserCandidates().then(setUsers, (e: ApiError) => (e.status === 403 ? setNotAllowed(true) : setError(e.message)))
    load()
  }, [load])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!grantee) return
    setBusy(true)
    setError(null)
    try {
      await grantUserShare({ container, prefix, grantee, write })
      setGrantee('')
      load()
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const revoke = async (id: string) => {
    setError(null)
    try {
      await revokeUserShare(id)
      load()
    } catch (err) {
      setError((err as Error).message)
    }
  }

  if (notAllowed) {
    return (
      <section className="user-share" aria-labelledby="user-share-title">
        <h3 id="user-share-title">Share with a Velox user</h3>
        <p className="muted small">Only the account’s administrators can share its containers with other users (Swift lets only them set access lists).</p>
      </section>
    )
  }
  return (
    <section className="user-share" aria-labelledby="user-share-title">
      <h3 id="user-share-title">Share with a Velox user</h3>
      <form onSubmit={submit} className="share-form">
        <label>
          User
          <select name="user-share-grantee" value={grantee} onChange={(e) => setGrantee(e.target.value)}>
            <option value="">Choose a user…</option>
            {users.map((u) => <option key={u} value={u}>{u}</option>)}
          </select>
        </label>
        <fieldset className="segmented">
          <legend>Access</legend>
          <label><input type="radio" name="user-share-access" checked={!write} onChange={() => setWrite(false)} /> Read</label>
          <label><input type="radio" name="user-share-access" checked={write} onChange={() => setWrite(true)} /> Read and write</label>
        </fieldset>
        <p className="muted small" data-testid="user-share-scope">
          {prefix
            ? `It appears in their “Shared with me”, where they open only ${prefix} and what is in it, in the web app. Swift clients do not see a shared folder: share the whole container for that.`
            : `It appears in their “Shared with me”. Access is set on the whole container “${container}”, and their Swift clients get the same access.`}
        </p>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="submit" className="btn" disabled={busy || !grantee}>{busy ? 'Sharing…' : 'Share with user'}</button>
        </div>
      </form>
      {grants.length > 0 && (
        <ul className="user-share-list" aria-label="Shared with users">
          {grants.map((g) => (
            <li key={g.id}>
              <span>{g.grantee} · {g.prefix || 'whole container'} · {g.write ? 'read and write' : 'read'}</span>
              <button type="button" className="btn btn-danger-ghost" onClick={() => revoke(g.id)} aria-label={`Revoke ${g.grantee} on ${g.prefix || container}`}>Revoke</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
