/**
 * The web terminal: asks for the administrator's password again, then opens the terminal
 * WebSocket (/api/terminal) and runs xterm.js on it, fitted to the page and resized with it.
 * Copy and paste: a selection is copied to the clipboard as it is made (as in PuTTY), and the
 * Copy and Paste buttons do it by hand (phones have no shortcuts); the browser's own paste
 * (Ctrl+Shift+V, the context menu) goes through xterm too. The clipboard API needs a secure
 * context (HTTPS or localhost); without it, Copy falls back to execCommand and Paste says so.
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

  const copy = (text: string) => {
    if (!text) return
    if (navigator.clipboard) return void navigator.clipboard.writeText(text).catch(() => undefined)
    const area = document.createElement('textarea')
    area.value = text
    document.body.appendChild(area)
    area.select()
    document.execCommand('copy')
    area.remove()
  }
  const paste = async () => {
    const t = term.current
    if (!t) return
    if (!navigator.clipboard?.readText) return setMessage('Paste with Ctrl+Shift+V: this page cannot read the clipboard without HTTPS.')
    try {
      t.paste(await navigator.clipboard.readText())
    } catch {
      setMessage('The browser did not allow reading the clipboard; paste with Ctrl+Shift+V.')
    }
    t.focus()
  }

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
    t.onSelectionChange(() => copy(t.getSelection()))
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
      {(phase === 'open' || phase === 'connecting') && (
        <div className="hc-term-tools" role="group" aria-label="Clipboard">
          <button className="btn btn-small" type="button" disabled={phase !== 'open'} onClick={() => copy(term.current?.getSelection() ?? '')}>Copy</button>
          <button className="btn btn-small" type="button" disabled={phase !== 'open'} onClick={() => void paste()}>Paste</button>
        </div>
      )}
      <div ref={box} className="hc-term-box" data-testid="terminal" style={{ display: phase === 'password' ? 'none' : 'block' }} />
    </div>
  )
}
