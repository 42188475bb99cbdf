/**
 * The Shares page's "Shared with users" part (issue 16): every folder I shared with another
 * Velox user, with its access and a Revoke (a container's: takes the user out of its Swift
 * ACL; a folder's: ends their access to it at once). Made from the share dialog.
 */
import { useCallback, useEffect, useState } from 'react'
import { listMyUserShares, revokeUserShare, type UserShare } from '../api/user-shares'
import { filesPath, linkProps } from '../ui/router'
import './user-share.css'

export function UserGrants() {
  const [grants, setGrants] = useState<UserShare[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const load = useCallback(() => {
    listMyUserShares().then(setGrants, (e: Error) => setError(e.message))
  }, [])
  useEffect(load, [load])

  if (!error && !grants?.length) return null
  return (
    <section className="user-grants" aria-labelledby="user-grants-title">
      <h2 id="user-grants-title">Shared with users</h2>
      {error && <p className="error" role="alert">{error}</p>}
      <ul className="user-share-list">
        {grants?.map((g) => (
          <li key={g.id} data-user-grant={g.id}>
            <span>
              <a {...linkProps(filesPath(g.container, g.prefix))}>{g.container}/{g.prefix}</a> · {g.grantee} · {g.write ? 'read and write' : 'read'}
            </span>
            <button
              type="button"
              className="btn btn-danger-ghost"
              aria-label={`Revoke ${g.grantee} on ${g.container}/${g.prefix}`}
              onClick={() => revokeUserShare(g.id).then(load, (e: Error) => setError(e.message))}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
