/**
 * The web terminal's WebSocket (/api/terminal) from a test: opens it over ws:// or wss://
 * (trusting `ca`), sends the first message (the auth), types `input` once the terminal is
 * ready, and resolves with what the server sent until the output matches `stop` (the echo
 * of the command itself left out), or with the refusal's HTTP status.
 */
import WebSocket from 'ws'

export interface TerminalAnswer {
  status?: number
  messages: Array<Record<string, unknown>>
  output: string
}

export function openTerminal(url: string, o: { headers: Record<string, string>; ca?: string; first?: object; input?: string; stop?: RegExp }): Promise<TerminalAnswer> {
  const stop = o.stop ?? /hi-42/
  return new Promise((done) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws').replace(/\/?$/, '/api/terminal'), { headers: o.headers, ca: o.ca })
    const messages: TerminalAnswer['messages'] = []
    let output = ''
    const finish = (status?: number) => {
      clearTimeout(timer)
      ws.terminate()
      done({ status, messages, output })
    }
    const timer = setTimeout(() => finish(), 15_000)
    ws.on('unexpected-response', (_req, res) => finish(res.statusCode))
    ws.on('error', () => finish())
    ws.on('open', () => o.first && ws.send(JSON.stringify(o.first)))
    ws.on('close', () => finish())
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as Record<string, unknown>
      messages.push(m)
      if (m.type === 'ready' && o.input) ws.send(JSON.stringify({ type: 'input', data: o.input }))
      if (m.type === 'output') output += String(m.data)
      if (stop.test(output.replace(/echo hi-\$\(\(6\*7\)\)/g, ''))) finish()
    })
  })
}
