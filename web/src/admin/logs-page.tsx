/**
 * The log viewer: Velox's JSON log by time range (a recent span, or a from/to range in local
 * time), lowest level, free text and request id. A request id in a line is a link that
 * follows that request across all its lines.
 */
import { useEffect, useState } from 'react'
import { searchLogs, type LogLine } from './api'

const CUSTOM = -1
const RANGES: [string, number][] = [['15 min', 15 * 60_000], ['1 hour', 3_600_000], ['1 day', 86_400_000], ['7 days', 7 * 86_400_000], ['all', 0], ['from/to…', CUSTOM]]

/** A `datetime-local` value (local time, to the minute) as ms since the epoch; '' stays ''. */
const epoch = (local: string) => (local ? String(new Date(local).getTime()) : '')
/** ms since the epoch as a `datetime-local` value in local time. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 16)
}

export function LogsPage() {
  const [since, setSince] = useState(3_600_000)
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [level, setLevel] = useState('')
  const [text, setText] = useState('')
  const [requestId, setRequestId] = useState('')
  const [result, setResult] = useState<{ lines: LogLine[]; truncated: boolean } | null>(null)
  const [error, setError] = useState<string | null>(null)

  const run = async (over: { requestId?: string } = {}) => {
    setError(null)
    try {
      const range = since === CUSTOM ? { from: epoch(from), to: to ? String(Number(epoch(to)) + 59_999) : '' } : { from: since ? String(Date.now() - since) : '', to: '' }
      setResult(await searchLogs({ ...range, level, q: text, requestId: over.requestId ?? requestId, limit: '500' }))
    } catch (e) {
      setError((e as Error).message)
    }
  }
  useEffect(() => {
    run()
  }, []) // first load only; then the form drives it

  const follow = (id: string) => {
    setRequestId(id)
    run({ requestId: id })
  }

  return (
    <div className="hc-logs">
      <form className="hc-log-form" onSubmit={(e) => { e.preventDefault(); run() }}>
        <label>Since <select value={since} onChange={(e) => {
          const v = Number(e.target.value)
          // Opening the custom range starts from the span that was chosen, so it is never empty.
          if (v === CUSTOM && since !== CUSTOM) setFrom(localInput(Date.now() - (since || 86_400_000)))
          setSince(v)
        }}>{RANGES.map(([l, ms]) => <option key={l} value={ms}>{l}</option>)}</select></label>
        {since === CUSTOM && (
          <>
            <label>From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} /></label>
            <label>To <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} /></label>
          </>
        )}
        <label>Level <select value={level} onChange={(e) => setLevel(e.target.value)}><option value="">any</option><option value="debug">debug+</option><option value="info">info+</option><option value="warn">warn+</option><option value="error">error</option></select></label>
        <label>Text <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="words in the line" /></label>
        <label>Request id <input type="search" name="requestId" value={requestId} onChange={(e) => setRequestId(e.target.value)} placeholder="tx…" /></label>
        <button className="btn btn-primary" type="submit">Search</button>
      </form>
      {error && <p className="error">{error}</p>}
      {result && (
        <>
          <p className="muted small">{result.lines.length} line{result.lines.length === 1 ? '' : 's'}{result.truncated ? ' (newest shown; narrow the search for more)' : ''}</p>
          <div className="hc-scroll">
            <table className="hc-table hc-log-table" data-testid="log-lines">
              <thead><tr><th>Time</th><th>Level</th><th>Request</th><th>Line</th></tr></thead>
              <tbody>
                {result.lines.map((l, i) => {
                  const { time, level: lv, type, trans_id, msg, ...rest } = l
                  return (
                    <tr key={i} className={`hc-log-${lv ?? type ?? 'info'}`}>
                      <td className="small nowrap">{time.replace('T', ' ').replace('Z', '')}</td>
                      <td>{lv ?? type}</td>
                      <td className="small">{trans_id ? <button className="btn-link" onClick={() => follow(String(trans_id))}>{String(trans_id)}</button> : ''}</td>
                      <td className="small hc-log-text">{msg ? <strong>{msg} </strong> : null}{JSON.stringify(rest)}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  )
}
