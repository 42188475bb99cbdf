/**
 * Renaming a container (a top-level folder) from the app: the server runs it as a job
 * (/api/container-renames, appliance/src/files/container-rename.ts) that keeps the
 * container's settings and share links and goes on after a reload or a restart. The dialog
 * asks for the name, then follows the job's progress; the containers page lists unfinished
 * renames (after a reload) with their progress, and "Continue" or "Leave it" (both
 * containers stay as they are) for one an error stopped.
 */
import { useEffect, useState, type FormEvent } from 'react'
import type { RenameJob } from '../../../appliance/src/files/container-rename'
import { request, requestJson } from '../api/http'
import { Dialog } from '../ui/dialog'
import './container-rename.css'

const API = '/api/container-renames'
const POLL_MS = 700

const startRename = (from: string, to: string) => requestJson<RenameJob>(API, { method: 'POST', json: { from, to } })
const jobOf = (id: string) => requestJson<RenameJob>(`${API}/${encodeURIComponent(id)}`, { cache: 'no-store' })
const resumeJob = (id: string) => requestJson<RenameJob>(`${API}/${encodeURIComponent(id)}/resume`, { method: 'POST' })
const leaveJob = (id: string) => request(`${API}/${encodeURIComponent(id)}`, { method: 'DELETE' })
const openJobs = () => requestJson<{ jobs: RenameJob[] }>(API, { cache: 'no-store' }).then((r) => r.jobs)

/** Follows a job until it is done or stopped; `job` is undefined until it is known. */
function useJob(initial: RenameJob | undefined): [RenameJob | undefined, (j: RenameJob) => void] {
  const [job, setJob] = useState(initial)
  useEffect(() => {
    if (!job || job.state !== 'running') return
    const t = setTimeout(() => void jobOf(job.id).then(setJob, () => setJob({ ...job })), POLL_MS)
    return () => clearTimeout(t)
  }, [job])
  return [job, setJob]
}

/** What a finished rename did, in a sentence. */
export function renameSummary(job: RenameJob): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`
  const shares = job.repointed ? `; ${n(job.repointed.links, 'share link')} and ${n(job.repointed.userShares, 'user share')} now point at “${job.to}”` : ''
  return `Renamed “${job.from}” to “${job.to}”: ${n(job.moved, 'file')} moved${shares}.`
}

function RenameProgress(props: { job: RenameJob; onResume: () => void; onLeave: () => void }) {
  const { job } = props
  const total = Math.max(job.total, job.moved)
  const status =
    job.state === 'done'
      ? renameSummary(job)
      : job.state === 'failed'
        ? `Renaming “${job.from}” to “${job.to}” stopped after ${job.moved} of ${total} files: ${(job.error ?? 'unknown error').replace(/\.+$/, '')}. Nothing was lost: the files not yet moved are still in “${job.from}”.`
        : job.step === 'finishing'
          ? `All ${job.moved} files moved; re-pointing share links and removing “${job.from}”…`
          : `Moving files into “${job.to}”: ${job.moved} of ${total}…`
  return (
    <div className="rename-progress">
      <progress max={total || 1} value={job.state === 'done' ? total || 1 : job.moved} aria-label={`Renaming ${job.from} to ${job.to}`} />
      <p role="status" className={job.state === 'failed' ? 'error' : undefined}>{status}</p>
      {job.state === 'failed' && (
        <div className="rename-actions">
          <button type="button" className="btn btn-primary" onClick={props.onResume}>Continue</button>
          <button type="button" className="btn" onClick={props.onLeave} title={`Keep “${job.from}” and “${job.to}” as they are now`}>Leave it</button>
        </div>
      )}
    </div>
  )
}

/**
 * The rename dialog: the new name, then the job's progress until it is done (`onDone`, the
 * page says what it did) or an error stops it (Continue). Closing it leaves the job running.
 */
export function ContainerRenameDialog(props: { from: string; onClose: () => void; onDone: (job: RenameJob) => void }) {
  const [value, setValue] = useState(props.from)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [job, setJob] = useJob(undefined)
  useEffect(() => {
    if (job?.state === 'done') props.onDone(job)
  }, [job?.state])
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const to = value.trim()
    if (!to || to.includes('/')) return setError('A container name has no “/”.')
    if (to === props.from) return setError('That is its name already.')
    setBusy(true)
    setError(null)
    try {
      setJob(await startRename(props.from, to))
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const resume = () => void (job && resumeJob(job.id).then(setJob, (err: Error) => setError(err.message)))
  const leave = () => void (job && leaveJob(job.id).then(props.onClose, (err: Error) => setError(err.message)))
  return (
    <Dialog title={`Rename container “${props.from}”`} onClose={props.onClose}>
      {!job ? (
        <form onSubmit={submit}>
          <label>
            New name
            <input value={value} onChange={(e) => setValue(e.target.value)} autoFocus onFocus={(e) => e.target.select()} required />
          </label>
          <p className="muted small">
            Swift cannot rename a container: the appliance makes a new one with the same access lists, settings, storage policy and versioning, moves every file into it, points the share links at it, then deletes the old one. Earlier versions and the Trash of the old container are not moved. It goes on if you close this page.
          </p>
          {error && <p className="error" role="alert">{error}</p>}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={props.onClose}>Cancel</button>
            <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Starting…' : 'Rename'}</button>
          </div>
        </form>
      ) : (
        <>
          <RenameProgress job={job} onResume={resume} onLeave={leave} />
          {error && <p className="error" role="alert">{error}</p>}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={props.onClose} autoFocus>{job.state === 'running' ? 'Hide (it goes on)' : 'Close'}</button>
          </div>
        </>
      )}
    </Dialog>
  )
}

/** One unfinished rename on the containers page. */
function OpenRename(props: { job: RenameJob; onDone: () => void; onLeft: () => void }) {
  const [job, setJob] = useJob(props.job)
  useEffect(() => {
    if (job?.state === 'done') props.onDone()
  }, [job?.state])
  if (!job) return null
  return (
    <li className="rename-job">
      <RenameProgress job={job} onResume={() => void resumeJob(job.id).then(setJob, () => undefined)} onLeave={() => void leaveJob(job.id).then(props.onLeft, () => undefined)} />
    </li>
  )
}

/** The signed-in user's unfinished renames, asked once when the containers page opens. */
export function OpenRenames(props: { onDone: () => void }) {
  const [jobs, setJobs] = useState<RenameJob[]>([])
  useEffect(() => {
    void openJobs().then(setJobs, () => setJobs([]))
  }, [])
  if (!jobs.length) return null
  return (
    <section className="rename-jobs" aria-label="Container renames in progress">
      <ul>{jobs.map((j) => <OpenRename key={j.id} job={j} onDone={props.onDone} onLeft={() => setJobs((all) => all.filter((x) => x.id !== j.id))} />)}</ul>
    </section>
  )
}
