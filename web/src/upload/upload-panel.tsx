/** The uploads panel: overall progress with speed and time left, then one row per file. */
import { useState, useSyncExternalStore } from 'react'
import { formatBytes, formatDuration, formatSpeed } from '../ui/format'
import { CloseIcon } from '../ui/icons'
import { SEGMENT_SIZE, type UploadItem, type Uploader } from './uploader'

export function UploadPanel(props: { uploader: Uploader }) {
  const { uploader } = props
  const items = useSyncExternalStore((fn) => uploader.subscribe(fn), () => uploader.items())
  const [collapsed, setCollapsed] = useState(false)
  if (items.length === 0) return null
  const t = uploader.totals()
  const pct = t.size ? (t.loaded / t.size) * 100 : t.active ? 0 : 100
  // (totals leave cancelled files out: with only those left it would read "0 B of 0 B · done")
  const cancelled = items.filter((i) => i.status === 'cancelled').length
  const onlyCancelled = t.files === 0 && cancelled > 0
  return (
    <section className="upload-panel" aria-label="Uploads" data-active={t.active}>
      <header className="upload-head">
        <div className="upload-summary">
          <strong>{t.active ? `Uploading ${t.files - t.done - t.failed} of ${t.files}` : onlyCancelled ? 'Uploads cancelled' : `${t.done} uploaded${t.failed ? `, ${t.failed} failed` : ''}`}</strong>
          <span className="muted small" data-testid="upload-overall">
            {onlyCancelled ? `${cancelled} cancelled` : `${formatBytes(t.loaded)} of ${formatBytes(t.size)} · ${formatSpeed(t.bytesPerSec)} · ${t.active ? `${formatDuration(t.etaSec)} left` : 'done'}${cancelled ? ` · ${cancelled} cancelled` : ''}`}
          </span>
        </div>
        <button className="btn btn-ghost" onClick={() => setCollapsed(!collapsed)} aria-expanded={!collapsed}>{collapsed ? 'Show' : 'Hide'}</button>
        {t.active > 0 ? (
          <button className="btn btn-ghost" onClick={() => uploader.cancelAll()}>Cancel all</button>
        ) : (
          <button className="btn btn-ghost" onClick={() => uploader.clearFinished()} aria-label="Close uploads"><CloseIcon /></button>
        )}
      </header>
      <Progress value={pct} label="Overall progress" />
      {!collapsed && (
        <ul className="upload-list">
          {items.map((i) => <UploadRow key={i.id} item={i} uploader={uploader} />)}
        </ul>
      )}
    </section>
  )
}

function UploadRow(props: { item: UploadItem; uploader: Uploader }) {
  const { item: i, uploader } = props
  const pct = i.size ? (i.loaded / i.size) * 100 : i.status === 'done' ? 100 : 0
  let detail: string
  if (i.status === 'uploading') detail = `${formatBytes(i.loaded)} of ${formatBytes(i.size)} · ${formatSpeed(i.bytesPerSec)} · ${formatDuration(i.etaSec)} left${i.segmented ? ` · segment ${segmentShown(i)}/${i.segmentsTotal}` : ''}`
  else if (i.status === 'failed') detail = i.error ?? 'failed'
  else if (i.status === 'done') detail = formatBytes(i.size)
  else detail = `${i.status} · ${formatBytes(i.size)}`
  return (
    <li className={`upload-row status-${i.status}`} data-upload-name={i.object} data-status={i.status}>
      <div className="upload-row-text">
        <span className="upload-name" title={`${i.container}/${i.object}`}>{i.object}</span>
        <span className={`small ${i.status === 'failed' ? 'error' : 'muted'}`}>{i.retrying ?? detail}</span>
      </div>
      {(i.status === 'uploading' || i.status === 'queued') && <button className="btn btn-ghost small" onClick={() => uploader.cancel(i.id)} aria-label={`Cancel ${i.object}`}>Cancel</button>}
      {(i.status === 'failed' || i.status === 'cancelled') && <button className="btn btn-ghost small" onClick={() => uploader.retry(i.id)}>Retry</button>}
      <Progress value={pct} label={`Progress of ${i.object}`} />
    </li>
  )
}

/**
 * The segment being sent, from the bytes sent so far: four go at once and a segment counts
 * as done only at its end, so the count of finished ones trails the byte progress.
 */
function segmentShown(i: UploadItem): number {
  return Math.min(i.segmentsTotal, Math.max(i.segmentsDone, Math.floor(i.loaded / SEGMENT_SIZE) + 1))
}

function Progress(props: { value: number; label: string }) {
  const v = Math.max(0, Math.min(100, props.value))
  return (
    <div className="progress" role="progressbar" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(v)}>
      <div className="progress-bar" style={{ width: `${v}%` }} />
    </div>
  )
}
