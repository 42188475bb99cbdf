/**
 * A time-series chart (uPlot): one or more metrics of the history API over the last hour,
 * day or week. Drag across it to zoom into a span; "Reset zoom" goes back. Fixed height so
 * the page never jumps while data loads.
 */
import { useEffect, useRef, useState } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { getHistory, type Range } from './api'

const COLOURS = ['#2f6fed', '#e0792c', '#2e9e5b', '#a347c8', '#c4331e', '#0c8fa3']
const HEIGHT = 180

export function Chart(props: { title: string; metrics: string[]; labels?: string[]; range: Range; format?: (v: number) => string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const [zoomed, setZoomed] = useState(false)
  const [empty, setEmpty] = useState(false)
  const key = props.metrics.join(',')

  useEffect(() => {
    let alive = true
    const load = async () => {
      const series = await getHistory(props.metrics, props.range).catch(() => [])
      if (!alive || !box.current) return
      const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b)
      const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => {
        const by = new Map(s.points.map((p) => [p.t, p.avg]))
        return times.map((t) => by.get(t) ?? null)
      })]
      setEmpty(times.length === 0)
      const fmt = props.format ?? ((v: number) => String(Math.round(v * 10) / 10))
      const opts: uPlot.Options = {
        width: box.current.clientWidth || 300,
        height: HEIGHT,
        cursor: { drag: { x: true, y: false } },
        legend: { show: true },
        scales: { x: { time: true } },
        axes: [{ stroke: '#98a2b3' }, { stroke: '#98a2b3', size: 70, values: (_u, vals) => vals.map((v) => (v === null ? '' : fmt(v))) }],
        series: [{}, ...props.metrics.map((m, i) => ({ label: props.labels?.[i] ?? m, stroke: COLOURS[i % COLOURS.length], width: 1.5, value: (_u: uPlot, v: number | null) => (v === null ? '—' : fmt(v)) }))],
        hooks: {
          setScale: [
            (u, scale) => {
              if (scale !== 'x' || times.length < 2) return
              const min = u.scales.x.min ?? 0
              const max = u.scales.x.max ?? 0
              setZoomed(min > times[0] / 1000 + 1 || max < times[times.length - 1] / 1000 - 1)
            },
          ],
        },
      }
      plot.current?.destroy()
      plot.current = new uPlot(opts, data, box.current)
      setZoomed(false)
    }
    load()
    const every = setInterval(() => !zoomedRef.current && load(), props.range === 'hour' ? 15_000 : 120_000)
    const onResize = () => plot.current && box.current && plot.current.setSize({ width: box.current.clientWidth, height: HEIGHT })
    window.addEventListener('resize', onResize)
    return () => {
      alive = false
      clearInterval(every)
      window.removeEventListener('resize', onResize)
      plot.current?.destroy()
      plot.current = null
    }
  }, [key, props.range])

  const zoomedRef = useRef(false)
  zoomedRef.current = zoomed

  const reset = () => {
    const u = plot.current
    if (!u) return
    const xs = u.data[0]
    u.setScale('x', { min: xs[0], max: xs[xs.length - 1] })
    setZoomed(false)
  }

  return (
    <section className="hc-card hc-chart" data-testid={props.testId}>
      <div className="hc-card-head">
        <h3>{props.title}</h3>
        {zoomed && <button className="btn btn-small" onClick={reset}>Reset zoom</button>}
      </div>
      <div ref={box} className="hc-plot" style={{ minHeight: HEIGHT + 40 }} />
      {empty && <p className="muted small hc-empty">No samples in this range yet.</p>}
    </section>
  )
}
