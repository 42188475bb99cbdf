/** One network interface: link state and speed now, and its traffic and errors over time. */
import { useState } from 'react'
import { linkProps } from '../ui/router'
import type { Range, Summary } from './api'
import { Chart } from './chart'
import { rate } from './format'

export function NetworkPage(props: { name: string; summary: Summary | null }) {
  const [range, setRange] = useState<Range>('hour')
  const v = props.summary?.values ?? {}
  const k = (s: string) => `net.${props.name}.${s}`
  return (
    <div>
      <p><a {...linkProps('/admin')}>← Health</a></p>
      <h2>Interface {props.name}</h2>
      <p className="muted">{v[k('up')] ? 'link up' : 'link down'} · {v[k('speed_mbps')] ? `${v[k('speed_mbps')]} Mb/s` : 'speed not reported'} · ↓ {rate(v[k('rx_bytes_per_s')])} ↑ {rate(v[k('tx_bytes_per_s')])}</p>
      <div className="hc-range" role="group" aria-label="Chart range">
        {(['hour', 'day', 'week'] as Range[]).map((r) => <button key={r} className={`btn btn-small ${range === r ? 'btn-primary' : ''}`} onClick={() => setRange(r)}>Last {r}</button>)}
      </div>
      <div className="hc-charts">
        <Chart title="Traffic" metrics={[k('rx_bytes_per_s'), k('tx_bytes_per_s')]} labels={['in', 'out']} range={range} format={rate} />
        <Chart title="Packets/s" metrics={[k('rx_packets_per_s'), k('tx_packets_per_s')]} labels={['in', 'out']} range={range} />
        <Chart title="Errors and drops/s" metrics={[k('rx_errors_per_s'), k('tx_errors_per_s'), k('rx_drops_per_s'), k('tx_drops_per_s')]} labels={['rx errors', 'tx errors', 'rx drops', 'tx drops']} range={range} />
      </div>
    </div>
  )
}
