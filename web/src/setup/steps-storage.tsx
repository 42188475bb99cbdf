/** The wizard's later steps: disks and copies, cluster, HTTPS certificate, and the summary. */
import { useEffect, useState, type FormEvent } from 'react'
import { formatBytes } from '../ui/format'
import { STEP_TITLES } from './api'
import { listDisks, prepareDisk, type DiskView } from '../api/disks'
import type { StepProps } from './setup-page'

function onForm(fn: () => void) {
  return (e: FormEvent) => {
    e.preventDefault()
    fn()
  }
}

export function DisksStep(p: StepProps) {
  const [disks, setDisks] = useState<DiskView[] | null | undefined>(undefined)
  const [chosen, setChosen] = useState<Set<string>>(new Set(p.status.disks?.devices ?? []))
  const [serials, setSerials] = useState<Record<string, string>>({})
  const [progress, setProgress] = useState<Record<string, string>>({})
  const [replicas, setReplicas] = useState(p.status.disks?.replicas ?? 3)
  const [accept, setAccept] = useState(false)
  const [builtIn, setBuiltIn] = useState(p.status.disks?.builtIn ?? false)
  const [error, setError] = useState<string | null>(null)
  const reload = () => listDisks().then(setDisks, (e: Error) => setError(e.message))
  useEffect(() => {
    reload()
  }, [])
  const picked = (disks ?? []).filter((d) => chosen.has(d.id))
  const usable = picked.reduce((a, d) => a + d.sizeBytes, 0) / replicas
  const ready = disks === null || builtIn || (picked.length >= replicas && picked.every((d) => d.velox?.state === 'in-ring'))
  const prepare = async () => {
    setError(null)
    try {
      for (const d of picked) await prepareDisk(d, { confirmSerial: serials[d.id] ?? '' }, (t) => setProgress((x) => ({ ...x, [d.id]: t })))
    } catch (err) {
      setError((err as Error).message)
    }
    await reload()
    setProgress({})
  }
  const toggle = (id: string) => setChosen((s) => {
    const n = new Set(s)
    if (n.has(id)) n.delete(id)
    else n.add(id)
    return n
  })
  return (
    <form onSubmit={onForm(() => p.submit({ devices: builtIn || disks === null ? [] : [...chosen], builtIn: builtIn || disks === null, replicas, acceptFewerCopies: accept }))}>
      {disks === undefined && <p className="muted">Looking for disks…</p>}
      {disks === null && <p className="notice">This appliance stores objects in its built-in storage (its data directory): there are no disks to choose.</p>}
      {disks && (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Disks found</caption>
            <thead><tr><th>Use</th><th>Disk</th><th>Size</th><th>State</th></tr></thead>
            <tbody>
              {disks.map((d) => (
                <tr key={d.id}>
                  <td><input type="checkbox" aria-label={`Use ${d.id}`} checked={chosen.has(d.id)} disabled={d.holdsOs || !d.present} onChange={() => toggle(d.id)} /></td>
                  <td>{d.model || d.id} <span className="small muted">{d.serial} · {d.media} {d.transport}</span>{d.holdsOs && <span className="badge">system disk</span>}</td>
                  <td className="num">{formatBytes(d.sizeBytes)}</td>
                  <td>
                    {progress[d.id] ?? d.velox?.state ?? (d.burnIn?.passed ? 'burn-in passed' : 'new')}
                    {chosen.has(d.id) && d.needsConfirmation && !d.velox && (
                      <input aria-label={`Type the serial of ${d.id} to erase it`} placeholder="serial to erase" value={serials[d.id] ?? ''} onChange={(e) => setSerials((s) => ({ ...s, [d.id]: e.target.value }))} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {disks && picked.length > 0 && !ready && (
        <button type="button" className="btn" onClick={prepare}>Test, format and add the chosen disks</button>
      )}
      {disks && (
        <fieldset>
          <label><input type="checkbox" name="builtIn" checked={builtIn} onChange={(e) => setBuiltIn(e.target.checked)} /> Use the built-in storage instead (for trying Velox out, not for real data)</label>
        </fieldset>
      )}
      <fieldset>
        <legend>Copies of each object</legend>
        {[3, 2, 1].map((n) => (
          <label key={n}><input type="radio" name="replicas" checked={replicas === n} onChange={() => setReplicas(n)} /> {n} {n === 3 ? '(recommended)' : n === 1 ? '(no redundancy)' : ''}</label>
        ))}
      </fieldset>
      {replicas < 3 && (
        <label className="warning-check">
          <span className="error">{replicas === 1 ? 'With one copy, a failed disk loses its objects.' : 'With two copies, two failed disks can lose objects.'}</span>
          <span><input type="checkbox" checked={accept} onChange={(e) => setAccept(e.target.checked)} /> I accept this</span>
        </label>
      )}
      {disks && !builtIn && <p>Usable capacity: <strong data-testid="usable">{formatBytes(usable)}</strong> <span className="small muted">({picked.length} disks, {replicas} copies)</span></p>}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="btn btn-primary" type="submit" disabled={p.busy || !ready}>Next</button>
    </form>
  )
}

export function ClusterStep(p: StepProps) {
  return (
    <form onSubmit={onForm(() => p.submit({ mode: 'create' }))}>
      <fieldset>
        <legend>This appliance</legend>
        <label><input type="radio" name="cluster" defaultChecked /> Create a new cluster</label>
        <label className="muted"><input type="radio" name="cluster" disabled /> Join an existing cluster with a join code (coming with clustering)</label>
      </fieldset>
      <button className="btn btn-primary" type="submit" disabled={p.busy}>{p.submitLabel ?? 'Next'}</button>
    </form>
  )
}

export function HttpsStep(p: StepProps) {
  const [mode, setMode] = useState<'self-signed' | 'upload'>(p.status.https?.source === 'uploaded' ? 'upload' : 'self-signed')
  const [certPem, setCert] = useState('')
  const [keyPem, setKey] = useState('')
  const readFile = (set: (s: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => e.target.files?.[0]?.text().then(set)
  return (
    <form onSubmit={onForm(() => p.submit(mode === 'upload' ? { mode, certPem, keyPem } : { mode }))}>
      <fieldset>
        <legend>Certificate</legend>
        <label><input type="radio" name="https" checked={mode === 'self-signed'} onChange={() => setMode('self-signed')} /> Generate a self-signed certificate</label>
        <label><input type="radio" name="https" checked={mode === 'upload'} onChange={() => setMode('upload')} /> Upload a certificate and its key (PEM)</label>
      </fieldset>
      {mode === 'upload' && (
        <>
          <label>Certificate (leaf first, then its chain)<textarea name="certPem" rows={5} value={certPem} onChange={(e) => setCert(e.target.value)} spellCheck={false} placeholder="-----BEGIN CERTIFICATE-----" /></label>
          <input type="file" aria-label="Certificate file" accept=".pem,.crt,.cer" onChange={readFile(setCert)} />
          <label>Private key<textarea name="keyPem" rows={5} value={keyPem} onChange={(e) => setKey(e.target.value)} spellCheck={false} placeholder="-----BEGIN PRIVATE KEY-----" /></label>
          <input type="file" aria-label="Key file" accept=".pem,.key" onChange={readFile(setKey)} />
        </>
      )}
      <p className="small muted">{p.submitLabel ? 'The new certificate is served at once, without a restart.' : 'HTTPS is switched on when you finish; then plain HTTP redirects to it, cookies are Secure and HSTS is sent.'}</p>
      <button className="btn btn-primary" type="submit" disabled={p.busy}>{p.submitLabel ?? 'Next'}</button>
    </form>
  )
}

export function SummaryStep(p: StepProps) {
  const s = p.status
  const sample = s.identity?.clock.samples[0]
  return (
    <form onSubmit={onForm(() => p.submit(undefined))}>
      <dl className="summary">
        <dt>{STEP_TITLES.admin}</dt><dd>{s.admin?.account}:{s.admin?.user}</dd>
        <dt>Name</dt><dd>{s.identity?.hostname}</dd>
        <dt>Time</dt><dd>{s.identity?.timeZone}, NTP {s.identity?.ntp.join(', ')}{sample ? ` (clock off by ${(sample.offsetMs / 1000).toFixed(1)} s)` : ' (not checked)'}</dd>
        <dt>Network</dt><dd>{s.network?.frontEnd} {s.network?.mode === 'static' ? s.network.address : 'DHCP'}{s.network?.backEnd ? `; replication on ${s.network.backEnd} ${s.network.backEndAddress}` : ''}</dd>
        <dt>Storage</dt><dd>{s.disks?.builtIn ? 'built-in storage' : `${s.disks?.devices.length} disks`}, {s.disks?.replicas} copies{s.disks?.usableBytes ? `, ${formatBytes(s.disks.usableBytes)} usable` : ''}</dd>
        <dt>Cluster</dt><dd>new cluster <span className="small muted">{s.cluster?.clusterId}</span></dd>
        <dt>HTTPS</dt><dd>{s.https?.source} certificate for {s.https?.names.join(', ')}, valid until {s.https?.notAfter.slice(0, 10)}<br /><span className="small">SHA-256 <code className="fingerprint">{s.https?.fingerprint256}</code></span></dd>
      </dl>
      <p className="notice">Finishing applies the name, time and network settings, sets up the storage ({s.disks?.builtIn ? 'the built-in storage' : 'only the chosen disks'}, {s.disks?.replicas === 1 ? 'one copy' : `${s.disks?.replicas} copies`} of every object) and switches the appliance to HTTPS. The setup code stops working.</p>
      <button className="btn btn-primary" type="submit" disabled={p.busy}>{p.busy ? 'Finishing…' : 'Finish setup'}</button>
    </form>
  )
}
