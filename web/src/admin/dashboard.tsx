/**
 * The dashboard: the box's health in one screen — each disk with its score, temperatures,
 * capacity, network links, current throughput, replication and the active alerts — then charts of the
 * last hour, day or week. Every card has a fixed shape so live updates never move the layout.
 */
import { useState } from 'react'
import { linkProps } from '../ui/router'
import type { DiskState, Range, Summary } from './api'
import { Chart } from './chart'
import { ago, bytes, namesOf, pct, rate, temp } from './format'

export function ScoreBadge(props: { disk: DiskState }) {
  const s = props.disk.score
  return <span className={`hc-score hc-${s.status}`} title={s.reasons.join('\n')}>{s.status === 'unknown' ? '—' : s.score}</span>
}

function overall(s: Summary): { cls: string; text: string } {
  const failing = s.disks.filter((d) => d.score.status === 'failing')
  const critical = s.alerts.filter((a) => a.severity === 'critical' && a.state !== 'resolved')
  if (failing.length || critical.length) return { cls: 'hc-failing', text: `Needs attention: ${[...failing.map((d) => `disk ${d.device} failing`), ...critical.filter((a) => !failing.some((d) => a.key.endsWith(`:${d.device}`))).map((a) => a.message)].join('; ')}` }
  if (s.alerts.length || s.disks.some((d) => d.score.status === 'warning')) return { cls: 'hc-warning', text: `${s.alerts.length} alert${s.alerts.length === 1 ? '' : 's'} to look at` }
  return { cls: 'hc-ok', text: 'Healthy' }
}

export function Dashboard(props: { summary: Summary | null }) {
  const [range, setRange] = useState<Range>('hour')
  const s = props.summary
  if (!s) return <p className="muted">Loading health…</p>
  const v = s.values
  const links = namesOf(v, 'net', 'up').filter((n) => n !== 'lo')
  const fss = namesOf(v, 'fs', 'used_pct')
  const ios = namesOf(v, 'io', 'read_bytes_per_s')
  const sum = (suffix: string) => ios.reduce((a, d) => a + (v[`io.${d}.${suffix}`] ?? 0), 0)
  const reqs = Object.entries(v).filter(([k]) => k.startsWith('swift.requests.')).reduce((a, [, n]) => a + n, 0)
  const st = overall(s)
  return (
    <div className="hc-dash">
      <p className={`hc-status ${st.cls}`} role="status" data-testid="overall-status">{st.text}</p>
      <div className="hc-grid">
        <section className="hc-card hc-wide">
          <h3>Disks</h3>
          {s.disks.length === 0 ? <p className="muted small">No disk answers SMART here.</p> : (
            <table className="hc-table" data-testid="disks">
              <thead><tr><th>Disk</th><th>Model</th><th>Score</th><th>Temp</th><th>Why</th></tr></thead>
              <tbody>
                {s.disks.map((d) => (
                  <tr key={d.device} className={`hc-row-${d.score.status}`}>
                    <td><a {...linkProps(`/admin/disks/${encodeURIComponent(d.device)}`)}>{d.device}</a></td>
                    <td className="hc-ellipsis">{d.report.model || '—'}</td>
                    <td><ScoreBadge disk={d} /></td>
                    <td>{temp(d.report.temperatureC)}</td>
                    <td className="small hc-ellipsis">{d.score.reasons.slice(0, 2).join('; ') || 'fine'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="hc-card">
          <h3>Active alerts</h3>
          {s.alerts.length === 0 ? <p className="muted small">None.</p> : (
            <ul className="hc-alerts-mini" data-testid="active-alerts">
              {s.alerts.slice(0, 5).map((a) => (
                <li key={a.id} className={`hc-sev-${a.severity}`}><a {...linkProps(a.link)}>{a.message}</a> <span className="muted small">{a.state}</span></li>
              ))}
              {s.alerts.length > 5 && <li><a {...linkProps('/admin/alerts')}>{s.alerts.length - 5} more…</a></li>}
            </ul>
          )}
        </section>
        <section className="hc-card">
          <h3>Temperatures</h3>
          <dl className="hc-kv">
            <dt>CPU</dt><dd>{temp(v['temp.cpu_c'])}</dd>
            <dt>Chipset</dt><dd>{temp(v['temp.chipset_c'])}</dd>
            {s.disks.map((d) => [<dt key={`t${d.device}`}>{d.device}</dt>, <dd key={`v${d.device}`}>{temp(d.report.temperatureC)}</dd>])}
          </dl>
        </section>
        <section className="hc-card">
          <h3>Capacity</h3>
          {fss.map((f) => (
            <div key={f} className="hc-bar-row">
              <span>{f}</span>
              <span className="hc-bar"><span style={{ width: `${Math.min(100, v[`fs.${f}.used_pct`])}%` }} className={v[`fs.${f}.used_pct`] >= 90 ? 'hc-bar-crit' : v[`fs.${f}.used_pct`] >= 80 ? 'hc-bar-warn' : ''} /></span>
              <span className="small">{pct(v[`fs.${f}.used_pct`])} of {bytes(v[`fs.${f}.size_bytes`])}</span>
            </div>
          ))}
        </section>
        <section className="hc-card">
          <h3>Network</h3>
          <table className="hc-table">
            <tbody>
              {links.map((n) => (
                <tr key={n}>
                  <td><a {...linkProps(`/admin/network/${encodeURIComponent(n)}`)}>{n}</a></td>
                  <td>{v[`net.${n}.up`] ? <span className="hc-up">up</span> : <span className="hc-down">down</span>}</td>
                  <td className="small">{v[`net.${n}.speed_mbps`] ? `${v[`net.${n}.speed_mbps`]} Mb/s` : 'speed n/a'}</td>
                  <td className="small">↓ {rate(v[`net.${n}.rx_bytes_per_s`])} ↑ {rate(v[`net.${n}.tx_bytes_per_s`])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="hc-card">
          <h3>Now</h3>
          <dl className="hc-kv">
            <dt>CPU</dt><dd>{pct(v['cpu.load_pct'])}</dd>
            <dt>Memory</dt><dd>{pct(v['mem.used_pct'])} of {bytes(v['mem.total_bytes'])}</dd>
            <dt>Disk read</dt><dd>{rate(sum('read_bytes_per_s'))}</dd>
            <dt>Disk write</dt><dd>{rate(sum('write_bytes_per_s'))}</dd>
            <dt>Swift</dt><dd>{reqs.toFixed(1)} req/s</dd>
            <dt>Velox RSS</dt><dd>{bytes(v['process.rss_bytes'])}</dd>
          </dl>
        </section>
        <section className="hc-card" data-testid="replication">
          <h3>Replication</h3>
          <dl className="hc-kv">
            <dt>Backlog</dt><dd>{v['storage.replication_backlog'] === undefined ? '—' : `${v['storage.replication_backlog']} partition${v['storage.replication_backlog'] === 1 ? '' : 's'} to hand off`}</dd>
            <dt>Last pass</dt><dd>{v['storage.replication.last_pass_age_s'] === undefined ? 'none yet' : `${ago(s.at - v['storage.replication.last_pass_age_s'] * 1000, s.at)}, ${v['storage.replication.last_pass_s'].toFixed(1)} s`}</dd>
            <dt>Pushed</dt><dd>{v['storage.replication.last_pass_objects_pushed'] ?? '—'} objects</dd>
            <dt>Errors</dt><dd className={v['storage.replication.last_pass_errors'] ? 'error' : ''}>{v['storage.replication.last_pass_errors'] ?? '—'}</dd>
          </dl>
        </section>
      </div>
      <div className="hc-range" role="group" aria-label="Chart range">
        {(['hour', 'day', 'week'] as Range[]).map((r) => (
          <button key={r} className={`btn btn-small ${range === r ? 'btn-primary' : ''}`} aria-pressed={range === r} onClick={() => setRange(r)}>Last {r}</button>
        ))}
      </div>
      <div className="hc-charts">
        <Chart title="CPU %" metrics={['cpu.load_pct']} labels={['CPU']} range={range} testId="chart-cpu" />
        <Chart title="Memory" metrics={['mem.used_bytes']} labels={['used']} range={range} format={bytes} />
        <Chart title="Network" metrics={links.flatMap((n) => [`net.${n}.rx_bytes_per_s`, `net.${n}.tx_bytes_per_s`]).slice(0, 6)} labels={links.flatMap((n) => [`${n} in`, `${n} out`])} range={range} format={rate} />
        <Chart title="Replication backlog" metrics={['storage.replication_backlog']} labels={['partitions']} range={range} />
        <Chart title="Disk I/O" metrics={ios.flatMap((d) => [`io.${d}.read_bytes_per_s`, `io.${d}.write_bytes_per_s`]).slice(0, 6)} labels={ios.flatMap((d) => [`${d} read`, `${d} write`])} range={range} format={rate} />
      </div>
    </div>
  )
}
