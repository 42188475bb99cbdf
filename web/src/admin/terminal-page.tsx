/**
 * The web terminal: asks for the administrator's password again, then opens the terminal
 * WebSocket (/api/terminal) and runs xterm.js on it, fitted to the page and resized with it.
 * Copy and paste are the browser's (xterm selects text; Ctrl+Shift+V / the context menu paste).
 */
import { useEffect, useRef, useState } from 'react'
import { Terminal } from '@xterm/xterm'
import { FitAddon } from '@xterm/addon-fit'
import '@xterm/xterm/css/xterm.css'
import { csrfHeaders } from '../api/http'

type Phase = 'password' | 'connecting' | 'open' | 'closed'

export function TerminalPage() {
  const [phase, setPhase] = useState<Phase>('password')
  const [password, setPassword] = useState('')
  const [message, setMessage] = useState<string | null>(null)
  const box = useRef<HTMLDivElement>(null)
  const socket = useRef<WebSocket | null>(null)
  const term = useRef<Terminal | null>(null)

  useEffect(() => () => {
    socket.current?.close()
    term.current?.dispose()
  }, [])

  const connect = (e: React.FormEvent) => {
    e.preventDefault()
    setPhase('connecting') // shows the terminal's box, so xterm measures a real size when it opens
    setMessage(null)
    const t = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: false, scrollback: 5000 })
    const fit = new FitAddon()
    t.loadAddon(fit)
    term.current?.dispose()
    term.current = t
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/terminal`)
    socket.current = ws
    const send = (m: object) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m))
    ws.onopen = () => {
      t.open(box.current!)
      fit.fit()
      send({ type: 'auth', password, csrfToken: csrfHeaders()['X-CSRF-Token'] ?? '', cols: t.cols, rows: t.rows })
      setPassword('')
      t.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }))
    }
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as { type: string; data?: string; reason?: string; message?: string }
      if (m.type === 'ready') {
        setPhase('open')
        fit.fit()
        t.focus()
      }
      if (m.type === 'output' && m.data) t.write(m.data)
      if (m.type === 'exit') setMessage(`Session ended: ${m.reason}`)
      if (m.type === 'error') setMessage(m.message ?? 'refused')
    }
    ws.onclose = () => setPhase((p) => (p === 'open' ? 'closed' : 'password'))
    t.onData((data) => send({ type: 'input', data }))
    const onResize = () => fit.fit()
    window.addEventListener('resize', onResize)
    ws.addEventListener('close', () => window.removeEventListener('resize', onResize))
  }

  return (
    <div className="hc-terminal">
      {(phase === 'password' || phase === 'connecting') && (
        <form className="hc-term-auth" onSubmit={connect}>
          <p>The terminal is a root shell on this appliance. Enter your password again to open it.</p>
          <label>Password <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus /></label>
          <button className="btn btn-primary" type="submit" disabled={phase === 'connecting'}>Open terminal</button>
        </form>
      )}
      {message && <p className={phase === 'open' ? 'muted' : 'error'} role="alert">{message}</p>}
      {phase === 'closed' && <button className="btn" onClick={() => setPhase('password')}>New session</button>}
      <div ref={box} className="hc-term-box" data-testid="terminal" style={{ display: phase === 'password' ? 'none' : 'block' }} />
    </div>
  )
}
