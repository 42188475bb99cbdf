/**
 * The app shell: public share pages need no session; every other page waits for the
 * session (or shows sign-in), then renders inside the header with navigation and sign-out.
 */
import { lazy, Suspense, useEffect, useMemo, useState } from 'react'
import { onUnauthorized } from './api/http'
import { currentSession, signOut, type Session } from './api/session'
import { SwiftClient } from './api/swift'
import { FilesPage } from './files/files-page'
import { PublicSharePage } from './public/public-share-page'
import { SharesPage } from './shares/shares-page'
import { SignInPage } from './sign-in'
import { TrashPage } from './trash/trash-page'
import { SearchPage } from './search/search-page'
import { SharedWithMePage } from './shares/shared-with-me-page'

/** The admin console (charts, terminal) loads only when an administrator opens it. */
const AdminPage = lazy(() => import('./admin/admin-page').then((m) => ({ default: m.AdminPage })))
import { Uploader } from './upload/uploader'
import { useLeaveGuard } from './upload/leave-guard'
import { ResumeUploads } from './upload/resume-uploads'
import { filesPath, linkProps, useRoute } from './ui/router'
import { SettingsPage } from './admin/settings-page'
import { SetupPage } from './setup/setup-page'
import { setupStatus, type SetupStatus } from './setup/api'
import { SkipLink } from './ui/skip-link'
import './ui/a11y.css'

export function App() {
  const route = useRoute()
  if (route.page === 'public') return <PublicSharePage token={route.token} />
  return <SetupFirst />
}

/** An appliance not set up yet shows the setup wizard instead of every page. */
function SetupFirst() {
  const [setup, setSetup] = useState<SetupStatus | null | undefined>(undefined)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    setupStatus().then(setSetup, (e: Error) => setError(e.message))
  }, [])
  if (error) return <div className="center-page"><p className="error">Velox is not answering: {error}</p></div>
  if (setup === undefined) return <div className="center-page"><p className="muted">Loading…</p></div>
  if (setup) return <SetupPage initial={setup} />
  return <SignedInApp />
}

function SignedInApp() {
  const route = useRoute()
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    currentSession().then(setSession, (e: Error) => setError(e.message))
    return onUnauthorized(() => setSession(null))
  }, [])

  if (error) return <div className="center-page"><p className="error">Velox is not answering: {error}</p></div>
  if (session === undefined) return <div className="center-page"><p className="muted">Loading…</p></div>
  if (session === null) return <SignInPage onSignedIn={setSession} />
  return <Shell session={session} onSignedOut={() => setSession(null)}>{route}</Shell>
}

function Shell(props: { session: Session; onSignedOut: () => void; children: ReturnType<typeof useRoute> }) {
  const { session } = props
  const route = props.children
  const swift = useMemo(() => new SwiftClient(session.storageUrl), [session.storageUrl])
  const uploader = useMemo(() => new Uploader(swift), [swift])
  useLeaveGuard(uploader)

  const doSignOut = async () => {
    uploader.cancelAll()
    await signOut().catch(() => undefined)
    props.onSignedOut()
  }

  return (
    <div className="shell">
      <SkipLink />
      <header className="topbar">
        <a className="brand" {...linkProps(filesPath(''))}>
          <span className="brand-mark" aria-hidden="true">V</span> Velox
        </a>
        <nav className="topnav" aria-label="Main">
          <a className={route.page === 'files' ? 'active' : ''} {...linkProps(filesPath(''))}>Files</a>
          <a className={route.page === 'shares' ? 'active' : ''} {...linkProps('/shares')}>Shares</a>
          <a className={route.page === 'shared' ? 'active' : ''} {...linkProps('/shared')}>Shared with me</a>
          <a className={route.page === 'search' ? 'active' : ''} {...linkProps('/search')}>Search</a>
          <a className={route.page === 'trash' ? 'active' : ''} {...linkProps('/trash')}>Trash</a>
          {session.user.admin && <a className={route.page === 'settings' ? 'active' : ''} {...linkProps('/admin/settings/identity')}>Settings</a>}
          {session.user.admin && <a className={route.page === 'admin' ? 'active' : ''} {...linkProps('/admin')}>Admin</a>}
        </nav>
        <div className="topbar-user">
          <span className="muted who" title={`${session.user.account}:${session.user.user}`}>{session.user.user}</span>
          <button className="btn btn-ghost" onClick={doSignOut}>Sign out</button>
        </div>
      </header>
      <main className="content" id="main" tabIndex={-1}>
        {route.page === 'files' && <ResumeUploads uploader={uploader} />}
        {route.page === 'files' && <FilesPage swift={swift} uploader={uploader} container={route.container} prefix={route.prefix} />}
        {route.page === 'shares' && <SharesPage />}
        {route.page === 'shared' && <SharedWithMePage id={route.id} path={route.path} />}
        {route.page === 'trash' && <TrashPage swift={swift} session={session} />}
        {route.page === 'search' && <SearchPage />}
        {route.page === 'settings' && (session.user.admin ? <SettingsPage section={route.section} me={session.user} /> : <p className="empty">Settings are for administrators.</p>)}
        {route.page === 'admin' && (session.user.admin ? <Suspense fallback={<p className="muted">Loading…</p>}><AdminPage route={route} /></Suspense> : <p className="error" role="alert">Administrators only.</p>)}
        {route.page === 'not-found' && <p className="empty">There is no page here. <a {...linkProps(filesPath(''))}>Go to your files</a>.</p>}
      </main>
    </div>
  )
}
