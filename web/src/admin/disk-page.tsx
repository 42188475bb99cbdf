/**
 * One disk: its score and the reasons, SMART identity and the attribute table, the last
 * self-tests, the history of its score and temperature, and what it holds (its ring devices'
 * partitions, objects and bytes, and the replicator's last pass); "Read SMART now" polls at
 * once. A ring device without SMART (a VM's disk, a loop device) shows what it holds only.
 */
import { useEffect, useState } from 'react'
import { linkProps } from '../ui/router'
import { getDisk, getHolds, readSmartNow, type DiskState, type Holdings, type ReplicationView, type SmartReport, type Range, type Summary } from './api'
import { Chart } from './chart'
import { ScoreBadge } from './dashboard'
import { ago, bytes, temp } from './format'

const FIGURES: [keyof SmartReport, string][] = [
  ['reallocatedSectors', 'Reallocated sectors'], ['pendingSectors', 'Pending sectors'], ['offlineUncorrectable', 'Offline uncorrectable'],
  ['crcErrors', 'Interface CRC errors'], ['grownDefects', 'Grown defects'], ['uncorrectedErrors', 'Uncorrected errors'],
  ['nvmeMediaErrors', 'Media errors'], ['nvmePercentageUsed', 'Endurance used (%)'], ['nvmeAvailableSpare', 'Available spare (%)'], ['powerOnHours', 'Power-on hours'],
]

export function DiskPage(props: { device: string; summary: Summary | null }) {
  const [disk, setDisk] = useState<DiskState | null>(null)
  const [holds, setHolds] = useState<{ devices: Holdings[]; replication?: ReplicationView } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [range, setRange] = useState<Range>('week')
  const live = props.summary?.disks.find((d) => d.device === props.device)
  useEffect(() => {
    getDisk(props.device).then(setDisk, (e: Error) => setError(e.message))
    getHolds(props.device).then(setHolds, () => setHolds(null))
  }, [props.device, live?.at])
  const d = disk
  return (
    <div className="hc-disk">
      <p><a {...linkProps('/admin')}>← Health</a></p>
      {error && !holds?.devices.length && <p className="error">{error}</p>}
      {!d && holds && holds.devices.length > 0 && <h2>Ring device {props.device}</h2>}
      {holds && <HoldsCard holds={holds} />}
      {d && (
        <>
          <h2>Disk {d.device} <ScoreBadge disk={d} /></h2>
          <p className="muted">{d.report.model} · serial {d.report.serial || '—'} · {d.report.protocol} · {bytes(d.report.capacityBytes)} · {temp(d.report.temperatureC)} · SMART {d.report.passed === undefined ? 'n/a' : d.report.passed ? 'PASSED' : 'FAILED'}</p>
          <section className="hc-card">
            <h3>Why this score</h3>
            {d.score.reasons.length ? <ul data-testid="disk-reasons">{d.score.reasons.map((r) => <li key={r}>{r}</li>)}</ul> : <p className="muted">Nothing to report.</p>}
            <button className="btn btn-small" onClick={() => readSmartNow().then(() => getDisk(props.device).then(setDisk))}>Read SMART now</button>
          </section>
          <div className="hc-grid">
            <section className="hc-card">
              <h3>Predictive figures</h3>
              <dl className="hc-kv">
                {FIGURES.filter(([k]) => d.report[k] !== undefined).map(([k, label]) => [<dt key={`l${k}`}>{label}</dt>, <dd key={`v${k}`}>{String(d.report[k])}</dd>])}
              </dl>
            </section>
            <section className="hc-card">
              <h3>Self-tests</h3>
              {d.report.selfTests.length === 0 ? <p className="muted small">None logged.</p> : (
                <ul>{d.report.selfTests.map((t, i) => <li key={i} className={t.passed ? '' : 'error'}>{t.type}: {t.status}{t.hours !== undefined ? ` at ${t.hours} h` : ''}</li>)}</ul>
              )}
            </section>
          </div>
          {d.report.attributes.length > 0 && (
            <section className="hc-card hc-scroll">
              <h3>SMART attributes</h3>
              <table className="hc-table" data-testid="smart-table">
                <thead><tr><th>ID</th><th>Name</th><th>Value</th><th>Worst</th><th>Thresh</th><th>Raw</th><th>Failed</th></tr></thead>
                <tbody>{d.report.attributes.map((a) => <tr key={a.id} className={a.failed ? 'hc-row-failing' : ''}><td>{a.id}</td><td>{a.name}</td><td>{a.value}</td><td>{a.worst}</td><td>{a.thresh}</td><td>{a.raw}</td><td>{a.failed || ''}</td></tr>)}</tbody>
              </table>
            </section>
          )}
          <div className="hc-range" role="group" aria-label="Chart range">
            {(['day', 'week'] as Range[]).map((r) => <button key={r} className={`btn btn-small ${range === r ? 'btn-primary' : ''}`} onClick={() => setRange(r)}>Last {r}</button>)}
          </div>
          <div className="hc-charts">
            <Chart title="Score" metrics={[`disk.${d.device}.score`]} labels={['score']} range={range} />
            <Chart title="Temperature °C" metrics={[`disk.${d.device}.temp_c`]} labels={['°C']} range={range} />
          </div>
        </>
      )}
    </div>
  )
}

/** What the disk holds: one row per ring device on it, then the replicator's last pass. */
function HoldsCard(props: { holds: { devices: Holdings[]; replication?: ReplicationView } }) {
  const { devices, replication } = props.holds
  const last = replication?.last
  return (
    <section className="hc-card" data-testid="disk-holds">
      <h3>What it holds</h3>
      {devices.length === 0 ? <p className="muted small">No ring device on this disk.</p> : (
        <table className="hc-table">
          <thead><tr><th>Ring device</th><th>Partitions</th><th>Handoffs</th><th>Objects</th><th>Bytes</th></tr></thead>
          <tbody>
            {devices.map((h) => (
              <tr key={h.device} className={h.open ? '' : 'hc-row-failing'}>
                <td>{h.device}{h.open ? '' : ' (not open)'}</td>
                <td>{h.partitions}</td>
                <td>{h.handoffPartitions}</td>
                <td>{h.objects}{h.partial ? '+' : ''}</td>
                <td>{bytes(h.bytes)}{h.partial ? '+' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">
        Replicator: {last ? `last pass ${ago(Date.parse(last.startedAt) + last.elapsedMs)}, ${last.partitionsChecked} partitions checked, ${last.objectsPushed} objects pushed, ${last.errors} errors` : 'no pass finished yet'}
        {replication?.backlogPartitions !== undefined ? ` · backlog ${replication.backlogPartitions} partitions` : ''}
      </p>
    </section>
  )
}
