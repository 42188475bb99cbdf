/**
 * The Disks tab's dialogs: Prepare (burn-in with phase, % and MB/s → format → add, the serial
 * typed back when the disk has data, an optional gradual ramp; also "Run again" after a failed
 * or interrupted burn-in), Drain, Remove and Replace (a blank disk tested and added, then the
 * old one's bay and serial to pull and its locate LED). Refusals are the server's own words.
 */
import { useState, type FormEvent } from 'react'
import { burnIn, prepareDisk, removeDisk, drainDisk, replaceDisk, type DiskJob, type DiskView, type DrainStatus, type ReplaceResult } from '../api/disks'
import { ConfirmDialog, Dialog } from '../ui/dialog'
import { formatBytes } from '../ui/format'

const RAMP = 25
const label = (d: DiskView) => `${d.hctl ? `bay ${d.hctl} ` : ''}${d.path || d.id}${d.serial ? ` (serial ${d.serial})` : ''}`

/** A burn-in's progress as a person reads it: phase, a bar, % and MB/s. */
function JobProgress(p: { text: string; job?: DiskJob }) {
  const pct = p.job ? Math.round(p.job.progress * 100) : undefined
  return (
    <div className="disk-progress" role="status">
      <p data-testid="prepare-progress">{p.text}{p.job?.state === 'running' && p.job.mbps ? ` · ${p.job.mbps} MB/s` : ''}</p>
      {p.job?.state === 'running' && <progress max={100} value={pct} aria-label="Burn-in progress" />}
    </div>
  )
}

function SerialInput(p: { disk: DiskView; value: string; onChange: (v: string) => void }) {
  return (
    <label className="disk-confirm">
      <span className="error">{p.disk.holdsOs ? 'This disk holds the operating system.' : 'This disk has data on it: preparing it erases it.'}</span>
      <span>Type its {p.disk.serial ? 'serial' : 'id'} <code>{p.disk.confirmWith}</code> to confirm</span>
      <input aria-label={`Serial of ${p.disk.path || p.disk.id}`} value={p.value} onChange={(e) => p.onChange(e.target.value)} autoComplete="off" spellCheck={false} />
    </label>
  )
}

function useRun() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (err) {
      setError((err as Error).message)
    }
    setBusy(false)
  }
  return { busy, error, run }
}

export function PrepareDialog(p: { disk: DiskView; job?: DiskJob; onClose: () => void }) {
  const d = p.disk
  const [serial, setSerial] = useState('')
  const [gradual, setGradual] = useState(false)
  const [progress, setProgress] = useState<{ text: string; job?: DiskJob } | null>(null)
  const [finished, setFinished] = useState(false)
  const { busy, error, run } = useRun()
  const askSerial = d.needsConfirmation && !d.velox
  const previous = p.job && (p.job.state === 'failed' || p.job.state === 'interrupted') ? p.job : null
  const submit = (e: FormEvent) => {
    e.preventDefault()
    void run(async () => {
      await prepareDisk(d, { confirmSerial: serial, rampPercent: gradual ? RAMP : undefined }, (text, job) => setProgress({ text, job }))
      setFinished(true)
    })
  }
  return (
    <Dialog title={`Prepare ${d.path || d.id}`} onClose={busy ? () => undefined : p.onClose}>
      <form onSubmit={submit}>
        <p>{label(d)}, {formatBytes(d.sizeBytes)}.</p>
        {previous && <p className="error" data-testid="previous-burn-in">The last burn-in {previous.state === 'interrupted' ? 'was interrupted' : 'failed'}: {previous.message}</p>}
        {!d.velox && <p>The disk is tested first (a sample of it is written and read back), then formatted, then added to the storage. Anything on it is erased.</p>}
        {askSerial && !finished && <SerialInput disk={d} value={serial} onChange={setSerial} />}
        {!finished && <label><input type="checkbox" checked={gradual} onChange={(e) => setGradual(e.target.checked)} disabled={busy} /> Add gradually ({RAMP} % steps), so that moving data to a big disk does not slow the appliance down</label>}
        {progress && <JobProgress {...progress} />}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-actions">
          {finished ? (
            <button type="button" className="btn btn-primary" onClick={p.onClose} autoFocus>Close</button>
          ) : (
            <>
              <button type="button" className="btn" onClick={p.onClose} disabled={busy}>Cancel</button>
              <button type="submit" className="btn btn-primary" disabled={busy || (askSerial && !serial)}>{busy ? 'Working…' : previous ? 'Run again' : 'Prepare'}</button>
            </>
          )}
        </div>
      </form>
    </Dialog>
  )
}

/** `onDrained` hears what the disk holds as the drain starts (shown before the first poll). */
export function DrainDialog(p: { disk: DiskView; onDrained: (left: DrainStatus) => void; onClose: () => void }) {
  return (
    <ConfirmDialog
      title={`Drain ${p.disk.path || p.disk.id}`}
      message={
        <>
          <p>{label(p.disk)}</p>
          <p>The data on this disk moves to the other disks first; every object keeps all its copies the whole time. This can take a while: the table shows what is still to move. When the disk is drained, you can remove it.</p>
        </>
      }
      confirm="Drain"
      onConfirm={async () => p.onDrained((await drainDisk(p.disk.id)).drain)}
      onClose={p.onClose}
    />
  )
}

export function RemoveDialog(p: { disk: DiskView; onClose: () => void }) {
  return (
    <ConfirmDialog
      title={`Remove ${p.disk.path || p.disk.id}`}
      message={<p>{label(p.disk)} is taken out of the storage and unmounted. Afterwards you can pull it out of the appliance.</p>}
      confirm="Remove"
      danger
      onConfirm={async () => void (await removeDisk(p.disk.id))}
      onClose={p.onClose}
    />
  )
}

export function ReplaceDialog(p: { disk: DiskView; blanks: DiskView[]; onClose: () => void }) {
  const [chosen, setChosen] = useState<DiskView | null>(p.blanks.length === 1 ? p.blanks[0]! : null)
  const [serial, setSerial] = useState('')
  const [progress, setProgress] = useState<{ text: string; job?: DiskJob } | null>(null)
  const [result, setResult] = useState<ReplaceResult | null>(null)
  const { busy, error, run } = useRun()
  const askSerial = !!chosen && chosen.needsConfirmation && !chosen.velox
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!chosen) return
    void run(async () => {
      if (!chosen.burnIn?.passed && !chosen.velox) await burnIn(chosen, serial, (job) => setProgress({ text: `burn-in of the new disk: ${job.phase} ${Math.round(job.progress * 100)} %`, job }))
      setProgress({ text: 'formatting and adding the new disk, draining the old one' })
      setResult(await replaceDisk(p.disk.id, chosen, { confirmSerial: serial }))
      setProgress(null)
    })
  }
  return (
    <Dialog title={`Replace ${p.disk.path || p.disk.id}`} onClose={busy ? () => undefined : p.onClose}>
      <form onSubmit={submit}>
        <p>Replacing {label(p.disk)}: the new disk is tested, formatted and added; then the data on the old one moves to the other disks.</p>
        {result ? (
          <div className="notice" data-testid="replace-result">
            <p>The new disk is in storage. When the old disk shows <strong>drained</strong>, remove it here, then pull it out: <strong>{result.old.bay ? `bay ${result.old.bay}` : result.old.path || result.old.id}</strong>, serial <strong>{result.old.serial ?? 'none (the disk reports no serial)'}</strong>.</p>
            <p className="small">{result.locateLed.ok ? 'Its locate light is blinking.' : `Its locate light cannot be blinked: ${result.locateLed.message}`}</p>
          </div>
        ) : p.blanks.length === 0 ? (
          <p className="notice">There is no blank disk to replace it with: put a new disk in first.</p>
        ) : (
          <fieldset disabled={busy}>
            <legend>New disk</legend>
            {p.blanks.map((b) => (
              <label key={b.id}><input type="radio" name="replacement" checked={chosen?.id === b.id} onChange={() => setChosen(b)} /> {label(b)}, {formatBytes(b.sizeBytes)}</label>
            ))}
          </fieldset>
        )}
        {askSerial && !result && <SerialInput disk={chosen} value={serial} onChange={setSerial} />}
        {progress && <JobProgress {...progress} />}
        {error && <p className="error" role="alert">{error}</p>}
        <div className="dialog-actions">
          {result ? (
            <button type="button" className="btn btn-primary" onClick={p.onClose} autoFocus>Close</button>
          ) : (
            <>
              <button type="button" className="btn" onClick={p.onClose} disabled={busy}>Cancel</button>
              <button type="submit" className="btn btn-primary" disabled={busy || !chosen || (askSerial && !serial)}>{busy ? 'Working…' : 'Replace'}</button>
            </>
          )}
        </div>
      </form>
    </Dialog>
  )
}
