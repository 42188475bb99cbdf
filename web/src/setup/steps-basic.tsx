/** The wizard's first steps: the admin account (with a strength meter), name and time, network. */
import { useEffect, useMemo, useState, type FormEvent } from 'react'
import { passwordScore, SCORE_WORDS } from '../../../appliance/src/setup/password-score'
import { interfaces as loadInterfaces, type NetInterface } from './api'
import type { StepProps } from './setup-page'

const lines = (s: string) => s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean)

function onForm(fn: () => void) {
  return (e: FormEvent) => {
    e.preventDefault()
    fn()
  }
}

export function AdminStep(p: StepProps) {
  const [user, setUser] = useState(p.status.admin?.user ?? 'admin')
  const [password, setPassword] = useState('')
  const [again, setAgain] = useState('')
  const score = passwordScore(password)
  const mismatch = again !== '' && again !== password
  return (
    <form onSubmit={onForm(() => !mismatch && p.submit({ user, password }))}>
      <p className="muted">This becomes the first administrator (account <code>admin</code>) and signs this browser in.</p>
      <label>
        Admin name
        <input name="user" value={user} onChange={(e) => setUser(e.target.value)} autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required />
      </label>
      <div className="meter" aria-label="Password strength" role="meter" aria-valuemin={0} aria-valuemax={4} aria-valuenow={score} aria-valuetext={SCORE_WORDS[score]}>
        <div className={`meter-bar s${score}`} style={{ width: `${(score + 1) * 20}%` }} />
      </div>
      <p className="small muted">{password ? SCORE_WORDS[score] : 'At least 10 characters; mix words, digits and symbols.'}</p>
      <label>
        Password again
        <input name="again" type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" required />
      </label>
      {mismatch && <p className="error">The two passwords differ.</p>}
      <button className="btn btn-primary" type="submit" disabled={p.busy || mismatch}>Next</button>
    </form>
  )
}

export function IdentityStep(p: StepProps) {
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone'), [])
  const [hostname, setHostname] = useState(p.status.identity?.hostname ?? 'velox')
  const [timeZone, setTimeZone] = useState(p.status.identity?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC')
  const [ntp, setNtp] = useState((p.status.identity?.ntp ?? ['pool.ntp.org']).join('\n'))
  return (
    <form onSubmit={onForm(() => p.submit({ hostname, timeZone, ntp: lines(ntp) }))}>
      <label>
        Appliance name
        <input name="hostname" value={hostname} onChange={(e) => setHostname(e.target.value)} required spellCheck={false} />
        <span className="small muted">Letters, digits and '-'; clients will reach it as {hostname || 'name'}.local too.</span>
      </label>
      <label>
        Time zone
        <select name="timeZone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
          {!zones.includes(timeZone) && <option value={timeZone}>{timeZone}</option>}
          {zones.map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
      </label>
      <label>
        NTP servers
        <textarea name="ntp" rows={3} value={ntp} onChange={(e) => setNtp(e.target.value)} spellCheck={false} />
        <span className="small muted">One per line. The appliance's clock is checked against them when you continue.</span>
      </label>
      <button className="btn btn-primary" type="submit" disabled={p.busy}>{p.busy ? 'Checking the clock…' : p.submitLabel ?? 'Next'}</button>
    </form>
  )
}

export function NetworkStep(p: StepProps) {
  const [ifaces, setIfaces] = useState<NetInterface[] | null>(null)
  const prev = p.status.network
  const [frontEnd, setFrontEnd] = useState(prev?.frontEnd ?? '')
  const [backEnd, setBackEnd] = useState(prev?.backEnd ?? '')
  const [mode, setMode] = useState<'dhcp' | 'static'>(prev?.mode ?? 'dhcp')
  const [address, setAddress] = useState(prev?.address ?? '')
  const [gateway, setGateway] = useState(prev?.gateway ?? '')
  const [dns, setDns] = useState((prev?.dns ?? []).join(', '))
  const [backAddress, setBackAddress] = useState(prev?.backEndAddress ?? '')
  useEffect(() => {
    loadInterfaces().then((l) => {
      setIfaces(l)
      setFrontEnd((f) => f || (l.find((i) => i.link === 'up') ?? l[0])?.name || '')
    }, () => setIfaces([]))
  }, [])
  const clock = p.status.identity?.clock
  return (
    <form onSubmit={onForm(() => p.submit({ frontEnd, backEnd, mode, address, gateway, dns: lines(dns), backEndAddress: backAddress }))}>
      {clock && <ClockNotice clock={clock} />}
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">Network interfaces</caption>
          <thead><tr><th>Interface</th><th>Link</th><th>Speed</th><th>Addresses</th></tr></thead>
          <tbody>
            {(ifaces ?? []).map((i) => (
              <tr key={i.name}>
                <td>{i.name} <span className="small muted">{i.mac}</span></td>
                <td>{i.link}</td>
                <td>{i.speedMbps ? (i.speedMbps >= 1000 ? `${i.speedMbps / 1000} Gbit/s` : `${i.speedMbps} Mbit/s`) : '—'}</td>
                <td>{i.addresses.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="setup-row">
        <label>
          Clients (front end)
          <select name="frontEnd" value={frontEnd} onChange={(e) => setFrontEnd(e.target.value)}>
            {(ifaces ?? []).map((i) => <option key={i.name} value={i.name}>{i.name}</option>)}
          </select>
        </label>
        <label>
          Replication (back end)
          <select name="backEnd" value={backEnd} onChange={(e) => setBackEnd(e.target.value)}>
            <option value="">Same as clients</option>
            {(ifaces ?? []).filter((i) => i.name !== frontEnd).map((i) => <option key={i.name} value={i.name}>{i.name}</option>)}
          </select>
        </label>
      </div>
      <fieldset>
        <legend>Client address</legend>
        <label><input type="radio" name="mode" checked={mode === 'dhcp'} onChange={() => setMode('dhcp')} /> DHCP</label>
        <label><input type="radio" name="mode" checked={mode === 'static'} onChange={() => setMode('static')} /> Static</label>
      </fieldset>
      {mode === 'static' && (
        <div className="setup-row">
          <label>Address/prefix<input name="address" value={address} onChange={(e) => setAddress(e.target.value)} placeholder="192.168.1.20/24" /></label>
          <label>Gateway<input name="gateway" value={gateway} onChange={(e) => setGateway(e.target.value)} placeholder="192.168.1.1" /></label>
        </div>
      )}
      <label>DNS servers<input name="dns" value={dns} onChange={(e) => setDns(e.target.value)} placeholder={mode === 'dhcp' ? 'from DHCP' : '192.168.1.1'} /></label>
      {backEnd && <label>Replication address/prefix<input name="backEndAddress" value={backAddress} onChange={(e) => setBackAddress(e.target.value)} placeholder="10.10.0.20/24" /></label>}
      <p className="small muted">Applied when you finish the setup, on the appliance only.</p>
      <button className="btn btn-primary" type="submit" disabled={p.busy || !ifaces}>{p.submitLabel ?? 'Next'}</button>
    </form>
  )
}

function ClockNotice(props: { clock: NonNullable<StepProps['status']['identity']>['clock'] }) {
  const s = props.clock.samples[0]
  if (!s) return <p className="notice">The clock could not be checked: {props.clock.errors[0] ?? 'no NTP server answered'}.</p>
  const off = Math.abs(s.offsetMs) / 1000
  return <p className={off > 5 ? 'notice error' : 'notice'}>Clock checked against {s.server}: {off < 0.1 ? 'in sync' : `${off.toFixed(1)} s ${s.offsetMs > 0 ? 'behind' : 'ahead'}`}.</p>
}
