/**
 * The admin settings area (/admin/settings/<section>): name and time, network, HTTPS
 * certificate, users. The forms are the wizard's own steps, saved through the settings API;
 * the server validates, applies and audits each change.
 */
import { useEffect, useState, type FormEvent } from 'react'
import { ConnectCard } from '../setup/connect-card'
import type { SetupStatus } from '../setup/api'
import { IdentityStep, NetworkStep } from '../setup/steps-basic'
import { HttpsStep } from '../setup/steps-storage'
import { formatDate } from '../ui/format'
import { linkProps } from '../ui/router'
import { addUser, getSettings, listUsers, postCertificate, putSettings, removeUser, resetPassword, setAdmin, type Settings, type UserRow } from './settings-api'
import '../setup/setup.css'

export const SETTINGS_SECTIONS = { identity: 'Name and time', network: 'Network', certificate: 'HTTPS certificate', users: 'Users', clients: 'Connect clients' } as const
export type SettingsSection = keyof typeof SETTINGS_SECTIONS

export function SettingsPage(props: { section: string; me: { account: string; user: string } }) {
  const section = (props.section in SETTINGS_SECTIONS ? props.section : 'identity') as SettingsSection
  const [settings, setSettings] = useState<Settings | null>(null)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  useEffect(() => {
    getSettings().then(setSettings, (e: Error) => setMessage({ ok: false, text: e.message }))
  }, [])
  const save = async (fn: () => Promise<unknown>) => {
    setBusy(true)
    setMessage(null)
    try {
      await fn()
      setSettings(await getSettings())
      setMessage({ ok: true, text: 'Saved.' })
    } catch (err) {
      setMessage({ ok: false, text: (err as Error).message })
    } finally {
      setBusy(false)
    }
  }
  const status: SetupStatus = {
    pending: false,
    claimed: true,
    admin: props.me,
    identity: settings?.identity && settings.time ? { ...settings.identity, ...settings.time } : undefined,
    network: settings?.network ?? undefined,
    https: settings?.certificate ?? undefined,
  }
  return (
    <div className="narrow">
      <h1>Settings</h1>
      <nav className="settings-nav" aria-label="Settings">
        {Object.entries(SETTINGS_SECTIONS).map(([k, title]) => (
          <a key={k} className={`btn btn-ghost${k === section ? ' active' : ''}`} {...linkProps(`/admin/settings/${k}`)}>{title}</a>
        ))}
      </nav>
      {settings && !settings.applied && section !== 'users' && <p className="notice small">This machine is not the appliance: settings are recorded and shown, not applied to the OS.</p>}
      {message && <p className={message.ok ? 'notice' : 'error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      {settings && (
        <section className="card setup-card" key={section}>
          {section === 'identity' && (
            <IdentityStep status={status} busy={busy} submitLabel="Save" submit={(b) => save(async () => {
              await putSettings('identity', b)
              await putSettings('time', b)
            })} />
          )}
          {section === 'network' && <NetworkStep status={status} busy={busy} submitLabel="Save" submit={(b) => save(() => putSettings('network', b))} />}
          {section === 'certificate' && (
            <>
              {settings.certificate && (
                <p>
                  Current: {settings.certificate.source} certificate for {settings.certificate.names.join(', ')}, expires {formatDate(settings.certificate.notAfter)} ({settings.certificate.daysLeft} days).<br />
                  <span className="small">SHA-256 <code className="fingerprint">{settings.certificate.fingerprint256}</code></span>
                </p>
              )}
              <HttpsStep status={status} busy={busy} submitLabel="Replace the certificate" submit={(b) => save(() => postCertificate(b))} />
            </>
          )}
          {section === 'users' && <UsersSection me={props.me} onMessage={setMessage} />}
          {section === 'clients' && <ConnectCard base={location.origin} status={status} />}
        </section>
      )}
    </div>
  )
}

function UsersSection(props: { me: { account: string; user: string }; onMessage: (m: { ok: boolean; text: string } | null) => void }) {
  const [users, setUsers] = useState<UserRow[]>([])
  const [form, setForm] = useState({ account: '', user: '', password: '', admin: false })
  const run = async (fn: () => Promise<UserRow[] | void>, done: string) => {
    props.onMessage(null)
    try {
      const u = await fn()
      setUsers(u ?? (await listUsers()))
      props.onMessage({ ok: true, text: done })
    } catch (err) {
      props.onMessage({ ok: false, text: (err as Error).message })
    }
  }
  useEffect(() => {
    listUsers().then(setUsers, (e: Error) => props.onMessage({ ok: false, text: e.message }))
  }, [])
  const add = (e: FormEvent) => {
    e.preventDefault()
    run(() => addUser(form), `Added ${form.account}:${form.user}.`).then(() => setForm({ account: '', user: '', password: '', admin: false }))
  }
  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">Users</caption>
          <thead><tr><th>Account</th><th>User</th><th>Admin</th><th /></tr></thead>
          <tbody>
            {users.map((u) => {
              const me = u.account === props.me.account && u.user === props.me.user
              return (
                <tr key={`${u.account}:${u.user}`}>
                  <td>{u.account}</td>
                  <td>{u.user}{me && <span className="badge">you</span>}</td>
                  <td><input type="checkbox" aria-label={`${u.account}:${u.user} is an admin`} checked={u.admin} disabled={me} onChange={(e) => run(() => setAdmin(u, e.target.checked), 'Saved.')} /></td>
                  <td>
                    <button className="btn small" onClick={() => {
                      const pw = prompt(`New password for ${u.account}:${u.user}`)
                      if (pw) run(() => resetPassword(u, pw), 'Password changed.')
                    }}>Reset password</button>{' '}
                    <button className="btn small btn-danger-ghost" disabled={me} onClick={() => confirm(`Remove ${u.account}:${u.user}?`) && run(() => removeUser(u), 'Removed.')}>Remove</button>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      <form onSubmit={add} aria-labelledby="add-user-title">
        <h2 id="add-user-title">Add a user</h2>
        <div className="setup-row">
          <label>Account<input value={form.account} onChange={(e) => setForm({ ...form, account: e.target.value })} required /></label>
          <label>User<input value={form.user} onChange={(e) => setForm({ ...form, user: e.target.value })} required /></label>
        </div>
        <label>Password<input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required /></label>
        <fieldset><label><input type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: e.target.checked })} /> Administrator</label></fieldset>
        <button className="btn btn-primary" type="submit">Add user</button>
      </form>
    </>
  )
}
