/**
 * The admin console (administrators only): a sub-navigation over the dashboard, the disks,
 * alerts, the log viewer and the terminal, with the disk and interface drill-downs under the dashboard.
 * The firing-alert badge and the dashboard stay current from the live event stream.
 */
import { linkProps, type Route } from '../ui/router'
import { useLiveSummary } from './api'
import { AlertsPage } from './alerts-page'
import { Dashboard } from './dashboard'
import { DiskPage } from './disk-page'
import { DisksPage } from './disks-page'
import { LogsPage } from './logs-page'
import { NetworkPage } from './network-page'
import { TerminalPage } from './terminal-page'
import './admin.css'

export type AdminRoute = Extract<Route, { page: 'admin' }>

export function AdminPage(props: { route: AdminRoute }) {
  const { section, id } = props.route
  const live = useLiveSummary()
  const firing = live.summary?.firing ?? 0
  const tab = (s: string, label: string, path: string, extra?: React.ReactNode) => (
    <a className={section === s || (s === 'dashboard' && (section === 'disk' || section === 'network')) ? 'active' : ''} {...linkProps(path)}>
      {label}
      {extra}
    </a>
  )
  return (
    <div className="hc">
      <nav className="hc-tabs" aria-label="Admin">
        {tab('dashboard', 'Health', '/admin')}
        {tab('disks', 'Disks', '/admin/disks')}
        {tab('alerts', 'Alerts', '/admin/alerts', firing > 0 && <span className="hc-badge" data-testid="alert-badge" aria-label={`${firing} firing`}>{firing}</span>)}
        {tab('logs', 'Logs', '/admin/logs')}
        {tab('terminal', 'Terminal', '/admin/terminal')}
      </nav>
      {live.error && <p className="error">{live.error}</p>}
      {section === 'dashboard' && <Dashboard summary={live.summary} />}
      {section === 'disk' && id && <DiskPage device={id} summary={live.summary} />}
      {section === 'network' && id && <NetworkPage name={id} summary={live.summary} />}
      {section === 'disks' && <DisksPage />}
      {section === 'alerts' && <AlertsPage onChange={live.reload} />}
      {section === 'logs' && <LogsPage />}
      {section === 'terminal' && <TerminalPage />}
    </div>
  )
}
