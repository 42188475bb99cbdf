/**
 * The admin console's Disks tab (/admin/disks, issue 13): every disk the appliance manages,
 * with what it is (bay, model, serial, size, type), where it stands (new, burn-in passed,
 * failed or interrupted, formatted, in storage, ramping, draining, drained, failed, OS disk),
 * its ring weight and partitions, and the actions its state allows. Written for IT staff:
 * words, not ring jargon. The dialogs that run the actions are in disks-actions.tsx; every
 * call goes through web/src/api/disks.ts, which the setup wizard uses too.
 */
import { useCallback, useEffect, useState } from 'react'
import { getDisk, loadDisks, type DiskJob, type DiskView, type DrainStatus } from '../api/disks'
import { formatBytes } from '../ui/format'
import { linkProps } from '../ui/router'
import { DrainDialog, PrepareDialog, RemoveDialog, ReplaceDialog } from './disks-actions'

type Action = { kind: 'prepare' | 'drain' | 'remove' | 'replace'; disk: DiskView }

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

const MEDIA: Record<string, string> = { hdd: 'HDD', ssd: 'SSD', nvme: 'NVMe', virtual: 'virtual' }

/** The state as a person reads it, and whether it is bad news. */
export function stateOf(d: DiskView, job: DiskJob | undefined): { text: string; bad?: boolean; detail?: string } {
  const v = d.velox
  if (d.holdsOs) return { text: 'OS disk' }
  if (v?.state === 'failed') return { text: 'failed', bad: true, detail: v.failedReason ?? undefined }
  if (!d.present) return { text: 'missing', bad: true, detail: 'the appliance no longer sees this disk' }
  if (v?.state === 'in-ring') {
    const pct = v.targetWeight ? Math.round((v.weight / v.targetWeight) * 100) : 100
    return v.rampPercent && pct < 100 ? { text: `ramping ${pct} %`, detail: `adding gradually, ${v.rampPercent} % at a time` } : { text: 'in storage' }
  }
  if (v?.state === 'draining' || v?.state === 'drained' || v?.state === 'formatted') return { text: v.state }
  if (job?.state === 'running') return { text: `burn-in ${Math.round(job.progress * 100)} %`, detail: `${job.phase}${job.mbps ? `, ${job.mbps} MB/s` : ''}` }
  if (job?.state === 'interrupted') return { text: 'burn-in interrupted', bad: true, detail: job.message }
  if (job?.state === 'failed' || (d.burnIn && !d.burnIn.passed)) return { text: 'burn-in failed', bad: true, detail: job?.state === 'failed' ? job.message : d.burnIn?.reason }
  if (d.burnIn?.passed) return { text: 'burn-in passed' }
  return { text: 'new', detail: d.hasData ? 'has data on it' : undefined }
}

/** A disk that could be prepared (or replace another one): present, not Velox's yet, not the OS. */
export const isBlank = (d: DiskView) => d.present && !d.holdsOs && (!d.velox || d.velox.state === 'formatted')

export function DisksPage() {
  const [data, setData] = useState<{ disks: DiskView[]; jobs: Record<string, DiskJob> } | null | undefined>(undefined)
  const [drains, setDrains] = useState<Record<string, DrainStatus>>({})
  const [error, setError] = useState<string | null>(null)
  const [action, setAction] = useState<Action | null>(null)
  const reload = useCallback(() => loadDisks().then((x) => { setData(x); setError(null) }, (e: Error) => setError(e.message)), [])
  useEffect(() => {
    void reload()
  }, [reload])

  // Draining disks: what is still to move, polled until drained (the server marks it then).
  const draining = (data?.disks ?? []).filter((d) => d.velox?.state === 'draining').map((d) => d.id)
  const busy = draining.length > 0 || Object.values(data?.jobs ?? {}).some((j) => j.state === 'running')
  // Idle, a slower refresh: a disk that fails or appears shows without a reload.
  useEffect(() => {
    if (busy) return
    const t = setInterval(() => void reload(), 10_000)
    return () => clearInterval(t)
  }, [busy, reload])
  useEffect(() => {
    if (!busy) return
    const poll = async () => {
      for (const id of draining) {
        const r = await getDisk(id).catch(() => null)
        if (r?.drain) setDrains((s) => ({ ...s, [id]: r.drain! }))
      }
      await reload()
    }
    void poll()
    const t = setInterval(poll, 2000)
    return () => clearInterval(t)
  }, [busy, draining.join(','), reload])

  const done = () => {
    setAction(null)
    void reload()
  }
  const disks = data?.disks ?? []
  return (
    <section className="disks-page" aria-labelledby="disks-title">
      <h2 id="disks-title">Disks</h2>
      <p className="muted small">Every object is stored as several copies on different disks. Add a new disk here, empty one before taking it out, or replace one that failed.</p>
      {error && <p className="error" role="alert">{error}</p>}
      {data === undefined && !error && <p className="muted">Looking for disks…</p>}
      {data === null && <p className="notice">This appliance stores objects in its built-in storage (its data directory): there are no disks to manage.</p>}
      {data && disks.length === 0 && <p className="notice">No disks found.</p>}
      {disks.length > 0 && (
        <div className="table-wrap">
          <table className="table disks-table">
            <caption className="sr-only">Disks of this appliance</caption>
            <thead>
              <tr><th scope="col">Disk</th><th scope="col">Model and serial</th><th scope="col">Size</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Ring</th><th scope="col">Actions</th></tr>
            </thead>
            <tbody>
              {disks.map((d) => (
                <DiskRow key={d.id} disk={d} job={data?.jobs[d.id]} drain={drains[d.id]} onAction={(kind) => setAction({ kind, disk: d })} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {action?.kind === 'prepare' && <PrepareDialog disk={action.disk} job={data?.jobs[action.disk.id]} onClose={done} />}
      {action?.kind === 'drain' && <DrainDialog disk={action.disk} onDrained={(left) => setDrains((x) => ({ ...x, [action.disk.id]: left }))} onClose={done} />}
      {action?.kind === 'remove' && <RemoveDialog disk={action.disk} onClose={done} />}
      {action?.kind === 'replace' && <ReplaceDialog disk={action.disk} blanks={disks.filter((x) => isBlank(x) && x.id !== action.disk.id)} onClose={done} />}
    </section>
  )
}

function DiskRow(p: { disk: DiskView; job: DiskJob | undefined; drain: DrainStatus | undefined; onAction: (kind: Action['kind']) => void }) {
  const d = p.disk
  const v = d.velox
  const s = stateOf(d, p.job)
  const name = d.hctl ? `bay ${d.hctl}` : d.path || d.id
  const health = v?.deviceName ?? d.path.split('/').pop() ?? d.id
  const retry = s.text === 'burn-in failed' || s.text === 'burn-in interrupted'
  const parts = v?.partitions ? Object.entries(v.partitions).filter(([k]) => k === 'object' || k.startsWith('object-')).reduce((a, [, n]) => a + n, 0) : null
  const btn = (kind: Action['kind'], label: string, danger = false) => (
    <button type="button" className={`btn btn-small ${danger ? 'btn-danger' : ''}`} aria-label={`${label} ${d.path || d.id}`} onClick={() => p.onAction(kind)}>{label}</button>
  )
  return (
    <tr data-disk={d.id}>
      <td data-label="Disk">
        <a {...linkProps(`/admin/disks/${encodeURIComponent(health)}`)} title="Health of this disk">{name}</a>
        {d.hctl && <div className="small muted">{d.path}</div>}
        {v && <div className="small muted">{v.deviceName}</div>}
      </td>
      <td data-label="Model and serial">{d.model || '—'}<div className="small muted">{d.serial ?? 'no serial'}</div></td>
      <td data-label="Size" className="num">{formatBytes(d.sizeBytes)}</td>
      <td data-label="Type">{MEDIA[d.media] ?? d.media}{d.transport ? <span className="small muted"> {d.transport}</span> : null}</td>
      <td data-label="State">
        <span className={`disk-state ${s.bad ? 'disk-state-bad' : ''}`} data-testid="disk-state">{s.text}</span>
        {s.detail && <div className="small muted">{s.detail}</div>}
        {p.job?.state === 'running' && <progress max={100} value={Math.round(p.job.progress * 100)} aria-label={`Burn-in of ${d.path || d.id}`} />}
        {v?.state === 'draining' && p.drain && (
          <div className="small" data-testid="drain-left">
            still to move: {plural(p.drain.partitionsOnDisk, 'partition')}, {formatBytes(p.drain.bytesOnDisk)}
            {p.drain.ringPartitions > 0 && <>; {plural(p.drain.ringPartitions, 'partition')} not yet given to other disks</>}
          </div>
        )}
      </td>
      <td data-label="Ring">{v && v.state !== 'formatted' ? <>weight {v.weight.toFixed(4)}{parts !== null && <div className="small muted">{plural(parts, 'partition')}</div>}</> : <span className="muted">—</span>}</td>
      <td data-label="Actions">
        <div className="disk-actions">
          {isBlank(d) && p.job?.state !== 'running' && btn('prepare', retry ? 'Run again' : v?.state === 'formatted' ? 'Add' : 'Prepare')}
          {v?.state === 'in-ring' && btn('drain', 'Drain')}
          {(v?.state === 'in-ring' || v?.state === 'draining' || v?.state === 'failed') && btn('replace', 'Replace')}
          {(v?.state === 'drained' || v?.state === 'failed') && btn('remove', 'Remove', true)}
        </div>
      </td>
    </tr>
  )
}
