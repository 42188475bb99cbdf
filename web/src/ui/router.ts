/**
 * The SPA's routes, on the History API: `/files/<container>/<prefix…>`, `/shares`,
 * `/s/<token>` (public), `/` → files. The server answers every such path with index.html.
 */
import { useEffect, useState } from 'react'
import { encodePath } from '../api/swift'

export type Route =
  | { page: 'files'; container: string; prefix: string }
  | { page: 'shares' }
  | { page: 'shared'; id?: string; path?: string }
  | { page: 'trash' }
  | { page: 'search' }
  | { page: 'public'; token: string }
  | { page: 'settings'; section: string }
  | { page: 'not-found' }
  | { page: 'admin'; section: 'dashboard' | 'disk' | 'disks' | 'network' | 'alerts' | 'logs' | 'terminal'; id?: string }

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').slice(1)
  if (parts[0] === '' || pathname === '/') return { page: 'files', container: '', prefix: '' }
  if (parts[0] === 's' && parts[1]) return { page: 'public', token: decodeURIComponent(parts[1]) }
  if (parts[0] === 'shares') return { page: 'shares' }
  // /shared/<grant id>/<folder inside the shared folder>/ (shares/shared-folder.tsx)
  if (parts[0] === 'shared') return parts[1] ? { page: 'shared', id: decodeURIComponent(parts[1]), path: parts.slice(2).map((p) => decodeURIComponent(p)).join('/') } : { page: 'shared' }
  if (parts[0] === 'trash') return { page: 'trash' }
  if (parts[0] === 'search') return { page: 'search' }
  if (parts[0] === 'admin' && parts[1] === 'settings') return { page: 'settings', section: parts[2] || 'identity' }
  if (parts[0] === 'admin') return parseAdminRoute(parts.slice(1).map((p) => decodeURIComponent(p)))
  if (parts[0] === 'files') {
    const rest = parts.slice(1).map((p) => decodeURIComponent(p))
    const container = rest[0] ?? ''
    const prefix = rest.slice(1).join('/')
    return { page: 'files', container, prefix }
  }
  return { page: 'not-found' }
}

/** /admin, /admin/disks (managing them), /admin/disks/<device>, /admin/network/<interface>, /admin/alerts, /admin/logs, /admin/terminal. */
function parseAdminRoute(rest: string[]): Route {
  if (!rest[0]) return { page: 'admin', section: 'dashboard' }
  if (rest[0] === 'disks' && rest[1]) return { page: 'admin', section: 'disk', id: rest[1] }
  if (rest[0] === 'disks') return { page: 'admin', section: 'disks' }
  if (rest[0] === 'network' && rest[1]) return { page: 'admin', section: 'network', id: rest[1] }
  if (rest[0] === 'alerts' || rest[0] === 'logs' || rest[0] === 'terminal') return { page: 'admin', section: rest[0] }
  return { page: 'not-found' }
}

/** The URL of a folder of the browser ("" container = the list of containers). */
export function filesPath(container: string, prefix = ''): string {
  if (!container) return '/files/'
  return `/files/${encodePath(container)}/${prefix ? encodePath(prefix) : ''}`
}

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return
  history.pushState(null, '', path)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname))
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.pathname))
    window.addEventListener('popstate', on)
    return () => window.removeEventListener('popstate', on)
  }, [])
  return route
}

/** A link that navigates inside the SPA (and still opens in a new tab with a modifier). */
export function linkProps(path: string) {
  return {
    href: path,
    onClick: (e: { metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; button: number; preventDefault(): void }) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
      e.preventDefault()
      navigate(path)
    },
  }
}
